import type { SyncStateStore } from '@flux-ts/core';
import { ErrorKind } from '@flux-ts/core';
import { logArgs, parseLog, pushTagArgs, resolveRefArgs, syncTagArgs } from './argv.ts';
import {
  GitCommandError,
  GitError,
  MirrorNotReadyError,
  ReadOnlyError,
  SignatureVerificationError,
} from './errors.ts';
import type { Mirror } from './mirror.ts';

/** `--git-verify-signatures-mode`. */
export const VerifySignaturesMode = {
  None: 'none',
  All: 'all',
  FirstParent: 'first-parent',
} as const;
export type VerifySignaturesMode = (typeof VerifySignaturesMode)[keyof typeof VerifySignaturesMode];

/** Options for {@link createGitSyncState}. */
export interface GitSyncStateOptions {
  /** `--git-sync-tag` (or `--git-label`); default `flux-sync`. */
  tag?: string;
  /** `--git-signing-key`: the tag is signed with `--local-user=<key>`. */
  signingKey?: string;
  /** Default `none`. */
  verifyMode?: VerifySignaturesMode;
}

/** The outcome of {@link GitSyncState.verify}. */
export interface VerifiedHead {
  /** The branch head that was examined. */
  head: string;
  /** The newest revision sync may go to: `head` when everything verifies, else the last good commit (or the marker). */
  verified: string | undefined;
  /** The first commit whose signature is not good (`%G?` ≠ `G`), if any. */
  invalid?: { revision: string; signingKey: string; signature: string };
}

/**
 * The sync marker kept as an annotated tag in the upstream repository (Flux v1's `--sync-state=git`).
 * Structurally a `SyncStateStore` from `@flux-ts/core`.
 */
export interface GitSyncState extends SyncStateStore {
  /**
   * The commit the tag points at, read from the mirror; `undefined` when the tag does not exist.
   * @throws SignatureVerificationError when verification is on and the tag or its commit does not verify.
   */
  get(signal?: AbortSignal): Promise<string | undefined>;
  /** Moves the tag to `revision` (signed when a key is set) and force-pushes it. @throws ReadOnlyError when read-only. */
  update(revision: string, signal?: AbortSignal): Promise<void>;
  /** Deletes the tag upstream and in the mirror. */
  delete(signal?: AbortSignal): Promise<void>;
  /**
   * Walks the commits from the marker to `head` (default: the branch head), oldest first, along
   * the first-parent line in `first-parent` mode, and stops before the first one not signed by a
   * trusted key. With mode `none` every head is verified.
   */
  verify(head?: string, signal?: AbortSignal): Promise<VerifiedHead>;
}

/** Thrown by a sync when the branch head is beyond the last verified commit (Flux v1's exact text). */
export class UnverifiedHeadError extends GitError {
  readonly head: string;
  readonly lastVerified: string | undefined;

  constructor(head: string, lastVerified: string | undefined) {
    super(
      `The branch HEAD in the git repo is not verified, and fluxd is unable to sync to it. The last verified commit was ${(lastVerified ?? '').slice(0, 8)}. HEAD is ${head.slice(0, 8)}.`,
      'git.head-unverified',
      ErrorKind.User,
      'Sign the commits on the branch with a key fluxd trusts (--git-gpg-key-import).',
    );
    this.head = head;
    this.lastVerified = lastVerified;
  }
}

/** Creates the git-tag sync state store on top of a ready mirror. */
export function createGitSyncState(mirror: Mirror, opts: GitSyncStateOptions = {}): GitSyncState {
  const tag = opts.tag ?? 'flux-sync';
  const mode = opts.verifyMode ?? VerifySignaturesMode.None;
  const { runner } = mirror;
  const local = (signal?: AbortSignal) => {
    const cwd = mirror.dir();
    if (cwd === undefined) throw new MirrorNotReadyError(mirror.status().status);
    return signal === undefined ? { cwd } : { cwd, signal };
  };
  const remote = (signal?: AbortSignal) => ({ ...local(signal), url: mirror.remoteUrl() });

  async function commitSignature(rev: string, signal?: AbortSignal): Promise<string> {
    return (await runner.run(['log', '-1', '--format=%G?', rev, '--'], local(signal))).trim();
  }

  const store: GitSyncState = {
    async get(signal) {
      const out = (await runner.run(resolveRefArgs(`refs/tags/${tag}`), local(signal))).trim();
      if (out === '') return undefined;
      const [object = '', peeled = ''] = out.split(' ');
      const rev = peeled === '' ? object : peeled;
      if (mode !== VerifySignaturesMode.None) {
        try {
          await runner.run(['verify-tag', tag], local(signal));
        } catch (err) {
          throw new SignatureVerificationError(`sync tag ${tag} does not have a valid signature`, tag, {
            ...(err instanceof GitError && err.output !== undefined ? { output: err.output } : {}),
          });
        }
        if ((await commitSignature(rev, signal)) !== 'G') {
          throw new SignatureVerificationError(
            `commit ${rev} pointed at by ${tag} does not have a valid signature`,
            rev,
          );
        }
      }
      return rev;
    },

    async update(revision, signal) {
      if (mirror.readonly) throw new ReadOnlyError();
      // The mirror's poll (`fetch --prune --tags`) may prune the new local tag, which the remote does
      // not have yet, at any moment: push the tag object by id, and make it again if it went before
      // its id was read.
      for (let attempt = 1; ; attempt++) {
        await runner.run(syncTagArgs(tag, revision, opts.signingKey), local(signal));
        const object = (await runner.run(resolveRefArgs(`refs/tags/${tag}`), local(signal)))
          .trim()
          .split(' ')[0];
        if (object) {
          await runner.run(pushTagArgs(mirror.remoteUrl(), tag, object), remote(signal));
          return;
        }
        if (attempt === 3)
          throw new GitCommandError(`the local sync tag ${tag} kept disappearing before it could be pushed`);
      }
    },

    async delete(signal) {
      if (mirror.readonly) throw new ReadOnlyError();
      await runner.run(['push', '--delete', mirror.remoteUrl(), `refs/tags/${tag}`], remote(signal));
      await runner.run(['tag', '--delete', tag], local(signal)).catch(() => undefined);
    },

    async verify(head, signal) {
      const target = head ?? (await mirror.head(signal));
      if (mode === VerifySignaturesMode.None) return { head: target, verified: target };
      const marker = await store.get(signal);
      const entries = parseLog(
        await runner.run(
          logArgs({
            ...(marker === undefined ? {} : { from: marker }),
            to: target,
            reverse: true,
            firstParent: mode === VerifySignaturesMode.FirstParent,
          }),
          local(signal),
        ),
      );
      let verified = marker;
      for (const e of entries) {
        if (e.signature !== 'G') {
          return {
            head: target,
            verified,
            invalid: { revision: e.revision, signingKey: e.signingKey, signature: e.signature },
          };
        }
        verified = e.revision;
      }
      return { head: target, verified };
    },
  };
  return store;
}
