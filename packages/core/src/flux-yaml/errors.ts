import { ErrorKind, FluxError } from '../errors.ts';

/** Where in a file something was found. Lines and columns are 1-based. */
export interface FilePosition {
  file: string;
  line: number;
  column: number;
}

const FLUX_YAML_HELP =
  'A .flux.yaml needs `version: 1` and exactly one of `commandUpdated: {generators: [...], updaters: [...]}`, ' +
  '`patchUpdated: {generators: [...], patchFile: <path>}` or `scanForFiles: {}`; each command is ' +
  '`{command: <shell command>, timeout: <Go duration, e.g. 90s>}`. Fix the file and push again.';

/**
 * Thrown when a `.flux.yaml` cannot be read, is not YAML, or does not follow the schema. The message
 * names the file (with line and column when known) and every problem found.
 */
export class FluxYamlError extends FluxError {
  /** The config file, relative to the repository root when known. */
  readonly file: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  /** Each problem, without the file prefix. */
  readonly problems: readonly string[];

  constructor(
    file: string,
    problems: readonly string[],
    options: { line?: number; column?: number; cause?: unknown; help?: string } = {},
  ) {
    const where = options.line === undefined ? file : `${file}:${options.line}:${options.column ?? 1}`;
    super(`${where}: invalid .flux.yaml: ${problems.join('; ')}`, {
      code: 'flux-yaml.invalid',
      kind: ErrorKind.User,
      help: options.help ?? FLUX_YAML_HELP,
      cause: options.cause,
    });
    this.file = file;
    this.line = options.line;
    this.column = options.column;
    this.problems = problems;
  }
}

/** Thrown when a git path is missing or leads outside the repository checkout. */
export class GitPathError extends FluxError {
  readonly path: string;

  constructor(path: string, reason: 'not-found' | 'outside-repo', cause?: unknown) {
    super(
      reason === 'not-found'
        ? `git path "${path}" not found`
        : `git path "${path}" is outside the repository`,
      {
        code: reason === 'not-found' ? 'flux-yaml.git-path-not-found' : 'flux-yaml.git-path-outside',
        kind: ErrorKind.User,
        help:
          reason === 'not-found'
            ? 'Check --git-path: each path must exist in the repository at the synced revision.'
            : 'Use --git-path values (and patchFile paths) that stay inside the repository, e.g. clusters/staging.',
        cause,
      },
    );
    this.path = path;
  }
}

/** Why a command did not produce a result. */
export const CommandFailure = {
  /** It ran and exited with a non-zero code. */
  Exit: 'exit',
  /** It ran longer than its timeout and was killed. */
  Timeout: 'timeout',
  /** The caller's signal aborted it. */
  Aborted: 'aborted',
  /** The shell could not be started. */
  Spawn: 'spawn',
  /** It wrote more output than allowed and was killed. */
  OutputLimit: 'output-limit',
} as const;
export type CommandFailure = (typeof CommandFailure)[keyof typeof CommandFailure];

const MAX_STDERR_IN_MESSAGE = 4000;

/** The last part of a command's stderr, trimmed, short enough for an error message. */
export function stderrExcerpt(stderr: string): string {
  const trimmed = stderr.trim();
  return trimmed.length <= MAX_STDERR_IN_MESSAGE ? trimmed : `…${trimmed.slice(-MAX_STDERR_IN_MESSAGE)}`;
}

function describeFailure(
  failure: CommandFailure,
  exitCode: number | undefined,
  timeoutMs: number | undefined,
): string {
  switch (failure) {
    case CommandFailure.Exit:
      return `exited with code ${exitCode ?? 'unknown'}`;
    case CommandFailure.Timeout:
      return `timed out after ${formatMs(timeoutMs ?? 0)} and was killed`;
    case CommandFailure.Aborted:
      return 'was aborted';
    case CommandFailure.Spawn:
      return 'could not be started';
    case CommandFailure.OutputLimit:
      return 'wrote too much output and was killed';
  }
}

/** Formats milliseconds the way Go prints a duration (`1m30s`, `500ms`). */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`;
}

/**
 * Thrown when a shell command (a generator or an updater) fails: non-zero exit, timeout, abort,
 * or the shell cannot start. The message names the command, how it failed, and its stderr
 * (trimmed); it never contains the command's environment.
 */
export class CommandError extends FluxError {
  readonly command: string;
  readonly failure: CommandFailure;
  /** Exit code, when the command exited. */
  readonly exitCode: number | undefined;
  readonly stderr: string;
  readonly stdout: string;
  /** The timeout it had, when it timed out. */
  readonly timeoutMs: number | undefined;

  constructor(
    command: string,
    failure: CommandFailure,
    details: {
      exitCode?: number;
      stderr?: string;
      stdout?: string;
      timeoutMs?: number;
      /** What the command was, e.g. `generator command` (default `command`). */
      role?: string;
      /** Where the command comes from, e.g. `staging/../.flux.yaml`. */
      source?: string;
      cause?: unknown;
    } = {},
  ) {
    const stderr = details.stderr ?? '';
    const excerpt = stderrExcerpt(stderr) || stderrExcerpt(details.stdout ?? '');
    const from = details.source ? ` from ${details.source}` : '';
    super(
      `${details.role ?? 'command'} "${command}"${from} ${describeFailure(failure, details.exitCode, details.timeoutMs)}${excerpt ? `: ${excerpt}` : ''}`,
      {
        code: `command.${failure}`,
        kind:
          failure === CommandFailure.Exit || failure === CommandFailure.OutputLimit
            ? ErrorKind.User
            : ErrorKind.Server,
        help:
          failure === CommandFailure.Timeout
            ? 'Make the command faster, or raise its `timeout` in .flux.yaml (the default is --sync-timeout).'
            : failure === CommandFailure.Spawn
              ? 'fluxd runs commands with /bin/sh -c; check that the shell exists in the image.'
              : 'Run the command yourself in the git path of the repository to see why it fails, and fix it or the files it reads.',
        cause: details.cause,
      },
    );
    this.command = command;
    this.failure = failure;
    this.exitCode = details.exitCode;
    this.stderr = stderr;
    this.stdout = details.stdout ?? '';
    this.timeoutMs = details.timeoutMs;
  }

  /** The same failure, described as a `role` command from `source` (e.g. a generator of a .flux.yaml). */
  withContext(role: string, source: string): CommandError {
    return new CommandError(this.command, this.failure, {
      exitCode: this.exitCode,
      stderr: this.stderr,
      stdout: this.stdout,
      timeoutMs: this.timeoutMs,
      role,
      source,
      cause: this.cause,
    });
  }
}

/** Thrown when an update needs updater commands the `.flux.yaml` does not configure. */
export class NoUpdaterCommandsError extends FluxError {
  constructor(field: 'update.containerImage' | 'updaters.policy', config: string, target: string) {
    super(`no ${field} commands to run in ${config} (from path ${target})`, {
      code: 'flux-yaml.no-updaters',
      kind: ErrorKind.User,
      help:
        field === 'update.containerImage'
          ? 'Add `updaters: [{containerImage: {command: ...}}]` under commandUpdated in the .flux.yaml, or use patchUpdated.'
          : 'Add `updaters: [{policy: {command: ...}}]` under commandUpdated in the .flux.yaml, or use patchUpdated.',
    });
  }
}

/**
 * Thrown when a patch file (patchUpdated) cannot be read or applied: it is not YAML, a document is
 * not a patch of a resource, two patches name the same resource, or a directive is malformed.
 */
export class PatchError extends FluxError {
  readonly file: string;

  constructor(
    file: string,
    message: string,
    options: { position?: FilePosition; help?: string; cause?: unknown } = {},
  ) {
    const where = options.position ? `${file}:${options.position.line}:${options.position.column}` : file;
    super(`${where}: ${message}`, {
      code: 'flux-yaml.patch',
      kind: ErrorKind.User,
      help:
        options.help ??
        'Each document of a patch file is a patch of one generated resource, naming it by apiVersion, kind, metadata.name and (for namespaced resources outside the default namespace) metadata.namespace.',
      cause: options.cause,
    });
    this.file = file;
  }
}

/** Thrown when a patch file has a patch for a resource the generators do not produce. */
export class PatchMissingResourceError extends FluxError {
  readonly id: string;
  readonly file: string;

  constructor(file: string, id: string, position?: FilePosition) {
    const where = position ? `${file}:${position.line}:${position.column}` : file;
    super(`${where}: patch refers to missing resource (${id})`, {
      code: 'flux-yaml.patch-missing-resource',
      kind: ErrorKind.User,
      help: 'Remove the patch from the patch file, or make the generators produce the resource again (check its kind, name and namespace).',
    });
    this.id = id;
    this.file = file;
  }
}

/** Thrown when an update names a resource that no `.flux.yaml` target generates. */
export class GeneratedResourceNotFoundError extends FluxError {
  readonly id: string;

  constructor(id: string) {
    super(`resource ${id} not found in generated manifests`, {
      code: 'flux-yaml.resource-not-found',
      kind: ErrorKind.Missing,
      help: 'Check the resource ID (<namespace>:<kind>/<name>) against the output of the .flux.yaml generators.',
    });
    this.id = id;
  }
}
