import {
  type Clock,
  ErrorKind,
  type FluxApi,
  FluxError,
  type GitConfigJson,
  type JobStatusJson,
  systemClock,
} from '@flux-ts/core';

/** fluxctl gave up waiting (`--timeout`). */
export class WaitTimeoutError extends FluxError {
  constructor(what: string) {
    super(`timed out waiting for ${what}`, {
      code: 'fluxctl.timeout',
      kind: ErrorKind.Server,
      help: `We timed out waiting for the result of the operation. This does not
necessarily mean it has failed. You can check the state of the
cluster, or commit logs, to see if there was a result. In general, it
is safe to retry operations.`,
    });
  }
}

/** A job fluxd ran failed; `status` keeps what it had (e.g. the last verified revision). */
export class JobFailedError extends FluxError {
  readonly status: JobStatusJson;
  constructor(status: JobStatusJson) {
    super(status.Err, { code: 'fluxctl.job-failed', kind: ErrorKind.User, help: status.Err });
    this.status = status;
  }
}

/** The revision fluxctl waits for will not be applied: files of it did not load. */
export class RevisionNotAppliedError extends FluxError {
  constructor(revision: string, problems: readonly { Path: string; Error: string }[]) {
    const what = problems.length === 1 ? 'a manifest' : `${problems.length} manifests`;
    super(
      `${revision.slice(0, 7)} is not applied: ${what} did not load:\n${problems.map((p) => `  ${p.Error}`).join('\n')}`,
      {
        code: 'fluxctl.not-applied',
        kind: ErrorKind.User,
        help: 'Fix the files named above and push; fluxd applied everything else, and moves the sync marker once every file loads.',
      },
    );
  }
}

/**
 * Files of `revision` that fluxd could not load in its last sync (`/v11/sync-errors`), or none; a
 * Flux v1 fluxd has no such route (404): none then.
 */
export async function loadErrorsOf(
  api: FluxApi,
  revision: string,
  signal?: AbortSignal,
): Promise<{ Path: string; Error: string }[]> {
  const errors = await api.syncErrors(signal ? { signal } : {}).catch((err: unknown) => {
    if ((err as { status?: number }).status === 404) return [];
    throw err;
  });
  return errors.filter(
    (e) =>
      e.ID === '' &&
      (e.Stage === undefined || e.Stage === 'load') &&
      e.Revision?.startsWith(revision) === true,
  );
}

/** Options shared by the polls: `--timeout`, the clock, and a cancel signal. */
export interface PollOptions {
  timeoutMs: number;
  clock?: Clock;
  signal?: AbortSignal;
  /** Called before each wait between polls (progress on a terminal). */
  onPoll?: () => void;
}

/**
 * Polls a job until it succeeds or fails (Flux v1: first delay 100 ms, doubling, at most 5 s, until
 * `--timeout`). Resolves with the succeeded status; a failed job throws {@link JobFailedError}.
 */
export async function awaitJob(api: FluxApi, jobId: string, options: PollOptions): Promise<JobStatusJson> {
  const clock = options.clock ?? systemClock;
  const deadline = clock.now() + options.timeoutMs;
  let delay = 100;
  for (;;) {
    const status = await api.jobStatus(jobId, options.signal ? { signal: options.signal } : {});
    if (status.StatusString === 'failed' || (status.StatusString === 'succeeded' && status.Err)) {
      throw new JobFailedError(status);
    }
    if (status.StatusString === 'succeeded') return status;
    if (clock.now() + delay > deadline) throw new WaitTimeoutError(`job ${jobId}`);
    options.onPoll?.();
    await clock.sleep(delay, options.signal);
    delay = Math.min(delay * 2, 5_000);
  }
}

/**
 * Polls `GET /v6/sync?ref=` until the revision is applied (an empty list). Flux v1: first delay 1 s,
 * doubling, at most 10 s, until `--timeout`.
 */
export async function awaitSync(api: FluxApi, ref: string, options: PollOptions): Promise<void> {
  const clock = options.clock ?? systemClock;
  const deadline = clock.now() + options.timeoutMs;
  let delay = 1_000;
  for (;;) {
    const pending = await api.syncStatus(ref, options.signal ? { signal: options.signal } : {});
    if (pending.length === 0) return;
    // fluxd synced this revision but could not load every file: it will not be marked applied.
    const broken = await loadErrorsOf(api, ref, options.signal);
    if (broken.length > 0) throw new RevisionNotAppliedError(ref, broken);
    if (clock.now() + delay > deadline) throw new WaitTimeoutError(`${ref} to be applied`);
    options.onPoll?.();
    await clock.sleep(delay, options.signal);
    delay = Math.min(delay * 2, 10_000);
  }
}

/** How long {@link retryRepository} waits for the repository after asking fluxd to try it now. */
export const REPOSITORY_RETRY_WAIT_MS = 5_000;

/**
 * fluxd's repository is not ready (not cloned yet, or unreachable): asks fluxd to try it now (a git
 * change notification, what a push webhook sends) and polls its config every 250 ms until it is
 * ready, for at most `waitMs` (and `--timeout`). So `fluxctl sync` right after adding fluxd's deploy
 * key need not wait out fluxd's retry interval, and a repository that stays broken still fails fast.
 * Returns the last config seen.
 */
export async function retryRepository(
  api: FluxApi,
  config: GitConfigJson,
  options: PollOptions & { waitMs?: number },
): Promise<GitConfigJson> {
  if (config.status === 'ready' || config.status === 'unconfigured') return config;
  const clock = options.clock ?? systemClock;
  const call = options.signal ? { signal: options.signal } : {};
  const deadline = clock.now() + Math.min(options.waitMs ?? REPOSITORY_RETRY_WAIT_MS, options.timeoutMs);
  const change = { Kind: 'git' as const, Source: { URL: config.remote.url, Branch: config.remote.branch } };
  // A fluxd without the route (older than Flux v1.13) still retries on its own schedule.
  await api.notifyChange(change, call).catch(() => undefined);
  let last = config;
  while (clock.now() + 250 <= deadline) {
    options.onPoll?.();
    await clock.sleep(250, options.signal);
    last = await api.gitRepoConfig(false, call);
    if (last.status === 'ready') return last;
  }
  return last;
}
