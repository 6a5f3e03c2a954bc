import { ErrorKind, FluxError } from '@flux-ts/core';

/** Fields every git error carries besides the {@link FluxError} ones. */
export interface GitErrorDetails {
  /** The remote URL involved, already redacted; `undefined` for purely local commands. */
  url?: string;
  /** git's combined output, redacted. */
  output?: string;
  cause?: unknown;
}

/**
 * Base class of the errors the git adapter throws after classifying git's output. `url` and
 * `output` never hold credentials.
 */
export class GitError extends FluxError {
  /** The remote URL involved, redacted. */
  readonly url: string | undefined;
  /** git's combined output, redacted. */
  readonly output: string | undefined;

  constructor(message: string, code: string, kind: ErrorKind, help: string, details: GitErrorDetails = {}) {
    super(message, { code, kind, help, cause: details.cause });
    this.url = details.url;
    this.output = details.output;
  }
}

/** Thrown when the remote cannot be reached: unknown host, refused or dropped connection, no such repository. */
export class GitUnreachableError extends GitError {
  constructor(message: string, details: GitErrorDetails = {}) {
    super(
      message,
      'git.unreachable',
      ErrorKind.Server,
      'Check --git-url and that the git host is reachable from fluxd (DNS, firewall, proxy).',
      details,
    );
  }
}

/** Thrown when the remote refuses our credentials or the host key does not verify. */
export class GitAuthError extends GitError {
  constructor(message: string, details: GitErrorDetails = {}) {
    super(
      message,
      'git.auth',
      ErrorKind.User,
      'Register the deploy key (`fluxctl identity`) with write access on the repository, and check the ' +
        'host key in known_hosts; for https put valid credentials in the URL.',
      details,
    );
  }
}

/** Thrown when `--git-branch` does not exist in the remote. */
export class GitBranchMissingError extends GitError {
  /** The configured branch. */
  readonly branch: string;

  constructor(branch: string, details: GitErrorDetails = {}) {
    super(
      `configured branch '${branch}' does not exist`,
      'git.branch-missing',
      ErrorKind.User,
      'Create the branch in the repository or point --git-branch at an existing one.',
      details,
    );
    this.branch = branch;
  }
}

/**
 * Thrown when a push is rejected because the remote moved on (non-fast-forward): someone pushed
 * meanwhile. Refresh the mirror and re-plan on the new head.
 */
export class PushRejectedError extends GitError {
  constructor(message: string, details: GitErrorDetails = {}) {
    super(
      message,
      'git.push-rejected',
      ErrorKind.Server,
      'The branch moved while the change was prepared; refresh and apply the change again on the new head.',
      details,
    );
  }
}

/** Thrown when a git operation takes longer than `--git-timeout`. */
export class GitTimeoutError extends GitError {
  /** The limit that was exceeded, in milliseconds. */
  readonly timeoutMs: number;

  constructor(message: string, timeoutMs: number, details: GitErrorDetails = {}) {
    super(
      message,
      'git.timeout',
      ErrorKind.Server,
      'The git host did not answer in time; check connectivity or raise --git-timeout.',
      details,
    );
    this.timeoutMs = timeoutMs;
  }
}

/** Thrown when a git command fails for a reason the adapter does not recognise; `output` has the details. */
export class GitCommandError extends GitError {
  constructor(message: string, details: GitErrorDetails = {}) {
    super(message, 'git.command', ErrorKind.Server, 'See the git output in the error for details.', details);
  }
}

/** Thrown when a `--git-path` is absolute or leads outside the repository. */
export class InvalidGitPathError extends GitError {
  /** The offending path as given. */
  readonly path: string;

  constructor(path: string) {
    super(
      `git path "${path}" must be relative and stay inside the repository`,
      'git.invalid-path',
      ErrorKind.User,
      'Give --git-path as a path relative to the repository root, without a leading "/" or "..".',
    );
    this.path = path;
  }
}

/**
 * A file listed in git-secret's mapping was not revealed: writing it would leave the working clone
 * (a symbolic link, of the file or a directory above it, out of the repository).
 */
export class GitSecretPathError extends GitError {
  /** The file as the mapping lists it. */
  readonly path: string;

  constructor(path: string, reason: string) {
    super(
      `git-secret file "${path}" not revealed: ${reason}`,
      'git.secret-path',
      ErrorKind.User,
      'Keep git-secret files inside the repository: no symbolic link in their path may lead out of it ' +
        '(check .gitsecret/paths/mapping.cfg and the links committed in git).',
    );
    this.path = path;
  }
}

/** Thrown by `commitAndPush` when nothing under the git paths changed (Flux v1: "no changes made in repo"). */
export class NoChangesError extends GitError {
  constructor() {
    super(
      'no changes made in repo',
      'git.no-changes',
      ErrorKind.User,
      'Nothing to commit: the change is already in git.',
    );
  }
}

/** Thrown when a write is attempted although the repository is configured read-only (`--git-readonly`). */
export class ReadOnlyError extends GitError {
  constructor() {
    super(
      'cannot push: the git repository is read-only (--git-readonly)',
      'git.readonly',
      ErrorKind.User,
      'Run fluxd without --git-readonly to let it write to git.',
    );
  }
}

/** Thrown when the mirror is asked for data before it has cloned the repository. */
export class MirrorNotReadyError extends GitError {
  constructor(status: string, cause?: unknown) {
    super(
      `git repository not ready (status ${status})`,
      'git.not-ready',
      ErrorKind.Server,
      'Wait for fluxd to clone the repository; check the logs for the git error.',
      { cause },
    );
  }
}

/** Thrown when the sync tag or a commit fails GPG signature verification. */
export class SignatureVerificationError extends GitError {
  /** The tag or revision that failed. */
  readonly ref: string;

  constructor(message: string, ref: string, details: GitErrorDetails = {}) {
    super(
      message,
      'git.signature',
      ErrorKind.User,
      'Sign the commit or tag with a key imported via --git-gpg-key-import, or relax --git-verify-signatures-mode.',
      details,
    );
    this.ref = ref;
  }
}

/**
 * Thrown when a write job would commit on top of a HEAD that is beyond the last verified commit
 * (signature verification on). Message and help are Flux v1's, verbatim.
 */
export class UnsignedHeadError extends GitError {
  readonly head: string;
  readonly lastVerified: string;

  constructor(lastVerified: string, head: string) {
    super(
      'HEAD revision is unsigned',
      'git.head-unsigned',
      ErrorKind.User,
      `HEAD is not a verified commit.

The branch HEAD in the git repo is not verified, and fluxd is unable to
make a change on top of it. The last verified commit was

    ${lastVerified}

HEAD is 

    ${head}.
`,
    );
    this.head = head;
    this.lastVerified = lastVerified;
  }
}
