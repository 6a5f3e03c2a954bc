import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Clock, type Logger, noopLogger, systemClock } from '@flux-ts/core';
import {
  type CiSkipOptions,
  cloneMirrorArgs,
  fetchMirrorArgs,
  type LogEntry,
  logArgs,
  normalizeGitPaths,
  parseLog,
  resolveRefArgs,
  writeCheckArgs,
} from './argv.ts';
import { type Checkout, createCheckout } from './checkout.ts';
import { GitBranchMissingError, MirrorNotReadyError } from './errors.ts';
import { createGitRunner, type GitClientOptions, type GitRunner } from './git-factory.ts';
import { redactUrl } from './redact.ts';

/** Flux v1's repository states. `unconfigured` (no URL) is terminal. */
export const RepoStatus = {
  Unconfigured: 'unconfigured',
  New: 'new',
  Cloned: 'cloned',
  Ready: 'ready',
} as const;
export type RepoStatus = (typeof RepoStatus)[keyof typeof RepoStatus];

/** The mirror's state and the error that keeps it from moving on, if any. */
export interface MirrorStatus {
  status: RepoStatus;
  error?: Error;
}

/** Options for {@link createMirror}; the git flags of fluxd. */
export interface MirrorOptions extends GitClientOptions, CiSkipOptions {
  /** `--git-url`; empty or unset ⇒ `unconfigured`. */
  url?: string;
  /** `--git-branch`, default `master`. */
  branch?: string;
  /** `--git-path`; relative, inside the repository. */
  paths?: readonly string[];
  /** `--git-readonly`: no write check, no pushes. */
  readonly?: boolean;
  /** `--git-notes-ref`, default `flux`. */
  notesRef?: string;
  /** `--git-signing-key`. */
  signingKey?: string;
  /** `--git-set-author`. */
  setAuthor?: boolean;
  /** `--git-secret`: `git secret reveal -f` in every working clone. */
  gitSecret?: boolean;
  /** `--manifest-generation`: commits stage the whole repository, not only the git paths. */
  manifestGeneration?: boolean;
  /** `--git-poll-interval`, default 5 minutes. */
  pollIntervalMs?: number;
  /** How long a not-ready mirror waits before retrying; default 10 s. */
  retryIntervalMs?: number;
  /** Where the mirror and working clones go; default the OS temp dir. */
  workDir?: string;
  clock?: Clock;
  logger?: Logger;
}

/** The local mirror of the upstream repository. */
export interface Mirror {
  /** The upstream URL, redacted (safe to log). */
  readonly displayUrl: string;
  readonly branch: string;
  /** Normalised git paths (`.` when none were given). */
  readonly paths: readonly string[];
  readonly readonly: boolean;
  /** The runner every git command of this mirror goes through. */
  readonly runner: GitRunner;
  /**
   * Keeps the mirror fresh until `signal` aborts: steps towards `ready` (retrying every
   * `retryIntervalMs`), then fetches every `pollIntervalMs`. Resolves when aborted.
   */
  start(signal: AbortSignal): Promise<void>;
  /**
   * Steps the mirror towards `ready` (clone, fetch, branch and write checks) or, when ready,
   * fetches. A fetch error drops the mirror back to `new`. Concurrent calls share one run.
   * @throws the classified git error, also recorded in {@link Mirror.status}.
   */
  refresh(signal?: AbortSignal): Promise<void>;
  status(): MirrorStatus;
  /** The branch head in the mirror (full SHA). @throws MirrorNotReadyError before the first clone. */
  head(signal?: AbortSignal): Promise<string>;
  /** Resolves a revision (abbreviated SHA, tag, ref) to a full commit SHA, or `undefined` when unknown. */
  resolve(rev: string, signal?: AbortSignal): Promise<string | undefined>;
  /** A working clone at `rev` (default: the head). */
  clone(rev?: string, signal?: AbortSignal): Promise<Checkout>;
  /** Commits in `from..to` touching the git paths, newest first (all of `to`'s history when `from` is unset). */
  commitsBetween(from: string | undefined, to: string, signal?: AbortSignal): Promise<LogEntry[]>;
  /** The mirror's directory (a bare repository), once cloned. */
  dir(): string | undefined;
  /** Upstream URL with credentials, for the sync state store's pushes. Never log it. */
  remoteUrl(): string;
  /** Deletes the mirror. */
  close(): Promise<void>;
}

const MINUTE = 60_000;

/** Creates (but does not start) a mirror of `--git-url` / `--git-branch`. */
export function createMirror(opts: MirrorOptions): Mirror {
  const url = opts.url ?? '';
  const branch = opts.branch ?? 'master';
  const paths = normalizeGitPaths(opts.paths ?? []);
  const effectivePaths = paths.length === 0 ? ['.'] : paths;
  const readonly = opts.readonly ?? false;
  const clock = opts.clock ?? systemClock;
  const log = (opts.logger ?? noopLogger).child({ component: 'git', url: redactUrl(url) });
  const runner = createGitRunner(opts);
  let state: MirrorStatus = { status: url === '' ? RepoStatus.Unconfigured : RepoStatus.New };
  let root: string | undefined;
  let mirrorDir: string | undefined;
  let inflight: Promise<void> | undefined;

  const withSignal = (signal?: AbortSignal) => (signal === undefined ? {} : { signal });

  // Working trees returned by `clean()`, reused by the next `clone()`: only the files that differ
  // between two revisions are written again, instead of the whole tree.
  const pool: string[] = [];
  const POOL_SIZE = 2;
  async function dropPool(): Promise<void> {
    for (const parent of pool.splice(0)) await rm(parent, { recursive: true, force: true });
  }

  async function dropClone(): Promise<void> {
    await dropPool();
    if (root !== undefined) await rm(root, { recursive: true, force: true });
    root = undefined;
    mirrorDir = undefined;
  }

  async function step(signal?: AbortSignal): Promise<void> {
    const remote = { url, branch, ...withSignal(signal) };
    if (state.status === RepoStatus.New) {
      await dropClone();
      root = await mkdtemp(join(opts.workDir ?? tmpdir(), 'flux-gitclone'));
      const dir = join(root, 'mirror.git');
      await runner.run(cloneMirrorArgs(url, dir), remote);
      mirrorDir = dir;
      state = { status: RepoStatus.Cloned };
      return;
    }
    const dir = mirrorDir as string;
    if (state.status === RepoStatus.Cloned) {
      await runner.run(fetchMirrorArgs(), { ...remote, cwd: dir });
      const head = (
        await runner.run(resolveRefArgs(`refs/heads/${branch}`), { cwd: dir, ...withSignal(signal) })
      ).trim();
      if (head === '') throw new GitBranchMissingError(branch, { url: redactUrl(url) });
      if (!readonly) {
        const tag = `flux-write-check-${randomBytes(5).toString('hex')}`;
        const check = writeCheckArgs(url, tag, branch);
        await runner.run(check.tag, { cwd: dir, ...withSignal(signal) });
        try {
          await runner.run(check.push, { ...remote, cwd: dir });
          await runner.run(check.delete, { ...remote, cwd: dir });
        } finally {
          await runner.run(['tag', '--delete', tag], { cwd: dir }).catch(() => undefined);
        }
      }
      state = { status: RepoStatus.Ready };
      log.info({ branch }, 'git repository ready');
      return;
    }
    try {
      await runner.run(fetchMirrorArgs(), { ...remote, cwd: dir });
    } catch (err) {
      state = { status: RepoStatus.New, error: err as Error };
      throw err;
    }
  }

  async function doRefresh(signal?: AbortSignal): Promise<void> {
    if (state.status === RepoStatus.Unconfigured) return;
    const wasReady = state.status === RepoStatus.Ready;
    try {
      if (wasReady) {
        await step(signal);
        return;
      }
      while (state.status !== RepoStatus.Ready) await step(signal);
    } catch (err) {
      state = { status: state.status, error: err as Error };
      log.warn({ status: state.status, err: (err as Error).message }, 'git refresh failed');
      throw err;
    }
  }

  function requireDir(): string {
    if (mirrorDir === undefined) throw new MirrorNotReadyError(state.status, state.error);
    return mirrorDir;
  }

  const mirror: Mirror = {
    displayUrl: redactUrl(url),
    branch,
    paths: effectivePaths,
    readonly,
    runner,

    async start(signal) {
      while (!signal.aborted) {
        await mirror.refresh(signal).catch(() => undefined);
        if (state.status === RepoStatus.Unconfigured) return;
        const wait =
          state.status === RepoStatus.Ready
            ? (opts.pollIntervalMs ?? 5 * MINUTE)
            : (opts.retryIntervalMs ?? 10_000);
        try {
          await clock.sleep(wait, signal);
        } catch {
          return;
        }
      }
    },

    refresh(signal) {
      inflight ??= doRefresh(signal).finally(() => {
        inflight = undefined;
      });
      return inflight;
    },

    status: () => ({ ...state }),

    async head(signal) {
      const dir = requireDir();
      const out = (
        await runner.run(resolveRefArgs(`refs/heads/${branch}`), { cwd: dir, ...withSignal(signal) })
      ).trim();
      if (out === '') throw new GitBranchMissingError(branch, { url: redactUrl(url) });
      return out.split(' ')[0] as string;
    },

    async resolve(rev, signal) {
      const dir = requireDir();
      try {
        return (
          await runner.run(['rev-parse', '--verify', '--end-of-options', `${rev}^{commit}`], {
            cwd: dir,
            ...withSignal(signal),
          })
        ).trim();
      } catch {
        return undefined;
      }
    },

    async clone(rev, signal) {
      const dir = requireDir();
      const target = rev ?? (await mirror.head(signal));
      const pooled = pool.pop();
      const parent = pooled ?? (await mkdtemp(join(opts.workDir ?? tmpdir(), 'flux-working')));
      try {
        return await createCheckout(
          {
            runner,
            url,
            branch,
            mirrorDir: dir,
            paths: effectivePaths,
            readonly,
            notesRef: opts.notesRef ?? 'flux',
            logger: log,
            afterPush: (s) => mirror.refresh(s),
            reuse: pooled !== undefined,
            release: async (p) => {
              if (pool.length >= POOL_SIZE || mirrorDir !== dir) return false;
              pool.push(p);
              return true;
            },
            ...(opts.signingKey === undefined ? {} : { signingKey: opts.signingKey }),
            ...(opts.setAuthor === undefined ? {} : { setAuthor: opts.setAuthor }),
            ...(opts.gitSecret === undefined ? {} : { gitSecret: opts.gitSecret }),
            ...(opts.manifestGeneration === undefined ? {} : { manifestGeneration: opts.manifestGeneration }),
            ...(opts.ciSkip === undefined ? {} : { ciSkip: opts.ciSkip }),
            ...(opts.ciSkipMessage === undefined ? {} : { ciSkipMessage: opts.ciSkipMessage }),
          },
          parent,
          target,
          signal,
        );
      } catch (err) {
        await rm(parent, { recursive: true, force: true });
        throw err;
      }
    },

    async commitsBetween(from, to, signal) {
      const dir = requireDir();
      const out = await runner.run(logArgs({ ...(from === undefined ? {} : { from }), to, paths }), {
        cwd: dir,
        ...withSignal(signal),
      });
      return parseLog(out);
    },

    dir: () => mirrorDir,
    remoteUrl: () => url,
    close: dropClone,
  };
  return mirror;
}
