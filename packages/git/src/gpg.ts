import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GitCommandError, GitTimeoutError } from './errors.ts';

const execFileAsync = promisify(execFile);

/** Options for {@link importGpgKeys}. */
export interface ImportGpgKeysOptions {
  /** The keyring to import into. */
  gnupgHome: string;
  /**
   * Mark every key in the keyring ultimately trusted afterwards (Flux v1 does this when signature
   * verification is enabled), so good signatures report `%G?` = `G` rather than `U`.
   */
  trustAll?: boolean;
  /** Per-gpg-call limit; default 20 000 ms. */
  timeoutMs?: number;
  /** PATH to find gpg on; default the process's PATH. */
  path?: string;
}

/** `gpg --batch --import <file>`. */
export function gpgImportArgs(file: string): string[] {
  return ['--batch', '--import', file];
}

/** `gpg --batch --with-colons --list-keys` (the fingerprints to trust are its `fpr` lines). */
export function gpgListKeysArgs(): string[] {
  return ['--batch', '--with-colons', '--list-keys'];
}

/** Ownertrust input marking each fingerprint ultimately trusted (`<fpr>:6:`). */
export function ultimateOwnertrust(colonsListing: string): string {
  const fprs = new Set<string>();
  let primary = false;
  for (const line of colonsListing.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === 'pub') primary = true;
    else if (fields[0] === 'sub') primary = false;
    else if (fields[0] === 'fpr' && primary && fields[9]) {
      fprs.add(fields[9]);
      primary = false;
    }
  }
  return [...fprs].map((f) => `${f}:6:\n`).join('');
}

/** The files `--git-gpg-key-import` names: each path is a key file, or a directory whose regular files (not recursive) are keys. */
export async function expandKeyPaths(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const p of paths) {
    const s = await stat(p);
    if (!s.isDirectory()) {
      files.push(p);
      continue;
    }
    for (const entry of (await readdir(p, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      if (entry.isFile()) files.push(join(p, entry.name));
    }
  }
  return files;
}

/**
 * Imports `--git-gpg-key-import` files and directories into `gnupgHome`, optionally trusting every
 * key ultimately. Returns the files imported.
 * @throws GitCommandError when gpg rejects a file; GitTimeoutError when gpg hangs.
 */
export async function importGpgKeys(paths: readonly string[], opts: ImportGpgKeysOptions): Promise<string[]> {
  const env = { PATH: opts.path ?? process.env.PATH ?? '/usr/bin:/bin', GNUPGHOME: opts.gnupgHome };
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const gpg = async (args: string[], input?: string): Promise<string> => {
    try {
      const child = execFileAsync('gpg', args, { env, signal: AbortSignal.timeout(timeoutMs) });
      if (input !== undefined) child.child.stdin?.end(input);
      return (await child).stdout;
    } catch (err) {
      const e = err as { name?: string; stderr?: string; message?: string };
      if (e.name === 'AbortError')
        throw new GitTimeoutError(`gpg ${args.join(' ')}: timed out after ${timeoutMs}ms`, timeoutMs);
      throw new GitCommandError(`gpg ${args.join(' ')}: ${(e.stderr ?? e.message ?? '').trim()}`, {
        output: e.stderr ?? '',
      });
    }
  };
  const files = await expandKeyPaths(paths);
  for (const f of files) await gpg(gpgImportArgs(f));
  if (opts.trustAll) {
    const trust = ultimateOwnertrust(await gpg(gpgListKeysArgs()));
    if (trust !== '') await gpg(['--batch', '--import-ownertrust'], trust);
  }
  return files;
}
