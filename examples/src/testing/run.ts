// Test helpers: build the examples once (tsc -b, under a lock: vitest runs test files in parallel)
// and run a built example as a process, as a user would.
import { execFile, spawn } from 'node:child_process';
import { mkdir, rmdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root (examples/src/testing → ../../..). */
export const repoRoot: string = fileURLToPath(new URL('../../../', import.meta.url));

/** The built example `name` (examples/dist/<name>.js). */
export const exampleJs = (name: string): string => join(repoRoot, 'examples', 'dist', `${name}.js`);

/** A folder of test fixtures (examples/src/testing/fixtures/<name>). */
export const fixtures = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** The built fluxctl binary, for checking compatibility with an embedded API. */
export const fluxctlJs: string = join(repoRoot, 'packages', 'fluxctl', 'dist', 'bin', 'fluxctl.js');

const lock = join(tmpdir(), 'flux-ts-examples-build.lock');

/** `npx tsc -b <projects>` from the repository root, one build at a time across test files. */
export async function buildExamples(projects: readonly string[] = ['examples']): Promise<void> {
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      const held = await stat(lock).catch(() => undefined);
      // A lock older than 5 minutes was left by a killed run.
      if (held && Date.now() - held.mtimeMs > 300_000) await rmdir(lock).catch(() => {});
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    await run('npx', ['tsc', '-b', ...projects], { cwd: repoRoot });
  } finally {
    await rmdir(lock).catch(() => {});
  }
}

/** What a finished example printed, and how it exited. */
export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a built example to completion (never throws on a non-zero exit). */
export function runExample(name: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [exampleJs(name), ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
