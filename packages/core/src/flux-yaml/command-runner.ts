import { spawn } from 'node:child_process';
import { CommandError, CommandFailure } from './errors.ts';

/** How to run one command. */
export interface RunOptions {
  /** Working directory. */
  cwd: string;
  /** The command's whole environment (nothing is inherited). */
  env: Record<string, string>;
  /** Kill the command after this long. */
  timeoutMs: number;
  /** Kill the command when this aborts. */
  signal?: AbortSignal;
  /** Written to the command's stdin; without it stdin is empty (/dev/null). */
  stdin?: string;
}

/** What a command that ran to the end gave. */
export interface CommandResult {
  stdout: string;
  stderr: string;
  /** 0 for success; 128 + signal number when a signal ended it. */
  exitCode: number;
}

/**
 * Runs shell commands for `.flux.yaml` generators and updaters. It is a seam: the daemon uses
 * {@link createShellRunner}; tests can fake it, and instrumentation can wrap it.
 *
 * `run` resolves for every command that exits, whatever its exit code, and rejects with a
 * {@link CommandError} when it times out, is aborted, writes too much, or cannot start.
 */
export interface CommandRunner {
  run(command: string, options: RunOptions): Promise<CommandResult>;
}

/** Options for {@link createShellRunner}. */
export interface ShellRunnerOptions {
  /** The shell, run as `<shell> -c <command>`. Default `/bin/sh`. */
  shell?: string;
  /** Kill a command whose stdout plus stderr grow past this. Default 256 MiB. */
  maxOutputBytes?: number;
}

const MAX_TIMER_MS = 2_147_483_647;

const signalNumbers: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGABRT: 6,
  SIGKILL: 9,
  SIGSEGV: 11,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
};

/**
 * A {@link CommandRunner} that runs `/bin/sh -c <command>` with exactly the given environment. The
 * shell gets its own process group, so a timeout or abort kills everything it started.
 */
export function createShellRunner(options: ShellRunnerOptions = {}): CommandRunner {
  const shell = options.shell ?? '/bin/sh';
  const maxOutputBytes = options.maxOutputBytes ?? 256 * 1024 * 1024;
  return {
    run: (command, run) =>
      new Promise<CommandResult>((resolvePromise, reject) => {
        if (run.signal?.aborted) {
          reject(new CommandError(command, CommandFailure.Aborted, { cause: run.signal.reason }));
          return;
        }
        const child = spawn(shell, ['-c', command], {
          cwd: run.cwd,
          env: run.env,
          stdio: [run.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
          detached: true,
        });
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        let size = 0;
        let settled = false;
        const text = (chunks: Buffer[]): string => Buffer.concat(chunks).toString('utf8');

        const killGroup = (): void => {
          if (child.pid === undefined) return;
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            // Already gone.
          }
        };
        const finish = (outcome: { result: CommandResult } | { error: CommandError }): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          run.signal?.removeEventListener('abort', onAbort);
          if ('result' in outcome) resolvePromise(outcome.result);
          else reject(outcome.error);
        };
        const fail = (failure: CommandFailure, cause?: unknown): void => {
          killGroup();
          child.stdout?.destroy();
          child.stderr?.destroy();
          finish({
            error: new CommandError(command, failure, {
              stderr: text(stderr),
              timeoutMs: failure === CommandFailure.Timeout ? run.timeoutMs : undefined,
              cause,
            }),
          });
        };
        const onAbort = (): void => fail(CommandFailure.Aborted, run.signal?.reason);
        // setTimeout fires at once for delays past 2^31-1 ms (~24.8 days): cap them.
        const timer = setTimeout(() => fail(CommandFailure.Timeout), Math.min(run.timeoutMs, MAX_TIMER_MS));
        run.signal?.addEventListener('abort', onAbort, { once: true });

        const collect =
          (into: Buffer[]) =>
          (chunk: Buffer): void => {
            size += chunk.length;
            if (size > maxOutputBytes) {
              fail(CommandFailure.OutputLimit);
              return;
            }
            into.push(chunk);
          };
        child.stdout?.on('data', collect(stdout));
        child.stderr?.on('data', collect(stderr));
        child.on('error', (err) => fail(CommandFailure.Spawn, err));
        child.on('close', (code, signal) => {
          finish({
            result: {
              stdout: text(stdout),
              stderr: text(stderr),
              exitCode: code ?? 128 + (signal ? (signalNumbers[signal] ?? 0) : 0),
            },
          });
        });
        if (run.stdin !== undefined && child.stdin) {
          // The command may exit without reading its input.
          child.stdin.on('error', () => {});
          child.stdin.end(run.stdin);
        }
      }),
  };
}

/** What a checked command is, for its error message. */
export interface CommandContext {
  /** E.g. `generator command`, `image updater command`. */
  role: string;
  /** Where it is configured, e.g. `staging/../.flux.yaml`. */
  source: string;
}

/**
 * Runs a command and insists on exit code 0.
 *
 * @throws {CommandError} on a non-zero exit (with its stderr), a timeout, an abort or a spawn failure,
 *   described with `context` when given.
 */
export async function runChecked(
  runner: CommandRunner,
  command: string,
  options: RunOptions,
  context?: CommandContext,
): Promise<CommandResult> {
  let result: CommandResult;
  try {
    result = await runner.run(command, options);
  } catch (err) {
    if (err instanceof CommandError && context) throw err.withContext(context.role, context.source);
    throw err;
  }
  if (result.exitCode !== 0) {
    throw new CommandError(command, CommandFailure.Exit, {
      exitCode: result.exitCode,
      stderr: result.stderr,
      stdout: result.stdout,
      ...(context ?? {}),
    });
  }
  return result;
}
