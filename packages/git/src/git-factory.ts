import { type SimpleGit, simpleGit } from 'simple-git';
import { classifyGitError } from './classify.ts';

/** `StrictHostKeyChecking` values the daemon supports. */
export type HostKeyChecking = 'accept-new' | 'yes' | 'no';

/** How git reaches the remote and who it commits as. Every field is optional. */
export interface GitClientOptions {
  /** Private key for ssh (the deploy key). */
  sshKeyFile?: string;
  /** known_hosts file; when unset ssh's default is used. */
  knownHostsFile?: string;
  /** Default `accept-new`. */
  strictHostKeyChecking?: HostKeyChecking;
  /** A complete `GIT_SSH_COMMAND`, overriding the three options above. */
  sshCommand?: string;
  /** GNUPGHOME for signing and verification. */
  gnupgHome?: string;
  /** Committer (and default author) name, `--git-user`. Default `Weave Flux`. */
  user?: string;
  /** Committer (and default author) email, `--git-email`. Default `support@weave.works`. */
  email?: string;
  /** Per-operation limit, `--git-timeout`. Default 20 000 ms. */
  timeoutMs?: number;
  /** Ambient environment to copy the allowed variables from. Default `process.env`. */
  ambientEnv?: Record<string, string | undefined>;
}

/** Flux v1's defaults for the git client options. */
export function defaultGitClientOptions(): Required<
  Pick<GitClientOptions, 'strictHostKeyChecking' | 'user' | 'email' | 'timeoutMs'>
> {
  return {
    strictHostKeyChecking: 'accept-new',
    user: 'Weave Flux',
    email: 'support@weave.works',
    timeoutMs: 20_000,
  };
}

/** Ambient variables passed through to git when set (Flux v1's list). */
export const PASSTHROUGH_ENV: readonly string[] = [
  'PATH',
  'HOME',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'HTTPS_PROXY',
  'NO_PROXY',
  'GIT_PROXY_COMMAND',
  'GNUPGHOME',
  'SECRETS_DIR',
  'SECRETS_EXTENSION',
  'CLOUDSDK_CONFIG',
  'CLOUDSDK_PYTHON',
  'NSS_WRAPPER_PASSWD',
  'NSS_WRAPPER_GROUP',
  'LD_PRELOAD',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
];

/** `GIT_*` variables the factory sets itself and so allows through simple-git's environment guard. */
export const ALLOWED_GIT_ENV: readonly string[] = [
  'GIT_SSH_COMMAND',
  'GIT_TERMINAL_PROMPT',
  'GIT_PROXY_COMMAND',
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_COMMITTER_NAME',
  'GIT_COMMITTER_EMAIL',
];

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The `GIT_SSH_COMMAND` for the options: batch mode, the deploy key only, and host key checking
 * (`accept-new` by default; a known_hosts file when given). `undefined` when nothing ssh-specific is
 * configured and ssh's own config should apply.
 */
export function buildSshCommand(opts: GitClientOptions): string | undefined {
  if (opts.sshCommand !== undefined) return opts.sshCommand;
  if (
    opts.sshKeyFile === undefined &&
    opts.knownHostsFile === undefined &&
    opts.strictHostKeyChecking === undefined
  ) {
    return undefined;
  }
  const parts = ['ssh'];
  if (opts.sshKeyFile !== undefined)
    parts.push('-i', shellQuote(opts.sshKeyFile), '-o', 'IdentitiesOnly=yes');
  parts.push('-o', `StrictHostKeyChecking=${opts.strictHostKeyChecking ?? 'accept-new'}`);
  if (opts.knownHostsFile !== undefined)
    parts.push('-o', `UserKnownHostsFile=${shellQuote(opts.knownHostsFile)}`);
  if (opts.timeoutMs !== undefined)
    parts.push('-o', `ConnectTimeout=${Math.max(1, Math.ceil(opts.timeoutMs / 1000))}`);
  parts.push('-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR');
  return parts.join(' ');
}

/**
 * The complete, explicit environment for a git child process: the allowed ambient variables,
 * `GIT_TERMINAL_PROMPT=0`, committer identity, GNUPGHOME and `GIT_SSH_COMMAND`. Nothing else leaks in.
 */
export function buildGitEnv(opts: GitClientOptions): Record<string, string> {
  const ambient = opts.ambientEnv ?? process.env;
  const d = defaultGitClientOptions();
  const env: Record<string, string> = {};
  for (const key of PASSTHROUGH_ENV) {
    const v = ambient[key];
    if (v !== undefined) env[key] = v;
  }
  env.GIT_TERMINAL_PROMPT = '0';
  const user = opts.user ?? d.user;
  const email = opts.email ?? d.email;
  env.GIT_AUTHOR_NAME = user;
  env.GIT_AUTHOR_EMAIL = email;
  env.GIT_COMMITTER_NAME = user;
  env.GIT_COMMITTER_EMAIL = email;
  if (opts.gnupgHome !== undefined) env.GNUPGHOME = opts.gnupgHome;
  const ssh = buildSshCommand(opts);
  if (ssh !== undefined) env.GIT_SSH_COMMAND = ssh;
  return env;
}

/** Per-call context for {@link GitRunner.run}. */
export interface GitRunOptions {
  /** Working directory (a repository). Default: the process's cwd. */
  cwd?: string;
  /** The remote URL involved, so errors can name it (redacted). */
  url?: string;
  /** The branch involved, for "missing branch" classification. */
  branch?: string;
  /** Cancels the command. */
  signal?: AbortSignal;
}

/**
 * Runs git. The only way this package executes git: every command gets the explicit environment,
 * `--git-timeout`, cancellation, and errors classified into typed {@link GitError}s.
 */
export interface GitRunner {
  /** The environment git runs with (no secrets besides what the options put there). */
  readonly env: Readonly<Record<string, string>>;
  /** The per-operation limit in milliseconds. */
  readonly timeoutMs: number;
  /** Runs `git <args>` and returns stdout; throws a classified {@link GitError} on failure. */
  run(args: readonly string[], options?: GitRunOptions): Promise<string>;
}

function makeSimpleGit(cwd: string | undefined, env: Record<string, string>, signal: AbortSignal): SimpleGit {
  const git = simpleGit({
    ...(cwd === undefined ? {} : { baseDir: cwd }),
    abort: signal,
    config: ['core.quotePath=false'],
    unsafe: { allowUnsafeSshCommand: true },
    allowEnvironment: ALLOWED_GIT_ENV,
    maxConcurrentProcesses: 1,
  });
  return git.env(env);
}

/** Builds the hardened git runner: the single place this package constructs simple-git. */
export function createGitRunner(opts: GitClientOptions = {}): GitRunner {
  const env = buildGitEnv(opts);
  const timeoutMs = opts.timeoutMs ?? defaultGitClientOptions().timeoutMs;
  return {
    env,
    timeoutMs,
    async run(args, options = {}) {
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
      try {
        return await makeSimpleGit(options.cwd, env, signal).raw([...args]);
      } catch (err) {
        const output = err instanceof Error ? err.message : String(err);
        if (options.signal?.aborted) throw options.signal.reason ?? err;
        throw classifyGitError({
          args,
          output,
          ...(options.url === undefined ? {} : { url: options.url }),
          ...(options.branch === undefined ? {} : { branch: options.branch }),
          ...(timeout.aborted ? { timedOutAfterMs: timeoutMs } : {}),
          // No `cause`: simple-git's error repeats git's raw stderr, which may hold credentials.
        });
      }
    },
  };
}
