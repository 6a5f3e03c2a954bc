import type { CommandContext } from '../cli/context.ts';
import { qualifyWorkload } from '../cli/workload-id.ts';
import {
  FLUX_V1_DEPRECATION_BANNER,
  fluxctlPackageVersion,
  type InstallFlags,
  installManifests,
  installStream,
  resolveInstallOptions,
  writeInstallFiles,
} from '../install/index.ts';
import { formatIdentity } from '../output/identity.ts';
import { formatWhy } from '../output/why-table.ts';
import { UsageError } from './policy-update.ts';

/** `fluxctl identity`. */
export async function identity(
  ctx: CommandContext,
  opts: { regenerate: boolean; fingerprint: boolean; visual: boolean },
): Promise<void> {
  const api = await ctx.api();
  const config = await api.gitRepoConfig(opts.regenerate, { signal: ctx.signal });
  if (ctx.output === 'json') ctx.io.stdout.write(`${JSON.stringify(config.publicSSHKey)}\n`);
  else
    ctx.io.stdout.write(
      formatIdentity(config.publicSSHKey, { fingerprint: opts.fingerprint, visual: opts.visual }),
    );
}

/** `fluxctl version`: no connection. */
export function version(ctx: CommandContext): void {
  const v = fluxctlPackageVersion();
  ctx.io.stdout.write(ctx.output === 'json' ? `${JSON.stringify(v)}\n` : `${v}\n`);
}

/** `fluxctl install`: the deployment manifests, on stdout or into `--output-dir`. */
export async function install(
  ctx: CommandContext,
  flags: InstallFlags & { outputDir?: string },
  contextNamespace: () => string,
): Promise<void> {
  ctx.io.stderr.write(FLUX_V1_DEPRECATION_BANNER);
  const options = resolveInstallOptions(flags, { contextNamespace: contextNamespace() });
  const files = installManifests(options);
  if (flags.outputDir) {
    for (const line of await writeInstallFiles(files, flags.outputDir)) ctx.io.stderr.write(`${line}\n`);
    return;
  }
  ctx.io.stdout.write(installStream(files));
}

/** `fluxctl why`: for each candidate tag of a workload's containers, chosen or why not (beyond Flux v1). */
export async function why(
  ctx: CommandContext,
  opts: { namespace?: string; workload?: string; container?: string; outputFormat: string },
): Promise<void> {
  if (!opts.workload) throw new UsageError('-w, --workload is required');
  const id = qualifyWorkload(opts.workload, opts.namespace ?? ctx.defaultNamespace());
  const api = await ctx.api();
  const explained = await api.explain(id, opts.container, { signal: ctx.signal });
  if (opts.outputFormat === 'json') ctx.io.stdout.write(`${JSON.stringify(explained)}\n`);
  else if (opts.outputFormat === 'tab') ctx.io.stdout.write(formatWhy(explained));
  else throw new UsageError('invalid output format specified');
}
