import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectLogs, expectNoSecretsIn, findSecrets, privateKeySecrets } from '../support/secrets.ts';

// The secret scanner itself: it must find what leaks (raw or JSON-escaped), say where without
// printing the value, and find every log file a test produced.

const PEM = `-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
QyNTUxOQAAACBmZXN0aXZlLWtleS1ub3QtcmVhbC1hdC1hbGwtMTIzNDU2AAAAmKhRpaio
UaWoAAAAC3NzaC1lZDI1NTE5AAAAIGZlc3RpdmUta2V5LW5vdC1yZWFsLWF0LWFsbC0xMj
AAAA==
-----END OPENSSH PRIVATE KEY-----
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'secrets-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('privateKeySecrets', () => {
  it('gives the first and last lines, each long base64 line and the joined body', () => {
    const secrets = privateKeySecrets('key', PEM);
    const values = secrets.map((s) => s.value);
    expect(values).toContain('-----BEGIN OPENSSH PRIVATE KEY-----');
    expect(values).toContain('-----END OPENSSH PRIVATE KEY-----');
    expect(values).toContain('QyNTUxOQAAACBmZXN0aXZlLWtleS1ub3QtcmVhbC1hdC1hbGwtMTIzNDU2AAAAmKhRpaio');
    expect(values).not.toContain('AAAA=='); // too short to be evidence
    expect(values.some((v) => v.startsWith('b3BlbnNzaC1rZXktdjEA') && v.endsWith('AAAA=='))).toBe(true);
  });
});

describe('findSecrets / expectNoSecretsIn', () => {
  const secrets = [{ name: 'password', value: 'pa"ss\\word' }, ...privateKeySecrets('key', PEM)];

  it('finds a raw value and its JSON-escaped form, by line', () => {
    const text = `ok\n{"msg":"login","pw":${JSON.stringify('pa"ss\\word')}}\nraw pa"ss\\word\n`;
    expect(findSecrets(text, secrets)).toEqual([
      { name: 'password', line: 2 },
      { name: 'password', line: 3 },
    ]);
  });

  it('finds a key leaked as one JSON string (escaped newlines)', () => {
    const found = findSecrets(JSON.stringify({ err: `bad key ${PEM}` }), secrets).map((f) => f.name);
    expect(found).toContain('key (first line)');
    expect(found).toContain('key (base64 line 2)');
  });

  it('fails naming the secret and the place, never the value', () => {
    let message = '';
    try {
      expectNoSecretsIn('a\nb pa"ss\\word', secrets, 'fluxd.log');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('password in fluxd.log:2');
    expect(message).not.toContain('pa"ss');
    expect(() => expectNoSecretsIn('nothing here', secrets, 'x')).not.toThrow();
  });

  it('refuses an empty secret (it would match everything)', () => {
    expect(() => findSecrets('text', [{ name: 'empty', value: '' }])).toThrow(/empty/);
  });
});

describe('collectLogs', () => {
  it('finds every *.log file below the directory, with paths relative to it', async () => {
    await mkdir(join(dir, 'fluxd-home', 'cache'), { recursive: true });
    await writeFile(join(dir, 'fluxd.log'), 'one');
    await writeFile(join(dir, 'fluxd-home', 'cache', 'inner.log'), 'two');
    await writeFile(join(dir, 'api-token'), 'not a log');
    const logs = await collectLogs(dir);
    expect(logs).toEqual([
      { path: 'fluxd-home/cache/inner.log', text: 'two' },
      { path: 'fluxd.log', text: 'one' },
    ]);
  });
});
