import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Logger, noopLogger } from '@flux-ts/core';
import {
  type CiSkipOptions,
  type CommitNote,
  changedFilesArgs,
  checkoutArgs,
  commitArgs,
  fetchNotesArgs,
  fullNotesRef,
  localCloneArgs,
  notePayload,
  notesAddArgs,
  pushArgs,
  resolveRefArgs,
  withCiSkip,
} from './argv.ts';
import { type GitSecretPathError, NoChangesError, ReadOnlyError } from './errors.ts';
import type { GitRunner } from './git-factory.ts';
import { revealGitSecrets } from './git-secret.ts';

/** A commit this package made and pushed. */
export interface Commit {
  /** Full SHA. */
  revision: string;
  /** The full message, including any ci-skip suffix. */
  message: string;
}

/** What to commit. */
export interface CommitAndPushOptions {
  /** The message before the ci-skip suffix (Flux v1's templates are rendered by the caller). */
  message: string;
  /** `Name <email>` of the cause's user; used only when the repo is configured with `setAuthor`. */
  author?: string;
  /** Stored as a git note on the new commit and pushed with it. */
  note?: CommitNote;
  signal?: AbortSignal;
}

/**
 * A working clone at one revision, for a sync or a job. Writes stay inside `dir`; call `clean()`
 * when done.
 */
export interface Checkout {
  /** Absolute path of the working tree. */
  readonly dir: string;
  /** The revision checked out when the clone was made. */
  readonly revision: string;
  /** Absolute directories of the git paths (the repository root when no paths are configured). */
  manifestDirs(): string[];
  /** git-secret files not revealed because they would have been written outside the clone (logged). */
  readonly unrevealedSecrets: readonly GitSecretPathError[];
  /**
   * Commits every change under the git paths and pushes it (with the note, atomically) to the
   * upstream branch.
   * @throws NoChangesError when nothing changed; PushRejectedError when the branch moved meanwhile;
   *   ReadOnlyError with `--git-readonly`.
   */
  commitAndPush(opts: CommitAndPushOptions): Promise<Commit>;
  /** Files changed between two revisions, limited to the git paths, relative to the repository root. */
  changedFiles(from: string, to: string, signal?: AbortSignal): Promise<string[]>;
  /** Deletes the working clone. */
  clean(): Promise<void>;
}

/** What a working clone needs from its mirror. */
export interface CheckoutContext extends CiSkipOptions {
  runner: GitRunner;
  /** Upstream URL pushes go to. */
  url: string;
  branch: string;
  mirrorDir: string;
  /** Normalised git paths (`.` when none). */
  paths: readonly string[];
  readonly: boolean;
  notesRef: string;
  signingKey?: string;
  setAuthor?: boolean;
  gitSecret?: boolean;
  logger?: Logger;
  /** Called after a successful push, so the mirror sees the new head. */
  afterPush?: (signal?: AbortSignal) => Promise<void>;
  /** `--manifest-generation`: commits stage the whole repository (`.flux.yaml` patch files may live outside the git paths). */
  manifestGeneration?: boolean;
  /** `parentDir` holds a working tree from an earlier checkout of this mirror: update it instead of cloning. */
  reuse?: boolean;
  /** Offered the tree on `clean()`; true when it was kept for reuse (then it is not deleted). */
  release?: (parentDir: string) => Promise<boolean>;
}

/**
 * Makes a working clone of the mirror at `rev` under `parentDir/repo` (a local clone: objects are
 * hard-linked, so it is cheap for large repositories), with the notes, and git-secret revealed when
 * configured (never a file that would be written outside the clone).
 */
export async function createCheckout(
  ctx: CheckoutContext,
  parentDir: string,
  rev: string,
  signal?: AbortSignal,
): Promise<Checkout> {
  const { runner } = ctx;
  const log = ctx.logger ?? noopLogger;
  const dir = join(parentDir, 'repo');
  const opts = signal === undefined ? {} : { signal };
  const inRepo = { ...opts, cwd: dir };
  if (ctx.reuse) {
    // A pooled tree: bring its objects up to date from the mirror (local, cheap), then move to rev;
    // checkout writes only the files that differ, and clean removes what the last user left.
    await runner.run(
      [
        'fetch',
        '--quiet',
        '--force',
        'origin',
        '+refs/heads/*:refs/remotes/origin/*',
        '+refs/tags/*:refs/tags/*',
      ],
      inRepo,
    );
    await runner.run(['checkout', '--quiet', '--force', '--detach', rev, '--'], inRepo);
    await runner.run(['clean', '-ffdxq'], inRepo);
  } else {
    await runner.run(localCloneArgs(ctx.mirrorDir, dir, ctx.branch), opts);
    await runner.run(checkoutArgs(rev), inRepo);
  }
  await runner.run(fetchNotesArgs(), inRepo);
  const unrevealedSecrets = ctx.gitSecret
    ? (await revealGitSecrets(runner, dir, { logger: log, ...opts })).refused
    : [];
  const revision = (await runner.run(['rev-parse', 'HEAD'], inRepo)).trim();
  let cleaned = false;

  return {
    dir,
    revision,
    unrevealedSecrets,
    manifestDirs: () => ctx.paths.map((p) => (p === '.' ? dir : join(dir, p))),

    async commitAndPush(c) {
      if (ctx.readonly) throw new ReadOnlyError();
      const run = (args: readonly string[]): Promise<string> =>
        runner.run(args, c.signal === undefined ? { cwd: dir } : { cwd: dir, signal: c.signal });
      await run(['add', '--all', '--', ...(ctx.manifestGeneration ? ['.'] : ctx.paths)]);
      const staged = (await run(['diff', '--cached', '--name-only'])).trim();
      if (staged === '') throw new NoChangesError();
      const message = withCiSkip(c.message, ctx);
      const messageFile = join(parentDir, 'commit-message');
      await writeFile(messageFile, message);
      await run(
        commitArgs({
          messageFile,
          ...(ctx.setAuthor && c.author !== undefined ? { author: c.author } : {}),
          ...(ctx.signingKey === undefined ? {} : { signingKey: ctx.signingKey }),
        }),
      );
      const sha = (await run(['rev-parse', 'HEAD'])).trim();
      if (c.note !== undefined) {
        const noteFile = join(parentDir, 'note.json');
        await writeFile(noteFile, notePayload(c.note));
        await run(notesAddArgs(ctx.notesRef, noteFile, sha));
      }
      const notesExist = (await run(resolveRefArgs(fullNotesRef(ctx.notesRef)))).trim() !== '';
      await runner.run(
        pushArgs({ url: ctx.url, branch: ctx.branch, ...(notesExist ? { notesRef: ctx.notesRef } : {}) }),
        {
          cwd: dir,
          url: ctx.url,
          branch: ctx.branch,
          ...(c.signal === undefined ? {} : { signal: c.signal }),
        },
      );
      log.info({ revision: sha, branch: ctx.branch }, 'pushed commit');
      if (ctx.afterPush) {
        await ctx.afterPush(c.signal).catch((err: unknown) => {
          log.warn({ err }, 'refresh after push failed');
        });
      }
      return { revision: sha, message };
    },

    async changedFiles(from, to, sig) {
      const out = await runner.run(
        changedFilesArgs(from, to, ctx.paths),
        sig === undefined ? { cwd: dir } : { cwd: dir, signal: sig },
      );
      return out.split('\n').filter((l) => l !== '');
    },

    async clean() {
      if (cleaned) return;
      cleaned = true;
      if (ctx.release && (await ctx.release(parentDir).catch(() => false))) return;
      await rm(parentDir, { recursive: true, force: true });
    },
  };
}
