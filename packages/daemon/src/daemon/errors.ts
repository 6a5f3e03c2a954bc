import { ErrorKind, FluxError } from '@flux-ts/core';

/** `GET /v6/jobs` for an ID neither in the status cache nor in any git note. */
export class UnknownJobError extends FluxError {
  constructor(id: string) {
    super(`unknown job "${id}"`, {
      code: 'job.unknown',
      kind: ErrorKind.Missing,
      help: `Job not found

This is often because the job did not result in committing changes,
and therefore had no lasting effect. A release dry-run is an example
of a job that does not result in a commit.

If you were expecting changes to be committed, this may mean that the
job failed, but its status was lost.

In both of the above cases it is OK to retry the operation that
resulted in this error.

If you get this error repeatedly, it's probably a bug. Please log an
issue describing what you were attempting, and posting logs from the
daemon if possible:

    https://github.com/fluxcd/flux/issues
`,
    });
  }
}

/** A write was asked of a daemon running with `--git-readonly`. */
export class ReadOnlyRepoError extends FluxError {
  constructor() {
    super('cannot make a working clone of a read-only git repo', {
      code: 'git.readonly-clone',
      kind: ErrorKind.User,
      help: 'fluxd runs with --git-readonly: it syncs from git but never writes to it. Change the manifests in git yourself, or run fluxd without --git-readonly.',
    });
  }
}

/** A git operation was asked of a daemon without `--git-url`. */
export class NoRepoError extends FluxError {
  constructor() {
    super('no git repository is configured', {
      code: 'git.no-repo',
      kind: ErrorKind.User,
      help: 'Start fluxd with --git-url (and --git-branch, --git-path) to sync from and write to a git repository.',
    });
  }
}

/** The git mirror is not ready (still cloning, or the remote is unreachable). */
export class RepoNotReadyError extends FluxError {
  constructor(detail: string) {
    super(`git repository is not ready: ${detail}`, {
      code: 'git.not-ready',
      kind: ErrorKind.Server,
      help: 'fluxd has not cloned the git repository yet. Check `fluxctl identity` (is the deploy key registered?) and the logs of fluxd, then retry.',
    });
  }
}

/** An update spec fluxd does not know. */
export class UnknownUpdateTypeError extends FluxError {
  constructor(type: string) {
    super(`unknown update type "${type}"`, {
      code: 'api.update-type',
      kind: ErrorKind.User,
      help: 'The update spec `type` must be one of image, containers, policy, sync or auto.',
    });
  }
}

/** A revision `GET /v6/sync` cannot resolve. */
export class UnknownRevisionError extends FluxError {
  constructor(ref: string) {
    super(`unknown revision "${ref}"`, {
      code: 'git.unknown-revision',
      kind: ErrorKind.User,
      help: 'Give a commit of the branch fluxd syncs (a full or abbreviated SHA, or HEAD); fetch again if it was pushed just now.',
    });
  }
}

/** `fluxctl why` for a workload (or container) the repository does not define. */
export class WorkloadNotInRepoError extends FluxError {
  constructor(what: string) {
    super(`${what} is not defined in the git repository`, {
      code: 'api.workload-not-in-repo',
      kind: ErrorKind.Missing,
      help: 'Name a workload (namespace:kind/name) and container that the repository defines; `fluxctl list-workloads` lists them.',
    });
  }
}
