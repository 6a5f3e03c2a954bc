import { ErrorKind, FluxError } from '@flux-ts/core';
import type { CommandContext } from '../cli/context.ts';
import { progress } from '../cli/progress.ts';
import { FluxApiError } from '../client/errors.ts';
import { awaitJob, awaitSync, JobFailedError, retryRepository } from '../wait/poll.ts';

/** `fluxctl sync` could not start or finish. */
export class SyncError extends FluxError {
  constructor(message: string) {
    super(message, { code: 'fluxctl.sync', kind: ErrorKind.User, help: message });
  }
}

const UNVERIFIED = /The branch HEAD in the git repo is not verified/;

const NOT_READY_HELP = `

fluxd keeps retrying. If it cannot read the repository, add its key (fluxctl identity) to the
repository as a deploy key with write access (read access with --git-readonly).`;

/**
 * `fluxctl sync`: asks fluxd to fetch and sync, then waits until the head revision is applied.
 * Unlike Flux v1 (decisions.md 6), it then checks the workloads fluxd reports and fails, naming
 * them, when any resource failed to apply.
 */
export async function sync(ctx: CommandContext): Promise<void> {
  const api = await ctx.api();
  const config = await retryRepository(api, await api.gitRepoConfig(false, { signal: ctx.signal }), {
    timeoutMs: ctx.globals.timeoutMs,
    clock: ctx.clock,
    signal: ctx.signal,
  });
  const url = config.remote.url;
  if (config.status === 'unconfigured') throw new SyncError('no git repository is configured');
  if (config.status === 'unreachable') {
    throw new SyncError(
      `can not connect to git repository with URL ${url}\n\nFull error message: ${config.errors}`,
    );
  }
  if (config.status !== 'ready') {
    throw new SyncError(
      `git repository ${url} is not ready to sync${config.errors ? `\n\nFull error message: ${config.errors}` : ''}${NOT_READY_HELP}`,
    );
  }
  ctx.io.stderr.write(`Synchronizing with ${url}\n`);
  const jobId = await api.updateManifests(
    { type: 'sync', cause: { Message: '', User: '' }, spec: {} },
    { signal: ctx.signal },
  );
  const dots = progress(ctx);
  const poll = {
    timeoutMs: ctx.globals.timeoutMs,
    clock: ctx.clock,
    signal: ctx.signal,
    ...(dots.onPoll ? { onPoll: dots.onPoll } : {}),
  };
  let revision: string | undefined;
  try {
    revision = (await awaitJob(api, jobId, poll).finally(() => dots.end())).Result.revision;
  } catch (err) {
    if (err instanceof JobFailedError && UNVERIFIED.test(err.message)) {
      ctx.io.stderr.write(`Warning: ${err.message}\n`);
      revision = err.status.Result.revision;
    } else if (err instanceof JobFailedError) {
      ctx.io.stderr.write(`Failed to complete sync job (ID "${jobId}")\n`);
      throw err;
    } else {
      throw err;
    }
  }
  if (!revision) throw new SyncError('the sync job reported no revision');
  const short = revision.slice(0, 7);
  ctx.io.stderr.write(`Revision of ${config.remote.branch} to apply is ${short}\n`);
  ctx.io.stderr.write(`Waiting for ${short} to be applied ...\n`);
  await awaitSync(api, short, poll).finally(() => dots.end());
  const failed = await api.syncErrors({ signal: ctx.signal }).catch((err: unknown) => {
    // A Flux v1 fluxd does not report sync errors: nothing to check then.
    if (err instanceof FluxApiError && err.status === 404) return [];
    throw err;
  });
  if (ctx.output === 'json') ctx.io.stdout.write(`${JSON.stringify({ revision, errors: failed })}\n`);
  const gc = failed.filter((f) => f.Stage === 'gc');
  const resources = failed.filter((f) => f.Stage !== 'gc');
  if (failed.length > 0) {
    const what = resources.length === 1 ? 'one resource' : `${resources.length} resources`;
    const lines = [
      ...resources.map((f) => `  ${f.ID || f.Path}: ${f.Error}`),
      ...gc.map((f) => `  garbage collection: ${f.Error}`),
    ];
    const head =
      resources.length > 0 ? `${what} failed` : 'garbage collection was refused (nothing was deleted)';
    throw new SyncError(`${short} is applied, but ${head}:\n${lines.join('\n')}`);
  }
  ctx.io.stderr.write('Done.\n');
}
