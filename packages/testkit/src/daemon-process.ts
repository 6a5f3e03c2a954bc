import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * How many processes of process group `pgid` are still running (zombies do not count: an exited
 * daemon re-parented to init can linger as one until init reaps it). Reads /proc.
 */
function liveGroupMembers(pgid: number): number {
  let live = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid pgrp …; comm may contain spaces and parentheses.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') live++;
    } catch {
      // the process went away while we looked
    }
  }
  return live;
}

/** A server process started for a test, with its log file. */
export interface DaemonProcess {
  readonly pid: number;
  readonly logFile: string;
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
  /** The last lines of its log, for error messages. */
  logTail(lines?: number): Promise<string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnDaemonOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Where stdout and stderr go. */
  logFile: string;
}

// The daemon runs under a tiny shell watchdog that holds a pipe from us as its stdin: when this
// process dies, however it dies, the pipe closes and the watchdog kills the daemon. So a crashed or
// killed test runner never leaves a registry, memcached or sshd behind.
// (Background jobs of a non-interactive sh read /dev/null unless redirected, hence fd 3.)
const watchdog =
  'exec 3<&0; "$@" <&- 3<&- & child=$!; (cat <&3 >/dev/null; kill "$child" 2>/dev/null) & exec 3<&-; wait "$child"';

/** Starts `command` in the foreground under a watchdog; it never outlives the current process. */
export function spawnDaemon(
  command: string,
  args: readonly string[],
  options: SpawnDaemonOptions,
): DaemonProcess {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child: ChildProcess = spawn('sh', ['-c', watchdog, 'watchdog', command, ...args], {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  // Do not keep the event loop alive for the daemon: tests end when their work ends.
  child.unref();
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(null));
  });
  const pid = child.pid ?? -1;
  const killGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };
  return {
    pid,
    logFile: options.logFile,
    exited,
    async logTail(lines = 20) {
      const text = await readFile(options.logFile, 'utf8').catch(() => '');
      return text
        .split('\n')
        .slice(-lines - 1)
        .join('\n');
    },
    async stop(graceMs = 5_000) {
      // The whole process group: the watchdog shell, the daemon, the stdin reader. Done only when
      // every member has gone (the daemon can outlive the shell by a moment), SIGKILL after grace.
      const groupAlive = (): boolean => liveGroupMembers(pid) > 0;
      killGroup('SIGTERM');
      const deadline = Date.now() + graceMs;
      while (groupAlive() && Date.now() < deadline) await sleep(20);
      if (groupAlive()) killGroup('SIGKILL');
      while (groupAlive()) await sleep(20);
      await exited;
      child.stdin?.destroy();
      log.end();
    },
  };
}

/**
 * Polls `check` until it returns true, the daemon exits, or `timeoutMs` passes. Throws with the
 * daemon's log tail, so a failed start says why.
 */
export async function waitUntilReady(
  daemon: DaemonProcess,
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void daemon.exited.then((c) => {
    exitCode = c;
  });
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      throw new Error(
        `${what} exited with code ${exitCode} before it was ready. Log:\n${await daemon.logTail()}`,
      );
    }
    if (await check().catch(() => false)) return;
    await sleep(50);
  }
  await daemon.stop();
  throw new Error(`${what} was not ready after ${timeoutMs} ms. Log:\n${await daemon.logTail()}`);
}
