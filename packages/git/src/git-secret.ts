import { lstat, readFile, realpath } from 'node:fs/promises';
import { basename, dirname, sep } from 'node:path';
import { type Logger, noopLogger } from '@flux-ts/core';
import { GitSecretPathError } from './errors.ts';
import type { GitRunner } from './git-factory.ts';

/** What {@link revealGitSecrets} did. */
export interface GitSecretReveal {
  /** Mapped files handed to `git secret reveal` (relative to the clone, as in the mapping). */
  revealed: string[];
  /** Mapped files not revealed because they would be written outside the clone. */
  refused: GitSecretPathError[];
}

/**
 * The files `.gitsecret/paths/mapping.cfg` lists, as git-secret reads them: one record a line
 * (`file:hash`, surrounding blanks trimmed), the file name before the first colon.
 */
export function mappedFiles(mapping: string): string[] {
  return mapping
    .split('\n')
    .map((line) => line.trim().split(':')[0] ?? '')
    .filter((file) => file !== '');
}

function isWithin(root: string, path: string): boolean {
  return path === root || path.startsWith(root + sep);
}

/**
 * Why git-secret may not write `file` (relative to `root`, the clone's real path), or undefined when
 * it may: its directory and, when it is a symbolic link, the file itself must resolve inside.
 */
async function refusal(root: string, dir: string, file: string): Promise<string | undefined> {
  // Not normalised: the kernel resolves `link/..` through the link, and so must the check.
  const path = `${dir}/${file}`;
  const name = basename(path);
  if (name === '.' || name === '..') return 'it does not name a file';
  const parent = await realpath(dirname(path)).catch(() => undefined);
  if (parent === undefined) return 'its directory does not exist in the clone';
  if (!isWithin(root, parent)) return 'its directory is a symbolic link out of the repository';
  const st = await lstat(path).catch(() => undefined);
  if (st?.isSymbolicLink()) {
    const target = await realpath(path).catch(() => undefined);
    if (target === undefined) return 'it is a symbolic link to nothing (the target would be created)';
    if (!isWithin(root, target)) return 'it is a symbolic link out of the repository';
  }
  return undefined;
}

/**
 * `git secret reveal` in the working clone `dir`, never writing outside it: every file the mapping
 * lists is checked first (its directory, and the file when it is a symbolic link, must resolve inside
 * the clone), and only those that pass are revealed (`git secret reveal -f -- <files>`). The others
 * are returned (and logged) as {@link GitSecretPathError}s. A mapping that cannot be read is left to
 * git-secret to report, as before.
 */
export async function revealGitSecrets(
  runner: GitRunner,
  dir: string,
  options: { logger?: Logger; signal?: AbortSignal } = {},
): Promise<GitSecretReveal> {
  const log = options.logger ?? noopLogger;
  const run = { cwd: dir, ...(options.signal === undefined ? {} : { signal: options.signal }) };
  const secretsDir = runner.env.SECRETS_DIR ?? '.gitsecret';
  const mapping = await readFile(`${dir}/${secretsDir}/paths/mapping.cfg`, 'utf8').catch(() => undefined);
  if (mapping === undefined) {
    await runner.run(['secret', 'reveal', '-f'], run);
    return { revealed: [], refused: [] };
  }
  const root = await realpath(dir);
  const revealed: string[] = [];
  const refused: GitSecretPathError[] = [];
  for (const file of mappedFiles(mapping)) {
    const reason = await refusal(root, dir, file);
    if (reason === undefined) {
      revealed.push(file);
      continue;
    }
    const err = new GitSecretPathError(file, reason);
    log.error({ path: file, err: err.message }, 'git-secret file not revealed');
    refused.push(err);
  }
  // No file argument would mean every mapped file: nothing to reveal is nothing to run.
  if (revealed.length > 0) await runner.run(['secret', 'reveal', '-f', '--', ...revealed], run);
  return { revealed, refused };
}
