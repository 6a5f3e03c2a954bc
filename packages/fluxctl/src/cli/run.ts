import { type Clock, type FluxApi, systemClock } from '@flux-ts/core';
import yargs, { type Argv } from 'yargs';
import { createHttpClient } from '../client/http-client.ts';
import { listImages, listWorkloads } from '../commands/list.ts';
import { identity, install, version, why } from '../commands/misc.ts';
import { policy } from '../commands/policy.ts';
import { UsageError } from '../commands/policy-update.ts';
import { release } from '../commands/release.ts';
import { save } from '../commands/save.ts';
import { sync } from '../commands/sync.ts';
import { contextNamespace, resolveApiUrl } from '../connect/index.ts';
import type { CliIO, CommandContext } from './context.ts';
import { formatCliError } from './errors.ts';
import { type RawGlobals, resolveGlobals } from './globals.ts';

/** Options of {@link runFluxctl} beyond the streams (tests inject a clock and a kubeconfig). */
export interface RunFluxctlOptions {
  clock?: Clock;
  kubeconfigPath?: string;
  signal?: AbortSignal;
}

type Handler = (ctx: CommandContext, args: Record<string, unknown>) => Promise<void> | void;

const NO_CONNECTION = new Set(['version', 'install', 'completion']);

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strs = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(String) : typeof v === 'string' && v !== '' ? [v] : [];

/**
 * Runs fluxctl with `argv` and resolves with the exit code (0, or 1 for usage and API errors, as
 * Flux v1). Never exits the process; everything is written to `io`.
 */
export async function runFluxctl(
  argv: readonly string[],
  io: CliIO,
  options: RunFluxctlOptions = {},
): Promise<number> {
  const clock = options.clock ?? systemClock;
  const signal = options.signal ?? new AbortController().signal;
  const closers: (() => Promise<void>)[] = [];
  let commandPath = 'fluxctl';
  let handler: { fn: Handler; args: Record<string, unknown>; name: string } | undefined;
  const on =
    (name: string, fn: Handler) =>
    (args: Record<string, unknown>): void => {
      handler = { fn, args, name };
    };

  const ns = (y: Argv) =>
    y.option('namespace', {
      alias: 'n',
      type: 'string',
      describe: 'Workload namespace (default: the kubeconfig context namespace, else default)',
    });
  const workloadFlag = (y: Argv) =>
    y
      .option('workload', {
        alias: 'w',
        type: 'string',
        describe: 'Workload to act on (<ns>:<kind>/<name> or <kind>/<name>)',
      })
      .option('controller', {
        alias: 'c',
        type: 'string',
        hidden: true,
        describe: 'Deprecated: use --workload',
      });
  const causeFlags = (y: Argv) =>
    y
      .option('message', {
        alias: 'm',
        type: 'string',
        default: '',
        describe: 'Attach a message to the update',
      })
      .option('user', {
        type: 'string',
        describe: 'Override the user reported as initiating the update (default: from git config)',
      })
      .option('verbose', {
        alias: 'v',
        type: 'count',
        describe: 'Include skipped (and, twice, ignored) workloads in the output',
      });
  const outputFlag = (y: Argv) =>
    y.option('output-format', {
      alias: 'o',
      type: 'string',
      default: 'tab',
      describe: 'Output format: tab or json',
    });
  const policyCommand = (name: string, describe: string, switches: Record<string, boolean>) => ({
    command: name,
    describe,
    builder: (y: Argv) => outputFlag(causeFlags(workloadFlag(ns(y)))),
    handler: on(name, (ctx, a) =>
      policy(ctx, {
        ...switches,
        namespace: str(a.namespace),
        workload: str(a.workload),
        controller: str(a.controller),
        message: str(a.message) ?? '',
        ...(str(a.user) !== undefined ? { user: str(a.user) as string } : {}),
        verbose: Number(a.verbose ?? 0),
      }),
    ),
  });

  const parser = yargs([...argv])
    .scriptName('fluxctl')
    .parserConfiguration({ 'boolean-negation': false, 'camel-case-expansion': true, 'strip-dashed': false })
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    })
    .strictOptions()
    .wrap(Math.min(120, process.stdout.columns || 100))
    .option('url', {
      alias: 'u',
      type: 'string',
      describe: 'Base URL of the flux API (defaults to port-forwarding to the fluxd pod); env FLUX_URL',
    })
    .option('token', { alias: 't', type: 'string', describe: 'API token; env FLUX_SERVICE_TOKEN' })
    .option('k8s-fwd-ns', {
      type: 'string',
      describe:
        'Namespace of the fluxd pod to port-forward to (default "default"); env FLUX_FORWARD_NAMESPACE',
    })
    .option('k8s-fwd-labels', {
      type: 'string',
      describe: 'Labels of the fluxd pod (default "app=flux"); env FLUX_FORWARD_LABELS',
    })
    .option('context', { type: 'string', describe: 'The kubeconfig context to use' })
    .option('timeout', { type: 'string', describe: 'Global timeout (default 1m0s); env FLUX_TIMEOUT' })
    .command({
      command: 'list-workloads',
      aliases: ['list-controllers'],
      describe: 'List workloads currently running in the cluster.',
      builder: (y: Argv) =>
        outputFlag(ns(y))
          .option('all-namespaces', {
            alias: 'a',
            type: 'boolean',
            default: false,
            describe: 'Query across all namespaces',
          })
          .option('container', { type: 'string', describe: 'Filter workloads by container name' })
          .option('no-headers', { type: 'boolean', default: false, describe: "Don't print headers" }),
      handler: on('list-workloads', (ctx, a) =>
        listWorkloads(ctx, {
          ...(str(a.namespace) !== undefined ? { namespace: str(a.namespace) as string } : {}),
          allNamespaces: Boolean(a.allNamespaces),
          ...(str(a.container) ? { container: str(a.container) as string } : {}),
          noHeaders: Boolean(a.noHeaders),
          outputFormat: str(a.outputFormat) ?? 'tab',
        }),
      ),
    })
    .command({
      command: 'list-images',
      describe: 'Show deployed and available images.',
      builder: (y: Argv) =>
        outputFlag(workloadFlag(ns(y)))
          .option('limit', {
            alias: 'l',
            type: 'number',
            default: 10,
            describe: 'Number of images to show (0 for all)',
          })
          .option('no-headers', { type: 'boolean', default: false, describe: "Don't print headers" }),
      handler: on('list-images', (ctx, a) =>
        listImages(ctx, {
          ...(str(a.namespace) !== undefined ? { namespace: str(a.namespace) as string } : {}),
          ...(str(a.workload) ? { workload: str(a.workload) as string } : {}),
          ...(str(a.controller) ? { controller: str(a.controller) as string } : {}),
          limit: Number(a.limit ?? 10),
          noHeaders: Boolean(a.noHeaders),
          outputFormat: str(a.outputFormat) ?? 'tab',
        }),
      ),
    })
    .command({
      command: 'release',
      describe: 'Release a new version of a workload.',
      builder: (y: Argv) =>
        outputFlag(causeFlags(ns(y)))
          .option('workload', {
            type: 'string',
            array: true,
            default: [],
            describe: 'List of workloads to release <namespace>:<kind>/<name>',
          })
          .option('controller', { alias: 'c', type: 'string', array: true, default: [], hidden: true })
          .option('all', { type: 'boolean', default: false, describe: 'Release all workloads' })
          .option('update-image', { alias: 'i', type: 'string', describe: 'Update a specific image' })
          .option('update-all-images', {
            type: 'boolean',
            default: false,
            describe: 'Update all images to latest versions',
          })
          .option('exclude', {
            type: 'string',
            array: true,
            default: [],
            describe: 'List of workloads to exclude',
          })
          .option('dry-run', {
            type: 'boolean',
            default: false,
            describe: 'Do not release anything; just report back what would have been done',
          })
          .option('interactive', {
            type: 'boolean',
            default: false,
            describe: 'Select interactively which containers to update',
          })
          .option('force', {
            alias: 'f',
            type: 'boolean',
            default: false,
            describe: 'Disregard locks and container image filters',
          })
          .option('watch', {
            alias: 'w',
            type: 'boolean',
            default: false,
            describe: 'Watch rollout progress during release',
          }),
      handler: on('release', (ctx, a) =>
        release(ctx, {
          ...(str(a.namespace) !== undefined ? { namespace: str(a.namespace) as string } : {}),
          workload: strs(a.workload),
          controller: strs(a.controller),
          all: Boolean(a.all),
          ...(str(a.updateImage) ? { updateImage: str(a.updateImage) as string } : {}),
          updateAllImages: Boolean(a.updateAllImages),
          exclude: strs(a.exclude),
          dryRun: Boolean(a.dryRun),
          interactive: Boolean(a.interactive),
          force: Boolean(a.force),
          watch: Boolean(a.watch),
          verbose: Number(a.verbose ?? 0),
          message: str(a.message) ?? '',
          ...(str(a.user) !== undefined ? { user: str(a.user) as string } : {}),
        }),
      ),
    })
    .command(policyCommand('automate', 'Turn on automatic deployment for a workload.', { automate: true }))
    .command(
      policyCommand('deautomate', 'Turn off automatic deployment for a workload.', { deautomate: true }),
    )
    .command(policyCommand('lock', 'Lock a workload, so it cannot be deployed.', { lock: true }))
    .command(policyCommand('unlock', 'Unlock a workload, so it can be deployed.', { unlock: true }))
    .command({
      command: 'policy',
      describe: 'Manage policies for a workload.',
      builder: (y: Argv) =>
        outputFlag(causeFlags(workloadFlag(ns(y))))
          .option('automate', { type: 'boolean', default: false, describe: 'Automate workload' })
          .option('deautomate', { type: 'boolean', default: false, describe: 'Deautomate workload' })
          .option('lock', { type: 'boolean', default: false, describe: 'Lock workload' })
          .option('unlock', { type: 'boolean', default: false, describe: 'Unlock workload' })
          .option('tag-all', { type: 'string', describe: 'Tag filter pattern to apply to all containers' })
          .option('tag', {
            type: 'string',
            array: true,
            default: [],
            describe: 'Tag filter container/pattern pairs (repeat the flag; a comma does not split)',
          }),
      handler: on('policy', (ctx, a) =>
        policy(ctx, {
          namespace: str(a.namespace),
          workload: str(a.workload),
          controller: str(a.controller),
          automate: Boolean(a.automate),
          deautomate: Boolean(a.deautomate),
          lock: Boolean(a.lock),
          unlock: Boolean(a.unlock),
          tagAll: str(a.tagAll),
          tags: strs(a.tag),
          message: str(a.message) ?? '',
          ...(str(a.user) !== undefined ? { user: str(a.user) as string } : {}),
          verbose: Number(a.verbose ?? 0),
        }),
      ),
    })
    .command({
      command: 'sync',
      describe: 'Synchronize the cluster with the git repository, now.',
      builder: (y: Argv) => outputFlag(y),
      handler: on('sync', (ctx) => sync(ctx)),
    })
    .command({
      command: 'identity',
      describe: 'Display SSH public key.',
      builder: (y: Argv) =>
        outputFlag(y)
          .option('regenerate', {
            alias: 'r',
            type: 'boolean',
            default: false,
            describe: 'Generate a new identity',
          })
          .option('fingerprint', {
            alias: 'l',
            type: 'boolean',
            default: false,
            describe: 'Show fingerprint of public key',
          })
          .option('visual', {
            alias: 'v',
            type: 'boolean',
            default: false,
            describe: 'Show ASCII art representation with fingerprint (implies -l)',
          }),
      handler: on('identity', (ctx, a) =>
        identity(ctx, {
          regenerate: Boolean(a.regenerate),
          fingerprint: Boolean(a.fingerprint),
          visual: Boolean(a.visual),
        }),
      ),
    })
    .command({
      command: 'save',
      describe: 'Save workload definitions to local files in cluster-native format.',
      builder: (y: Argv) =>
        y.option('out', {
          alias: 'o',
          type: 'string',
          default: '-',
          describe:
            'Output path for exported config; the default "-" means stdout; if a directory is given, each item will be saved in a file under the directory',
        }),
      handler: on('save', (ctx, a) => save(ctx, { out: str(a.out) ?? '-' })),
    })
    .command({
      command: 'install',
      describe: 'Print and tweak Kubernetes manifests needed to install Flux in a Cluster.',
      builder: (y: Argv) =>
        y
          .option('git-url', {
            type: 'string',
            describe:
              'URL of the Git repository to be used by Flux, e.g. git@github.com:<your username>/flux-get-started',
          })
          .option('git-branch', {
            type: 'string',
            default: 'master',
            describe: 'Git branch to be used by Flux',
          })
          .option('git-path', {
            type: 'string',
            array: true,
            default: [],
            describe: 'Relative paths within the Git repo for Flux to locate Kubernetes manifests',
          })
          .option('git-paths', { type: 'string', array: true, default: [], hidden: true })
          .option('git-label', {
            type: 'string',
            default: 'flux',
            describe:
              "Git label to keep track of Flux's sync progress; overrides both --git-sync-tag and --git-notes-ref",
          })
          .option('git-user', {
            type: 'string',
            default: 'Flux',
            describe: 'Username to use as git committer',
          })
          .option('git-email', { type: 'string', describe: 'Email to use as git committer' })
          .option('git-readonly', {
            type: 'boolean',
            default: false,
            describe: 'Tell flux it has readonly access to the repo',
          })
          .option('manifest-generation', {
            type: 'boolean',
            default: false,
            describe: 'Whether to enable manifest generation',
          })
          .option('namespace', { type: 'string', describe: 'Cluster namespace where to install flux' })
          .option('registry-disable-scanning', {
            type: 'boolean',
            default: false,
            describe: 'Do not scan container image registries to fill in the registry cache',
          })
          .option('add-security-context', {
            type: 'boolean',
            default: true,
            describe: 'Ensure security context information is added to the pod specs',
          })
          .option('output-dir', {
            alias: 'o',
            type: 'string',
            describe: 'A directory in which to write individual manifests, rather than printing to stdout',
          }),
      handler: on('install', (ctx, a) =>
        install(
          ctx,
          {
            ...(str(a.gitUrl) !== undefined ? { gitUrl: str(a.gitUrl) as string } : {}),
            ...(str(a.gitEmail) !== undefined ? { gitEmail: str(a.gitEmail) as string } : {}),
            gitBranch: str(a.gitBranch) ?? 'master',
            gitPaths: [...strs(a.gitPath), ...strs(a.gitPaths)],
            gitLabel: str(a.gitLabel) ?? 'flux',
            gitUser: str(a.gitUser) ?? 'Flux',
            gitReadonly: Boolean(a.gitReadonly),
            manifestGeneration: Boolean(a.manifestGeneration),
            ...(str(a.namespace) ? { namespace: str(a.namespace) as string } : {}),
            registryDisableScanning: Boolean(a.registryDisableScanning),
            addSecurityContext: a.addSecurityContext !== false,
            ...(str(a.outputDir) ? { outputDir: str(a.outputDir) as string } : {}),
          },
          () => ctx.defaultNamespace(),
        ),
      ),
    })
    .command({
      command: 'why',
      describe:
        "Explain, for each candidate tag of a workload's containers, whether automation would choose it and why not.",
      builder: (y: Argv) =>
        outputFlag(workloadFlag(ns(y))).option('container', {
          type: 'string',
          describe: 'Only this container',
        }),
      handler: on('why', (ctx, a) =>
        why(ctx, {
          ...(str(a.namespace) !== undefined ? { namespace: str(a.namespace) as string } : {}),
          ...((str(a.workload) ?? str(a.controller))
            ? { workload: (str(a.workload) ?? str(a.controller)) as string }
            : {}),
          ...(str(a.container) ? { container: str(a.container) as string } : {}),
          outputFormat: str(a.outputFormat) ?? 'tab',
        }),
      ),
    })
    .command({
      command: 'version',
      describe: 'Output the version of fluxctl',
      builder: (y: Argv) => outputFlag(y),
      handler: on('version', (ctx) => version(ctx)),
    })
    .demandCommand(1, 'a command is required')
    .recommendCommands()
    .help('help')
    .alias('help', 'h')
    .version(false);

  let helpText = '';
  try {
    const args = (await parser.parseAsync(argv as string[], {}, (_err, _argv, output) => {
      helpText = output;
    })) as Record<string, unknown> & RawGlobals & { _: (string | number)[] };
    if (helpText) {
      io.stdout.write(helpText.endsWith('\n') ? helpText : `${helpText}\n`);
      return 0;
    }
    if (!handler) return 0;
    commandPath = `fluxctl ${handler.name}`;
    if (args._.length > 1) throw new UsageError('expected no (non-flag) arguments');
    const globals = resolveGlobals(args, io.env);
    const format =
      handler.name === 'save' || handler.name === 'install' ? 'tab' : (str(args.outputFormat) ?? 'tab');
    if (format !== 'tab' && format !== 'json') throw new UsageError('invalid output format specified');
    let api: FluxApi | undefined;
    const ctx: CommandContext = {
      io,
      globals,
      clock,
      signal,
      output: format,
      defaultNamespace: () => contextNamespace(options.kubeconfigPath, globals.context || undefined),
      api: async () => {
        if (api) return api;
        if (NO_CONNECTION.has(handler?.name ?? '')) throw new Error('this command does not talk to fluxd');
        const endpoint = await resolveApiUrl({
          ...(globals.url ? { url: globals.url } : {}),
          ...(globals.token ? { token: globals.token } : {}),
          namespace: globals.k8sFwdNs,
          labels: globals.k8sFwdLabels,
          ...(globals.context ? { context: globals.context } : {}),
          ...(options.kubeconfigPath ? { kubeconfigPath: options.kubeconfigPath } : {}),
          signal,
        });
        closers.push(endpoint.close);
        api = createHttpClient({ baseUrl: endpoint.baseUrl, token: globals.token || undefined });
        return api;
      },
    };
    await handler.fn(ctx, args);
    return 0;
  } catch (err) {
    if (helpText) io.stdout.write(helpText);
    io.stderr.write(formatCliError(err, commandPath));
    return 1;
  } finally {
    for (const close of closers) await close().catch(() => undefined);
  }
}
