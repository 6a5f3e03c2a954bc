import { mkdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_MAX_MANIFEST_FILE_BYTES } from '@flux-ts/core';
import { type TestSops, withSops } from '@flux-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptSopsFile, decryptSopsFiles, isSopsEncrypted } from './sops.ts';

const secret = (name: string): string =>
  `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\n  namespace: default\nstringData:\n  password: hunter2\n`;

describe('the sops pass and the per-file cap', () => {
  let sops: TestSops;
  let dir: string;
  const saved = process.env.SOPS_AGE_KEY_FILE;

  beforeAll(async () => {
    sops = await withSops();
    process.env.SOPS_AGE_KEY_FILE = sops.keyFile;
    dir = join(sops.dir, 'repo');
    await mkdir(dir);
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.SOPS_AGE_KEY_FILE;
    else process.env.SOPS_AGE_KEY_FILE = saved;
    await sops?.remove();
  });

  it('decrypts the files under the cap and leaves one over it unread and untouched', async () => {
    const small = join(dir, 'small.yaml');
    const big = join(dir, 'big.yaml');
    await writeFile(small, secret('small'));
    await sops.encryptInPlace(small);
    await writeFile(big, secret('big'));
    await sops.encryptInPlace(big);
    // Over the loader's cap (sparse: the sops metadata first, then zeros). Read whole, it looked
    // encrypted and went to sops, which failed on it: the file was removed and an error reported.
    await truncate(big, DEFAULT_MAX_MANIFEST_FILE_BYTES + 1);
    expect(isSopsEncrypted((await readFile(big, 'utf8')).slice(0, 4096))).toBe(true);

    const errors = await decryptSopsFiles(sops.dir, [dir], { sops: sops.sops });

    expect(errors).toEqual([]);
    expect(await readFile(small, 'utf8')).toContain('password: hunter2');
    // Left for the loader to report as too large: still there, still its size, still ciphertext.
    expect((await stat(big)).size).toBe(DEFAULT_MAX_MANIFEST_FILE_BYTES + 1);
    expect((await readFile(big, 'utf8')).slice(0, 4096)).not.toContain('hunter2');
  });

  it('checks the size before reading one changed file too (the incremental pass)', async () => {
    const file = join(dir, 'one.yaml');
    await writeFile(file, secret('one'));
    await sops.encryptInPlace(file);
    const before = await readFile(file, 'utf8');
    expect(before).not.toContain('hunter2');
    const size = (await stat(file)).size;

    expect(
      await decryptSopsFile(sops.dir, file, { sops: sops.sops, maxFileBytes: size - 1 }),
    ).toBeUndefined();
    expect(await readFile(file, 'utf8')).toBe(before);
    expect(await decryptSopsFile(sops.dir, file, { sops: sops.sops, maxFileBytes: size })).toBeUndefined();
    expect(await readFile(file, 'utf8')).toContain('password: hunter2');
  });
});
