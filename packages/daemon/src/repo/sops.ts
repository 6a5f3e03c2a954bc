import { execFile } from 'node:child_process';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { DEFAULT_MAX_MANIFEST_FILE_BYTES, ErrorKind, FluxError } from '@flux-ts/core';

/** A sops-encrypted file could not be decrypted. */
export class SopsDecryptError extends FluxError {
  readonly file: string;
  constructor(file: string, detail: string) {
    super(`${file}: sops could not decrypt the file: ${detail}`, {
      code: 'sops.decrypt',
      kind: ErrorKind.User,
      help: 'Check that fluxd has the key the file was encrypted for (age key file, PGP key in its keyring, or cloud KMS access), as sops looks for it.',
    });
    this.file = file;
  }
}

const manifestFile = /\.(ya?ml|json)$/i;

async function manifestFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.git')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await manifestFiles(path)));
    else if (entry.isFile() && manifestFile.test(entry.name)) out.push(path);
  }
  return out;
}

/** Whether a manifest carries sops metadata (a top-level `sops` key with a `mac`). */
export function isSopsEncrypted(text: string): boolean {
  return (/^sops:\s*$/m.test(text) && /^\s+mac:/m.test(text)) || /"sops"\s*:\s*\{[\s\S]*"mac"\s*:/.test(text);
}

function sopsDecrypt(sops: string, file: string, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      sops,
      ['--decrypt', file],
      { maxBuffer: 64 * 1024 * 1024, ...(signal ? { signal } : {}) },
      (err, stdout, stderr) => {
        if (err) reject(new Error((stderr || err.message).trim().split('\n').slice(-1)[0] ?? 'failed'));
        else resolve(stdout);
      },
    );
  });
}

/** Options of the sops passes. */
export interface SopsOptions {
  /** The sops binary (default `sops` on PATH). */
  sops?: string;
  /**
   * Files larger than this are not read (default {@link DEFAULT_MAX_MANIFEST_FILE_BYTES}, the
   * loader's cap): the loader reports them, so the sops pass leaves them alone.
   */
  maxFileBytes?: number;
  signal?: AbortSignal;
}

/** Whether a file is over the cap, by its size on disk (before anything reads it). */
async function overCap(file: string, options: SopsOptions): Promise<boolean> {
  const { size } = await stat(file);
  return size > (options.maxFileBytes ?? DEFAULT_MAX_MANIFEST_FILE_BYTES);
}

/**
 * Decrypts one file in place when it is sops-encrypted; a file that cannot be decrypted is removed
 * (its ciphertext is never applied) and its error returned. A file over the cap is not read.
 */
export async function decryptSopsFile(
  root: string,
  file: string,
  options: SopsOptions = {},
): Promise<SopsDecryptError | undefined> {
  if (await overCap(file, options)) return undefined;
  const text = await readFile(file, 'utf8');
  if (!isSopsEncrypted(text)) return undefined;
  try {
    await writeFile(file, await sopsDecrypt(options.sops ?? 'sops', file, options.signal));
    return undefined;
  } catch (err) {
    await rm(file, { force: true });
    return new SopsDecryptError(relative(root, file), (err as Error).message);
  }
}

/**
 * Decrypts, in place, every sops-encrypted manifest under `dirs` of a sync's throwaway working tree
 * (never a tree that will be committed). A file that cannot be decrypted is removed from the tree —
 * so its ciphertext is never applied — and reported; the caller counts it as a load error, which
 * keeps garbage collection off. A file over the cap is skipped unread (the loader reports it).
 */
export async function decryptSopsFiles(
  root: string,
  dirs: readonly string[],
  options: SopsOptions = {},
): Promise<SopsDecryptError[]> {
  const errors: SopsDecryptError[] = [];
  for (const dir of dirs) {
    for (const file of await manifestFiles(dir)) {
      const failed = await decryptSopsFile(root, file, options);
      if (failed) errors.push(failed);
    }
  }
  return errors;
}
