import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The repository root (test/packaging/ is two levels down). */
export const ROOT: string = fileURLToPath(new URL('../../', import.meta.url));

const execFileP = promisify(execFile);

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs a program (no shell) and returns its output; rejects with stderr in the message on failure. */
export async function run(
  file: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
  try {
    const { stdout, stderr } = await execFileP(file, args, {
      cwd: options.cwd ?? ROOT,
      env: options.env ?? process.env,
      timeout: options.timeoutMs ?? 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { stdout, stderr };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${file} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

/** The value of `NAME=value` in scripts/setup (the pinned tool versions). */
export function setupVariable(name: string): string {
  const setup = readFileSync(`${ROOT}scripts/setup`, 'utf8');
  const m = new RegExp(`^${name}=(\\S+)$`, 'm').exec(setup);
  if (!m?.[1]) throw new Error(`scripts/setup sets no ${name}`);
  return m[1];
}

/** A package's package.json. */
export function packageJson(dir: string): { name: string; version: string; bin?: Record<string, string> } {
  return JSON.parse(readFileSync(`${ROOT}packages/${dir}/package.json`, 'utf8')) as {
    name: string;
    version: string;
    bin?: Record<string, string>;
  };
}
