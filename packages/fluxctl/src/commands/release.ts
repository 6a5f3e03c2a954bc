import type {
  ContainerUpdateSpecJson,
  JobStatusJson,
  UpdateSpecJson,
  WorkloadResultJson,
} from '@flux-ts/core';
import type { CommandContext } from '../cli/context.ts';
import { progress } from '../cli/progress.ts';
import { qualifyWorkload } from '../cli/workload-id.ts';
import { runMenu } from '../interactive/index.ts';
import { formatResults, type Verbosity } from '../output/results-table.ts';
import { rolloutStep } from '../output/rollout-table.ts';
import { awaitJob, awaitSync, WaitTimeoutError } from '../wait/poll.ts';
import { defaultUser } from './cause.ts';
import { UsageError } from './policy-update.ts';

/** The flags of `fluxctl release`. */
export interface ReleaseOptions {
  namespace?: string;
  workload: string[];
  controller: string[];
  all: boolean;
  updateImage?: string;
  updateAllImages: boolean;
  exclude: string[];
  dryRun: boolean;
  interactive: boolean;
  force: boolean;
  watch: boolean;
  verbose: number;
  message: string;
  user?: string;
}

const verbosity = (v: number): Verbosity => (v >= 2 ? 2 : v === 1 ? 1 : 0);

function splitList(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(',')).filter((v) => v !== '');
}

/** Prints a job's results and the commit it pushed, as Flux v1 does. */
export function printJobResult(ctx: CommandContext, status: JobStatusJson, v: Verbosity): void {
  if (ctx.output === 'json') {
    ctx.io.stdout.write(`${JSON.stringify(status.Result)}\n`);
    return;
  }
  const result = status.Result.result;
  if (result && Object.keys(result).length > 0) ctx.io.stdout.write(formatResults(result, v));
  else if (!status.Result.revision) ctx.io.stderr.write('Nothing to do\n');
  if (status.Result.revision) ctx.io.stderr.write(`Commit pushed:\t${status.Result.revision.slice(0, 7)}\n`);
}

/** `fluxctl release`. */
export async function release(ctx: CommandContext, opts: ReleaseOptions): Promise<void> {
  const workloads = splitList([...opts.workload, ...opts.controller]);
  if (opts.updateImage && opts.updateAllImages) {
    throw new UsageError('please supply only one of --update-image=<image> or --update-all-images');
  }
  if (!opts.updateImage && !opts.updateAllImages) {
    throw new UsageError('please supply exactly one of --update-image=<image> or --update-all-images');
  }
  if (!opts.all && workloads.length === 0) {
    throw new UsageError('please supply either --all, or at least one --workload=<workload>');
  }
  if (opts.watch && opts.dryRun) throw new UsageError('cannot use --watch with --dry-run');
  if (opts.force && opts.all && opts.updateAllImages) {
    throw new UsageError('--force has no effect when used with --all and --update-all-images');
  }
  if (opts.force && opts.all)
    ctx.io.stderr.write('Warning: --force will not ignore locked workloads when used with --all\n');
  if (opts.force && opts.updateAllImages) {
    ctx.io.stderr.write(
      'Warning: --force will not ignore container image tags when used with --update-all-images\n',
    );
  }
  if (opts.updateImage && !/:[^/:]+$|@sha256:/.test(opts.updateImage)) {
    throw new UsageError(
      'blank tag (if you want latest, explicitly state the tag :latest): invalid image ID',
    );
  }
  const namespace = opts.namespace ?? ctx.defaultNamespace();
  const ids = opts.all ? ['<all>'] : workloads.map((w) => qualifyWorkload(w, namespace));
  const excludes = splitList(opts.exclude).map((w) => qualifyWorkload(w, namespace));
  const user = opts.user ?? (await defaultUser());
  const cause = { Message: opts.message, User: user };
  const plan = opts.dryRun || opts.interactive;
  const v = verbosity(opts.verbose);
  const spec: UpdateSpecJson = {
    type: 'image',
    cause,
    spec: {
      ServiceSpecs: ids,
      ImageSpec: opts.updateImage ?? '<all latest>',
      Kind: plan ? 'plan' : 'execute',
      Excludes: excludes.length > 0 ? excludes : null,
      Force: opts.force,
    },
  };
  ctx.io.stderr.write(plan ? 'Submitting dry-run release ...\n' : 'Submitting release ...\n');
  const api = await ctx.api();
  const dots = progress(ctx);
  const poll = {
    timeoutMs: ctx.globals.timeoutMs,
    clock: ctx.clock,
    signal: ctx.signal,
    ...(dots.onPoll ? { onPoll: dots.onPoll } : {}),
  };
  let status = await awaitJob(api, await api.updateManifests(spec, { signal: ctx.signal }), poll).finally(
    () => dots.end(),
  );

  if (opts.interactive) {
    const result: Record<string, WorkloadResultJson> = status.Result.result ?? {};
    const input = ctx.io.stdin;
    if (!input) throw new UsageError('--interactive needs a terminal');
    const chosen = await runMenu(result, {
      input,
      output: ctx.io.stdout as NodeJS.WritableStream,
      verbosity: v,
    });
    if (chosen.kind === 'aborted') {
      ctx.io.stderr.write('Aborted.\n');
      return;
    }
    if (chosen.kind === 'empty') {
      ctx.io.stderr.write('No changes found.\n');
      return;
    }
    ctx.io.stderr.write('Submitting selected release ...\n');
    const containers: UpdateSpecJson = {
      type: 'containers',
      cause,
      spec: {
        Kind: 'execute',
        ContainerSpecs: chosen.specs as Record<string, ContainerUpdateSpecJson[]>,
        SkipMismatches: false,
        Force: opts.force,
      },
    };
    status = await awaitJob(api, await api.updateManifests(containers, { signal: ctx.signal }), poll).finally(
      () => dots.end(),
    );
  } else {
    printJobResult(ctx, status, v);
  }
  if (plan && !opts.interactive) return;
  if (opts.interactive) printJobResult(ctx, status, v);
  const revision = status.Result.revision;
  if (!revision) return;
  try {
    await awaitSync(api, revision, poll).finally(() => dots.end());
    ctx.io.stderr.write(`Commit applied:\t${revision.slice(0, 7)}\n`);
  } catch (err) {
    if (!(err instanceof WaitTimeoutError)) throw err;
    ctx.io.stderr.write(
      `Timed out waiting for the commit to be applied; run \`fluxctl sync\` to check on ${revision.slice(0, 7)}.\n`,
    );
    return;
  }
  if (!opts.watch) return;
  ctx.io.stderr.write('Monitoring rollout ...\n');
  const watched = Object.entries(status.Result.result ?? {})
    .filter(([, r]) => r.Status === 'success')
    .map(([id]) => id);
  const deadline = ctx.clock.now() + ctx.globals.timeoutMs;
  for (;;) {
    const current = await api.listServices({ namespace: '', services: watched }, { signal: ctx.signal });
    const step = rolloutStep(current, v);
    ctx.io.stdout.write(step.stdout.length > 0 ? `${step.stdout}\n` : '');
    if (step.stderr) ctx.io.stderr.write(step.stderr);
    if (step.outcome !== 'pending') return;
    if (ctx.clock.now() + 2_000 > deadline) throw new WaitTimeoutError('the rollout');
    await ctx.clock.sleep(2_000, ctx.signal);
  }
}
