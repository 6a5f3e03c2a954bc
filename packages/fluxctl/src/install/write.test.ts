import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveInstallOptions } from './install-options.ts';
import { installManifests } from './manifests.ts';
import { InstallWriteError, installStream, writeInstallFiles } from './write.ts';

const files = installManifests(
  resolveInstallOptions({ gitUrl: 'u', gitEmail: 'e', namespace: 'ns', version: '1' }),
);

describe('writeInstallFiles', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fluxctl-install-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes one file per manifest and returns the writing lines in order', async () => {
    const lines = await writeInstallFiles(files, dir);
    expect(lines).toEqual(files.map((f) => `writing ${join(dir, f.file)}`));
    for (const f of files) expect(await readFile(join(dir, f.file), 'utf8')).toBe(f.text);
  });

  it('overwrites existing files', async () => {
    await writeFile(join(dir, 'flux-secret.yaml'), 'old old old old old old old old old old old old old');
    await writeInstallFiles(files, dir);
    expect(await readFile(join(dir, 'flux-secret.yaml'), 'utf8')).toBe(files[2]?.text);
  });

  it('cleans the path like filepath.Join', async () => {
    const lines = await writeInstallFiles(files.slice(0, 1), `${dir}/./`);
    expect(lines).toEqual([`writing ${dir}/flux-account.yaml`]);
  });

  it('rejects a missing directory', async () => {
    const missing = join(dir, 'nope');
    await expect(writeInstallFiles(files, missing)).rejects.toThrow(
      new InstallWriteError(`stat ${missing}: no such file or directory`, [], undefined),
    );
  });

  it('rejects a file that is not a directory', async () => {
    const file = join(dir, 'file');
    await writeFile(file, '');
    const err = await writeInstallFiles(files, file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InstallWriteError);
    expect((err as Error).message).toBe(`${file} is not a directory`);
    expect((await stat(file)).size).toBe(0);
  });

  it('reports the lines printed before a write failure', async () => {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'flux-deployment.yaml'));
    const err = (await writeInstallFiles(files, dir).catch((e: unknown) => e)) as InstallWriteError;
    expect(err).toBeInstanceOf(InstallWriteError);
    expect(err.message).toMatch(/^cannot output manifest file flux-deployment\.yaml: /);
    expect(err.lines).toEqual([`writing ${dir}/flux-account.yaml`, `writing ${dir}/flux-deployment.yaml`]);
  });
});

describe('installStream', () => {
  it('concatenates the files into one multi-document stream', () => {
    const stream = installStream(files);
    expect(stream).toBe(files.map((f) => f.text).join(''));
    expect(stream.match(/^---$/gm)).toHaveLength(7);
    expect(stream.endsWith('\n')).toBe(true);
  });
});
