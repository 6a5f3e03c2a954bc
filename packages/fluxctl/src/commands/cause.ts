import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function gitConfig(key: string): Promise<string> {
  try {
    return (await run('git', ['config', '--get', key], { timeout: 5_000 })).stdout.trim();
  } catch {
    return '';
  }
}

/**
 * The default `--user`, as Flux v1's fluxctl derives it from git: `Name <email>`, or whichever of the
 * two is set, or empty.
 */
export async function defaultUser(): Promise<string> {
  const [name, email] = await Promise.all([gitConfig('user.name'), gitConfig('user.email')]);
  if (name && email) return `${name} <${email}>`;
  return email || name;
}
