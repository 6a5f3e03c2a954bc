import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadManifests } from '@flux-ts/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allBreaks,
  BREAKS,
  binaryBytes,
  breakManifest,
  hugeConfigMap,
  readCorpus,
  retarget,
  SAMPLE_DEPLOYMENTS,
  sampleName,
} from './support/break.ts';

// The generator's own tests: its variants are derived from real corpus files, and its line numbers
// are the ones the real loader (@flux-ts/core) reports for the variants a loader must catch.

let dir: string;
const originals = new Map<string, string>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'break-'));
  for (const path of SAMPLE_DEPLOYMENTS) originals.set(path, await readCorpus(path));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function load(name: string, text: string | Buffer) {
  const sub = await mkdtemp(join(dir, 'case-'));
  await writeFile(join(sub, name), text);
  return loadManifests(sub);
}

describe.each(SAMPLE_DEPLOYMENTS)('%s', (path) => {
  const good = (): string => retarget(originals.get(path) ?? '', 'bad-ns', '-x');

  it('retargets every object to the namespace and suffixes its name, and it loads cleanly', async () => {
    const original = originals.get(path) ?? '';
    const text = good();
    const loaded = await load('good.yaml', text);
    expect(loaded.errors).toEqual([]);
    expect(loaded.resources.length).toBeGreaterThan(0);
    for (const r of loaded.resources) {
      expect(r.namespace).toBe('bad-ns');
      expect(r.name).toMatch(/-x$/);
    }
    expect(loaded.resources.map((r) => r.kind)).toContain('Deployment');
    // Only metadata lines moved: every other line of the corpus file is kept, in order.
    const kept = (t: string) => t.split('\n').filter((l) => !/^ {2}(name|namespace):/.test(l));
    expect(kept(text)).toEqual(kept(original));
  });

  it.each(['truncate', 'bad-indentation', 'tab', 'wrong-type-metadata'] as const)(
    '%s: the loader names the file and the line the generator says',
    async (kind) => {
      const broken = breakManifest(good(), kind);
      expect(broken.detectedBy).toBe('load');
      expect(broken.text).not.toBe(good());
      const loaded = await load(`${kind}.yaml`, broken.text);
      const messages = loaded.errors.map((e) => e.message);
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatch(new RegExp(`^${kind}\\.yaml:${broken.line}:\\d+: `));
      expect(messages[0]).toMatch(broken.reason);
    },
  );

  it('duplicate-key: the same key twice in one mapping, the second on the line given', () => {
    const broken = breakManifest(good(), 'duplicate-key');
    const lines = broken.text.split('\n');
    const second = lines[broken.line - 1] ?? '';
    const first = lines[broken.line - 2] ?? '';
    expect(first).toMatch(/^ {2}name: \S+$/);
    expect(second).toBe(`${first}-dup`);
    expect(second.split(':')[0]).toBe(first.split(':')[0]);
  });

  it('wrong-type-kind: kind is a sequence on the line given', () => {
    const broken = breakManifest(good(), 'wrong-type-kind');
    expect(broken.text.split('\n')[broken.line - 1]).toBe('kind: [Deployment]');
  });

  it('wrong-type-replicas: still loads (the API server refuses it), replicas a string', async () => {
    const broken = breakManifest(good(), 'wrong-type-replicas');
    expect(broken.detectedBy).toBe('apply');
    expect(broken.text.split('\n')[broken.line - 1]).toBe('  replicas: "three"');
    const loaded = await load('replicas.yaml', broken.text);
    expect(loaded.errors).toEqual([]);
    const deployment = loaded.resources.find((r) => r.kind === 'Deployment');
    expect((deployment?.object.spec as { replicas?: unknown } | undefined)?.replicas).toBe('three');
  });

  it('gives one variant of each kind', () => {
    expect(allBreaks(good()).map((b) => b.kind)).toEqual([...BREAKS]);
    expect(sampleName(path)).toMatch(/^[a-z-]+$/);
  });
});

describe('other bad files', () => {
  it('binary bytes are not text: a PNG signature, NULs, invalid UTF-8; reproducible', () => {
    const bytes = binaryBytes(4096);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('\x89PNG');
    expect(bytes.includes(0)).toBe(true);
    expect(Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes)).toBe(false);
    expect(binaryBytes(4096).equals(bytes)).toBe(true);
    expect(binaryBytes(4096, 8).equals(bytes)).toBe(false);
  });

  it('a 50 MB manifest is one ConfigMap of the size asked, refused unread (over the 16 MiB limit) at once', async () => {
    const size = 50 * 1024 * 1024;
    const text = hugeConfigMap('huge', 'bad-ns', size);
    expect(Buffer.byteLength(text)).toBe(size);
    const started = Date.now();
    const loaded = await load('huge.yaml', text);
    const ms = Date.now() - started;
    expect(loaded.resources).toEqual([]);
    expect(loaded.errors.map((e) => e.message)).toEqual([
      'huge.yaml: the file is 50 MiB (52428800 bytes), over the 16 MiB (16777216 bytes) limit for one manifest file: not read',
    ]);
    expect(ms).toBeLessThan(1_000);
  });

  it('a 4 MiB manifest (under the limit) still loads', async () => {
    const loaded = await load('big.yaml', hugeConfigMap('big', 'bad-ns', 4 * 1024 * 1024));
    expect(loaded.errors).toEqual([]);
    expect(loaded.resources.map((r) => r.id.toString())).toEqual(['bad-ns:configmap/big']);
  });
});
