import { mkdtemp, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  describeSshKey,
  generateSshKey,
  loadOrGenerateSshKey,
  parseFingerprint,
  SshKeyError,
} from './ssh-key.ts';

describe('ssh keys (real ssh-keygen)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flux-ts-ssh-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('parses a fingerprint line and its randomart', () => {
    const out =
      '256 SHA256:abc/DEF+123 flux@host (ED25519)\n+--[ED25519 256]--+\n|  .o.            |\n+----[SHA256]-----+\n';

    expect(parseFingerprint(out)).toEqual({
      hash: 'abc/DEF+123',
      randomart: '+--[ED25519 256]--+\n|  .o.            |\n+----[SHA256]-----+',
    });
  });

  it('generates a key behind an atomically replaced symlink, and describes it as Flux v1 does', async () => {
    const keygen = join(dir, 'keygen');

    const first = await generateSshKey(keygen, { type: 'ed25519' });
    const firstTarget = await readlink(first);
    const second = await generateSshKey(keygen, { type: 'ed25519' });
    const described = await describeSshKey(second);

    expect(first).toBe(join(keygen, 'identity'));
    expect(await readlink(second)).not.toBe(firstTarget);
    expect(described.key).toMatch(/^ssh-ed25519 AAAA\S+( \S+)?\n$/);
    expect(described.fingerprints?.md5.hash).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    expect(described.fingerprints?.sha256.hash).toMatch(/^[A-Za-z0-9+/]{43}$/);
    expect(described.fingerprints?.sha256.randomart).toMatch(/^\+--\[ED25519 256\]--\+\n/);
  });

  it('uses a mounted key when there is one, making it private', async () => {
    const keygen = join(dir, 'keygen2');
    const mounted = await generateSshKey(join(dir, 'mounted-src'), { type: 'ed25519' });
    const target = join(dir, 'identity');
    await writeFile(target, await import('node:fs/promises').then((fs) => fs.readFile(mounted)), {
      mode: 0o644,
    });

    const used = await loadOrGenerateSshKey(target, keygen);
    const fresh = await loadOrGenerateSshKey(join(dir, 'nope'), keygen);

    expect(used).toBe(target);
    expect((await stat(target)).mode & 0o777).toBe(0o400);
    expect(fresh).toBe(join(keygen, 'identity'));
    expect(await loadOrGenerateSshKey(join(dir, 'nope'), keygen)).toBe(fresh);
  });

  it('names the path when a key cannot be read', async () => {
    const bad = join(dir, 'bad-key');
    await writeFile(bad, 'not a key\n', { mode: 0o600 });

    await expect(describeSshKey(bad)).rejects.toThrow(SshKeyError);
    await expect(describeSshKey(bad)).rejects.toThrow(/cannot read the SSH key \(.*bad-key\)/);
  });
});
