import { posix } from 'node:path';
import { InvalidGitPathError } from './errors.ts';

/**
 * Pure builders of git argument vectors and payloads. Executors in this package run exactly these,
 * so unit tests can assert every command without a process.
 */

/** `git clone --mirror <url> <dir>`: the daemon's local mirror. */
export function cloneMirrorArgs(url: string, dir: string): string[] {
  return ['clone', '--mirror', '--', url, dir];
}

/** Fetches every ref of the mirror (branches, tags, notes), pruning deleted ones. */
export function fetchMirrorArgs(): string[] {
  return ['fetch', '--prune', '--tags', 'origin'];
}

/** `git for-each-ref` printing `<object> <peeled object>` for one fully-qualified ref (empty when absent). */
export function resolveRefArgs(ref: string): string[] {
  return ['for-each-ref', '--format=%(objectname) %(*objectname)', ref];
}

/** Flux v1's write-access probe: create, push and delete a throwaway tag. */
export function writeCheckArgs(
  url: string,
  tag: string,
  branch: string,
): { tag: string[]; push: string[]; delete: string[] } {
  return {
    tag: ['tag', tag, `refs/heads/${branch}`],
    push: ['push', url, `refs/tags/${tag}:refs/tags/${tag}`],
    delete: ['push', '--delete', url, `refs/tags/${tag}`],
  };
}

/** A cheap working clone of the local mirror (objects hard-linked), without checking out. */
export function localCloneArgs(mirrorDir: string, dir: string, branch: string): string[] {
  return ['clone', '--local', '--no-checkout', '--branch', branch, '--', mirrorDir, dir];
}

/** Fetches the notes from the mirror into a working clone. */
export function fetchNotesArgs(): string[] {
  return ['fetch', '--quiet', 'origin', '+refs/notes/*:refs/notes/*'];
}

/** Checks out `rev` (detached) in a working clone. */
export function checkoutArgs(rev: string): string[] {
  return ['checkout', '--quiet', '--detach', rev, '--'];
}

/** Options for {@link commitArgs}. */
export interface CommitArgsOptions {
  /** File holding the full commit message. */
  messageFile: string;
  /** `Name <email>`; only when `--git-set-author` and the cause has a user. */
  author?: string;
  /** `--git-signing-key`. */
  signingKey?: string;
}

/** `git commit --no-verify --file <f> [--author a] [--gpg-sign=k] --` (Flux v1's commit). */
export function commitArgs(opts: CommitArgsOptions): string[] {
  const args = ['commit', '--no-verify', '--file', opts.messageFile];
  if (opts.author !== undefined && opts.author !== '') args.push('--author', opts.author);
  if (opts.signingKey !== undefined && opts.signingKey !== '') args.push(`--gpg-sign=${opts.signingKey}`);
  args.push('--');
  return args;
}

/** The fully-qualified notes ref for `--git-notes-ref` (`flux` → `refs/notes/flux`). */
export function fullNotesRef(ref: string): string {
  return ref.startsWith('refs/') ? ref : `refs/notes/${ref}`;
}

/** `git notes --ref <ref> add --file <f> <sha>`. */
export function notesAddArgs(notesRef: string, file: string, rev: string): string[] {
  return ['notes', '--ref', fullNotesRef(notesRef), 'add', '--file', file, rev];
}

/** Options for {@link pushArgs}. */
export interface PushArgsOptions {
  url: string;
  branch: string;
  /** Also push this notes ref (fully qualified or short). */
  notesRef?: string;
}

/** Pushes HEAD to the branch, and the notes with it, atomically: either both land or neither. */
export function pushArgs(opts: PushArgsOptions): string[] {
  const args = ['push', '--atomic', opts.url, `HEAD:refs/heads/${opts.branch}`];
  if (opts.notesRef !== undefined) {
    const ref = fullNotesRef(opts.notesRef);
    args.push(`${ref}:${ref}`);
  }
  return args;
}

/** `git tag --force -a -m "Sync pointer" [--local-user=k] <tag> <rev>` (Flux v1's sync marker). */
export function syncTagArgs(tag: string, rev: string, signingKey?: string): string[] {
  const args = ['tag', '--force', '-a', '-m', 'Sync pointer'];
  if (signingKey !== undefined && signingKey !== '') args.push(`--local-user=${signingKey}`);
  args.push(tag, rev);
  return args;
}

/**
 * `git push --force <url> <source>:refs/tags/<tag>`; `source` defaults to the local tag. Pushing the
 * tag object's id instead keeps the push independent of the local ref, which a concurrent
 * `fetch --prune --tags` may remove before the push runs.
 */
export function pushTagArgs(url: string, tag: string, source = `refs/tags/${tag}`): string[] {
  return ['push', '--force', url, `${source}:refs/tags/${tag}`];
}

/** Flux v1's log format: `signing key|signature status|sha|subject`. */
export const LOG_FORMAT = '%GK|%G?|%H|%s';

/** Options for {@link logArgs}. */
export interface LogArgsOptions {
  /** `from..to`, or just `to`. */
  from?: string;
  to: string;
  firstParent?: boolean;
  /** Oldest first. */
  reverse?: boolean;
  paths?: readonly string[];
}

/** `git log --pretty=format:%GK|%G?|%H|%s [--first-parent] <range> -- <paths>`. */
export function logArgs(opts: LogArgsOptions): string[] {
  const args = ['log', `--pretty=format:${LOG_FORMAT}`];
  if (opts.firstParent) args.push('--first-parent');
  if (opts.reverse) args.push('--reverse');
  args.push(opts.from === undefined ? opts.to : `${opts.from}..${opts.to}`, '--', ...(opts.paths ?? []));
  return args;
}

/** One line of {@link LOG_FORMAT} output. */
export interface LogEntry {
  signingKey: string;
  /** `%G?`: `G` good, `U` good but untrusted, `N` none, `B`/`E`/… bad or unknown. */
  signature: string;
  revision: string;
  subject: string;
}

/** Parses {@link logArgs} output. */
export function parseLog(output: string): LogEntry[] {
  return output
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => {
      const [signingKey = '', signature = '', revision = '', ...rest] = line.split('|');
      return { signingKey, signature, revision, subject: rest.join('|') };
    });
}

/** `git diff --name-only <from> <to> -- <paths>`. */
export function changedFilesArgs(from: string, to: string, paths: readonly string[]): string[] {
  return ['diff', '--name-only', '--no-renames', from, to, '--', ...paths];
}

/**
 * Validates and normalises `--git-path` values: relative, inside the repository, `.` for the root.
 * An empty list means the whole repository.
 * @throws InvalidGitPathError for an absolute or escaping path.
 */
export function normalizeGitPaths(paths: readonly string[]): string[] {
  return paths.map((p) => {
    if (p.startsWith('/') || /^[a-z]:[\\/]/i.test(p)) throw new InvalidGitPathError(p);
    const n = posix.normalize(p.replace(/\\/g, '/'));
    if (n === '..' || n.startsWith('../')) throw new InvalidGitPathError(p);
    return n.replace(/\/+$/, '') || '.';
  });
}

/** `--git-ci-skip` / `--git-ci-skip-message` options. */
export interface CiSkipOptions {
  ciSkip?: boolean;
  ciSkipMessage?: string;
}

/** Appends Flux v1's ci-skip suffix: the custom message verbatim wins over `\n\n[ci skip]`. */
export function withCiSkip(message: string, opts: CiSkipOptions): string {
  if (opts.ciSkipMessage !== undefined && opts.ciSkipMessage !== '') return `${message}${opts.ciSkipMessage}`;
  if (opts.ciSkip) return `${message}\n\n[ci skip]`;
  return message;
}

/** What Flux v1 stores in a git note on each commit it makes. */
export interface CommitNote {
  jobID: string;
  spec: unknown;
  /** `null` for policy jobs. */
  result: unknown;
}

/** The note's JSON, fields in Flux v1's order: `{"jobID","spec","result"}`. */
export function notePayload(note: CommitNote): string {
  return JSON.stringify({ jobID: note.jobID, spec: note.spec, result: note.result ?? null });
}
