import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type TestSops, withSops } from './sops.ts';

describe('sops with an age key', () => {
  let sops: TestSops;
  beforeAll(async () => {
    sops = await withSops();
  });
  afterAll(async () => {
    await sops?.remove();
  });

  it('encrypts a Secret manifest in place and decrypts it again', async () => {
    const file = join(sops.dir, 'secret.yaml');
    const plain = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: hunter2\n';
    await writeFile(file, plain);

    await sops.encryptInPlace(file);
    const encrypted = await readFile(file, 'utf8');
    const decrypted = await sops.decrypt(file);

    expect(encrypted).not.toContain('hunter2');
    expect(parse(encrypted)).toMatchObject({
      metadata: { name: 'db' },
      sops: { age: [{ recipient: sops.recipient }] },
    });
    expect(parse(decrypted)).toEqual(parse(plain));
  });
});
