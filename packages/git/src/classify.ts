import {
  GitAuthError,
  GitBranchMissingError,
  GitCommandError,
  type GitError,
  GitTimeoutError,
  GitUnreachableError,
  PushRejectedError,
} from './errors.ts';
import { redactText, redactUrl } from './redact.ts';

/** What the adapter knows about a failed git invocation. */
export interface FailedGitCommand {
  /** The git arguments (the first is the subcommand). */
  args: readonly string[];
  /** git's stderr (or combined output). May contain credentials; it is redacted here. */
  output: string;
  /** The remote URL involved, if any (redacted here). */
  url?: string;
  /** The branch involved, for "missing branch" errors. */
  branch?: string;
  /** Set when the operation was killed by `--git-timeout`. */
  timedOutAfterMs?: number;
  cause?: unknown;
}

const UNREACHABLE: readonly RegExp[] = [
  /could not resolve host/i,
  /connection refused/i,
  /connection timed out/i,
  /operation timed out/i,
  /network is unreachable/i,
  /no route to host/i,
  /connection reset/i,
  /connection closed by/i,
  /does not appear to be a git repository/i,
  /repository not found/i,
  /no such repository/i,
  /unable to access/i,
];

const AUTH: readonly RegExp[] = [
  /permission denied/i,
  /host key verification failed/i,
  /authentication failed/i,
  /could not read (username|password)/i,
  /terminal prompts disabled/i,
  /access denied/i,
  /the requested url returned error: 40[13]/i,
];

const PUSH_REJECTED: readonly RegExp[] = [
  /\(non-fast-forward\)/i,
  /\(fetch first\)/i,
  /updates were rejected because/i,
  /\[rejected\]/i,
  /atomic push failed/i,
  /\(stale info\)/i,
];

const MISSING_BRANCH: readonly RegExp[] = [
  /remote branch \S+ not found/i,
  /couldn't find remote ref refs\/heads\//i,
];

/** The first `fatal: …` / `error: …` line of git's output (Flux v1's error text), else the first non-empty line. */
export function firstErrorLine(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return lines.find((l) => /^(fatal|error):/.test(l)) ?? lines[0] ?? '';
}

/**
 * Turns a failed git command into a typed error, once, at the adapter boundary. Order matters:
 * timeout, then push rejection, missing branch, auth, unreachable; anything else is a
 * {@link GitCommandError}. Messages name the redacted URL and never contain credentials.
 */
export function classifyGitError(failed: FailedGitCommand): GitError {
  const output = redactText(failed.output);
  const url = failed.url === undefined ? undefined : redactUrl(failed.url);
  const sub = failed.args[0] ?? 'git';
  const where = url === undefined ? '' : ` ${url}`;
  const line = firstErrorLine(output);
  const details = { url, output, cause: failed.cause };
  if (failed.timedOutAfterMs !== undefined) {
    return new GitTimeoutError(
      `git ${sub}${where}: timed out after ${failed.timedOutAfterMs}ms`,
      failed.timedOutAfterMs,
      details,
    );
  }
  const message = `git ${sub}${where}: ${line || 'failed'}`;
  if (PUSH_REJECTED.some((re) => re.test(output))) return new PushRejectedError(message, details);
  if (MISSING_BRANCH.some((re) => re.test(output))) {
    const branch = failed.branch ?? /remote branch (\S+) not found/i.exec(output)?.[1] ?? 'unknown';
    return new GitBranchMissingError(branch, details);
  }
  if (AUTH.some((re) => re.test(output))) return new GitAuthError(message, details);
  if (UNREACHABLE.some((re) => re.test(output))) return new GitUnreachableError(message, details);
  return new GitCommandError(message, details);
}
