import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShellRunner, runChecked } from './command-runner.ts';
import { CommandError, CommandFailure } from './errors.ts';

/** Variables /bin/sh sets by itself. */
const shellOwn = new Set(['PWD', 'OLDPWD', 'SHLVL', '_']);

function envLines(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0 && !shellOwn.has(line.slice(0, eq))) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

async function caught(p: Promise<unknown>): Promise<CommandError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof CommandError) return err;
    throw err;
  }
  throw new Error('expected a CommandError');
}

describe('createShellRunner (/bin/sh)', () => {
  const runner = createShellRunner();
  const PATH = process.env.PATH ?? '/usr/bin:/bin';
  let dir: string;
  beforeAll(async () => {
    dir = await realpath(await mkdtemp(join(tmpdir(), 'flux-ts-runner-')));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives stdout, stderr and the exit code', async () => {
    const result = await runner.run('echo out; echo err >&2; exit 3', {
      cwd: dir,
      env: { PATH },
      timeoutMs: 5000,
    });

    expect(result).toEqual({ stdout: 'out\n', stderr: 'err\n', exitCode: 3 });
  });

  it('runs in the working directory with exactly the given environment', async () => {
    const result = await runner.run('pwd; env', {
      cwd: dir,
      env: { PATH, ONLY_THIS: 'a b' },
      timeoutMs: 5000,
    });

    const [pwd, ...rest] = result.stdout.split('\n');
    expect(pwd).toBe(dir);
    expect(envLines(rest.join('\n'))).toEqual({ PATH, ONLY_THIS: 'a b' });
  });

  it('feeds stdin, and gives an empty stdin without it', async () => {
    const withInput = await runner.run('cat', { cwd: dir, env: { PATH }, timeoutMs: 5000, stdin: 'a: 1\n' });
    const without = await runner.run('cat', { cwd: dir, env: { PATH }, timeoutMs: 5000 });

    expect(withInput.stdout).toBe('a: 1\n');
    expect(without.stdout).toBe('');
  });

  it('reports a signal as 128 + its number', async () => {
    const result = await runner.run('kill -TERM $$', { cwd: dir, env: { PATH }, timeoutMs: 5000 });

    expect(result.exitCode).toBe(143);
  });

  it('kills a command that runs past its timeout, with everything it started', async () => {
    const started = Date.now();

    const err = await caught(
      runner.run('echo starting >&2; sleep 30 & sleep 30; wait', { cwd: dir, env: { PATH }, timeoutMs: 300 }),
    );

    expect(Date.now() - started).toBeLessThan(5000);
    expect(err.failure).toBe(CommandFailure.Timeout);
    expect(err.message).toBe(
      'command "echo starting >&2; sleep 30 & sleep 30; wait" timed out after 300ms and was killed: starting',
    );
    expect(err.code).toBe('command.timeout');
  });

  it('copes with a timeout longer than a timer can wait', async () => {
    const result = await runner.run('sleep 0.2; echo done', {
      cwd: dir,
      env: { PATH },
      timeoutMs: 3_600_000 * 1000,
    });

    expect(result.stdout).toBe('done\n');
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);

    const err = await caught(
      runner.run('sleep 30', { cwd: dir, env: { PATH }, timeoutMs: 20_000, signal: controller.signal }),
    );

    expect(err.failure).toBe(CommandFailure.Aborted);
  });

  it('does not start when the signal has already aborted', async () => {
    const err = await caught(
      runner.run('touch started', { cwd: dir, env: { PATH }, timeoutMs: 5000, signal: AbortSignal.abort() }),
    );

    expect(err.failure).toBe(CommandFailure.Aborted);
  });

  it('kills a command that writes too much', async () => {
    const small = createShellRunner({ maxOutputBytes: 1000 });

    const err = await caught(small.run('yes', { cwd: dir, env: { PATH }, timeoutMs: 5000 }));

    expect(err.failure).toBe(CommandFailure.OutputLimit);
  });

  it('reports a shell that cannot start', async () => {
    const broken = createShellRunner({ shell: join(dir, 'no-such-shell') });

    const err = await caught(broken.run('true', { cwd: dir, env: { PATH }, timeoutMs: 5000 }));

    expect(err.failure).toBe(CommandFailure.Spawn);
    expect(err.kind).toBe('server');
  });
});

describe('runChecked', () => {
  const runner = createShellRunner();
  const PATH = process.env.PATH ?? '/usr/bin:/bin';

  it('returns the result of a command that succeeds', async () => {
    const result = await runChecked(runner, 'echo ok', { cwd: tmpdir(), env: { PATH }, timeoutMs: 5000 });

    expect(result.stdout).toBe('ok\n');
  });

  it('names the command, its exit code and its trimmed stderr, never its environment', async () => {
    const err = await caught(
      runChecked(
        runner,
        'echo "  kustomize: no such base  " >&2; exit 2',
        { cwd: tmpdir(), env: { PATH, API_TOKEN: 'hunter2' }, timeoutMs: 5000 },
        { role: 'generator command', source: 'staging/../.flux.yaml' },
      ),
    );

    expect(err.message).toBe(
      'generator command "echo "  kustomize: no such base  " >&2; exit 2" from staging/../.flux.yaml exited with code 2: kustomize: no such base',
    );
    expect(err.exitCode).toBe(2);
    expect(err.code).toBe('command.exit');
    expect(JSON.stringify({ ...err, message: err.message, help: err.help })).not.toContain('hunter2');
  });

  it('describes a timeout with its context', async () => {
    const err = await caught(
      runChecked(
        runner,
        'sleep 10',
        { cwd: tmpdir(), env: { PATH }, timeoutMs: 1500 },
        { role: 'generator command', source: '.flux.yaml' },
      ),
    );

    expect(err.message).toBe(
      'generator command "sleep 10" from .flux.yaml timed out after 1.5s and was killed',
    );
    expect(err.help).toMatch(/timeout/);
  });
});
