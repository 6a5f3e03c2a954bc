import { mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isFluxError, ManualClock } from '@flux-ts/core';
import { makeTempDir, type TempDir } from '@flux-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheStoreConformance, createRecordingLogger } from './conformance.ts';
import { CacheError } from './errors.ts';
import { FileCacheStore, type FileCacheStoreOptions } from './file-store.ts';
import { keyDigest } from './keys.ts';

let temp: TempDir;
let dirs = 0;
beforeAll(async () => {
  temp = await makeTempDir('flux-ts-file-cache');
});
afterAll(async () => {
  await temp?.remove();
});
const freshDir = (): string => join(temp.path, `store-${++dirs}`);

const HOUR = 3_600_000;
const entryPath = (dir: string, key: string): string => {
  const name = keyDigest(key);
  return join(dir, 'v1', name.slice(0, 2), `${name.slice(2)}.json`);
};

cacheStoreConformance(
  'file',
  async () => {
    const clock = new ManualClock();
    const dir = freshDir();
    let current = await FileCacheStore.open({ dir, clock });
    return {
      store: current,
      clock,
      restart: async () => {
        await current.close();
        current = await FileCacheStore.open({ dir, clock });
        return current;
      },
    };
  },
  { persistent: true },
);

describe('FileCacheStore', () => {
  const open = (options: Partial<FileCacheStoreOptions> & { clock: ManualClock }): Promise<FileCacheStore> =>
    FileCacheStore.open({ dir: freshDir(), ...options });

  it('creates its directories 0700 and its files 0600', async () => {
    const clock = new ManualClock();
    const dir = join(freshDir(), 'nested', 'cache');
    const store = await FileCacheStore.open({ dir, clock });

    await store.set('k', 1, { refreshAt: clock.now() });
    await store.close();

    const path = entryPath(dir, 'k');
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, 'v1'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(path, '..'))).mode & 0o777).toBe(0o700);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({
      k: 'k',
      r: clock.now(),
      e: clock.now() + HOUR,
      v: 1,
    });
  });

  it('throws a CacheError naming the directory when it cannot be created', async () => {
    const file = join(freshDir(), 'not-a-dir');
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(file, 'x');

    const error = await FileCacheStore.open({ dir: join(file, 'cache'), clock: new ManualClock() }).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(CacheError);
    expect(isFluxError(error) && error.code).toBe('cache.dir-unusable');
    expect(isFluxError(error) && error.kind).toBe('user');
    expect((error as Error).message).toContain(join(file, 'cache'));
    expect((error as CacheError).help).toContain('writable');
  });

  it.each`
    option          | value
    ${'maxEntries'} | ${0}
    ${'maxBytes'}   | ${-1}
    ${'maxEntries'} | ${Number.NaN}
  `('rejects $option = $value', async ({ option, value }: { option: string; value: number }) => {
    await expect(open({ clock: new ManualClock(), [option]: value })).rejects.toThrow(CacheError);
  });

  it('treats a corrupt file as missing, warns once, and replaces it on the next write', async () => {
    const clock = new ManualClock();
    const logger = createRecordingLogger();
    const dir = freshDir();
    const store = await FileCacheStore.open({ dir, clock, logger });
    await store.set('k', 'good', { refreshAt: clock.now() });
    await writeFile(entryPath(dir, 'k'), '{"k":"k","r":1,');

    const first = await store.get('k');
    const second = await store.get('k');
    await store.set('k', 'again', { refreshAt: clock.now() });

    expect(first).toBeUndefined();
    expect(second).toBeUndefined();
    expect(logger.at('warn')).toEqual([
      expect.objectContaining({ fields: expect.objectContaining({ path: entryPath(dir, 'k') }) }),
    ]);
    expect((await store.get('k'))?.value).toBe('again');
    expect(store.healthy).toBe(true);
    await store.close();
  });

  it.each`
    label                  | text
    ${'empty'}             | ${''}
    ${'not an entry'}      | ${'[1,2]'}
    ${'missing its value'} | ${'{"k":"k","r":1,"e":1e15}'}
    ${'another key'}       | ${'{"k":"other","r":1,"e":1e15,"v":1}'}
  `('misses on a file that is $label', async ({ text }: { text: string }) => {
    const clock = new ManualClock();
    const dir = freshDir();
    const store = await FileCacheStore.open({ dir, clock });
    await store.set('k', 'good', { refreshAt: clock.now() });

    await writeFile(entryPath(dir, 'k'), text);

    expect(await store.get('k')).toBeUndefined();
    await store.close();
  });

  it('evicts the oldest-written entries down to 90% when over maxEntries', async () => {
    const clock = new ManualClock();
    const store = await open({ clock, maxEntries: 10 });
    const refreshAt = clock.now() + HOUR;
    for (let i = 0; i < 10; i++) await store.set(`k${i}`, i, { refreshAt });
    await store.set('k0', 'rewritten', { refreshAt }); // k0 is now the newest

    await store.set('k10', 10, { refreshAt });

    const present = [];
    for (let i = 0; i <= 10; i++) if (await store.get(`k${i}`)) present.push(i);
    expect(present).toEqual([0, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(store.usage.entries).toBe(9);
    await store.close();
  });

  it('evicts by bytes when over maxBytes', async () => {
    const clock = new ManualClock();
    const store = await open({ clock, maxBytes: 10_000 });
    const refreshAt = clock.now() + HOUR;
    const value = 'x'.repeat(1000);

    for (let i = 0; i < 12; i++) await store.set(`k${i}`, value, { refreshAt });

    const present = [];
    for (let i = 0; i < 12; i++) if (await store.get(`k${i}`)) present.push(i);
    expect(store.usage.bytes).toBeLessThanOrEqual(10_000);
    // The newest entries survive, the oldest went first.
    expect(present.length).toBeGreaterThan(0);
    expect(present).toEqual(Array.from({ length: present.length }, (_, i) => 12 - present.length + i));
    await store.close();
  });

  it('reopens with the entries on disk, oldest by mtime first, and applies lowered limits', async () => {
    const clock = new ManualClock();
    const dir = freshDir();
    const first = await FileCacheStore.open({ dir, clock });
    for (let i = 0; i < 5; i++) await first.set(`k${i}`, i, { refreshAt: clock.now() + HOUR });
    await first.close();
    // k3 was written first of all, k0 last.
    const order = ['k3', 'k4', 'k1', 'k2', 'k0'];
    for (const [i, k] of order.entries()) await utimes(entryPath(dir, k), 1_000 + i, 1_000 + i);

    const second = await FileCacheStore.open({ dir, clock, maxEntries: 3 });

    expect(second.usage.entries).toBe(2);
    expect(await second.get('k2')).toBeDefined();
    expect(await second.get('k0')).toBeDefined();
    expect(await second.get('k3')).toBeUndefined();
    expect(await second.get('k1')).toBeUndefined();
    await second.close();
  });

  it('shares one directory between two stores (two daemons)', async () => {
    const clock = new ManualClock();
    const dir = freshDir();
    const [a, b] = await Promise.all([
      FileCacheStore.open({ dir, clock }),
      FileCacheStore.open({ dir, clock }),
    ]);
    const refreshAt = clock.now() + HOUR;

    await a.set('from-a', 'a', { refreshAt });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).set('both', { i, pad: 'p'.repeat(10_000) }, { refreshAt }),
      ),
    );
    await b.delete('from-a');

    expect(await a.get('from-a')).toBeUndefined();
    const both = await a.get<{ i: number }>('both');
    expect(both?.value.i).toBeGreaterThanOrEqual(0);
    expect(await b.get('both')).toEqual(both);
    const leftovers = (await readdir(join(entryPath(dir, 'both'), '..'))).filter((f) => f.endsWith('.tmp'));
    expect(leftovers).toEqual([]);
    await Promise.all([a.close(), b.close()]);
  });

  it('removes temp files left by a crash, but not ones another process may still be writing', async () => {
    const clock = new ManualClock();
    const dir = freshDir();
    const sub = join(dir, 'v1', 'ab');
    await mkdir(sub, { recursive: true });
    const stale = join(sub, `${'c'.repeat(62)}.json.123.aaaa.tmp`);
    const fresh = join(sub, `${'d'.repeat(62)}.json.124.bbbb.tmp`);
    await writeFile(stale, '{');
    await writeFile(fresh, '{');
    await utimes(stale, (clock.now() - 3_600_000) / 1000, (clock.now() - 3_600_000) / 1000);
    await utimes(fresh, clock.now() / 1000, clock.now() / 1000);

    const store = await FileCacheStore.open({ dir, clock });

    expect((await readdir(sub)).sort()).toEqual([`${'d'.repeat(62)}.json.124.bbbb.tmp`]);
    expect(store.usage.entries).toBe(0);
    await store.close();
  });

  it('drops writes without throwing while the directory is broken, warning once, and recovers', async () => {
    const clock = new ManualClock();
    const logger = createRecordingLogger();
    const dir = freshDir();
    const store = await FileCacheStore.open({ dir, clock, logger });
    // Put a file where the key's subdirectory must go.
    const sub = join(entryPath(dir, 'k'), '..');
    await rm(sub, { recursive: true, force: true });
    await writeFile(sub, 'in the way');

    await store.set('k', 1, { refreshAt: clock.now() });
    await store.set('k', 2, { refreshAt: clock.now() });
    const whileBroken = store.healthy;
    await rm(sub);
    await store.set('k', 3, { refreshAt: clock.now() });

    expect(whileBroken).toBe(false);
    expect(logger.at('warn')).toHaveLength(1);
    expect(logger.at('warn')[0]?.fields).toMatchObject({ dir });
    expect(logger.at('info')).toHaveLength(1);
    expect(store.healthy).toBe(true);
    expect((await store.get('k'))?.value).toBe(3);
    await store.close();
  });

  it('serves what it could not write from memory, and writes it out once the disk works again', async () => {
    const clock = new ManualClock();
    const dir = freshDir();
    const store = await FileCacheStore.open({ dir, clock });
    const sub = join(entryPath(dir, 'scan'), '..');
    await rm(sub, { recursive: true, force: true });
    await writeFile(sub, 'in the way');

    await store.set('scan', { tags: ['1.0.0', '1.1.0'] }, { refreshAt: clock.now() + 1000 });
    // What the scan learned is not lost while the write fails.
    expect(store.healthy).toBe(false);
    expect((await store.get('scan'))?.value).toEqual({ tags: ['1.0.0', '1.1.0'] });

    await rm(sub);
    await store.set('other', 1, { refreshAt: clock.now() }); // a write that works: the held entry follows
    await store.close();
    const reopened = await FileCacheStore.open({ dir, clock });
    expect((await reopened.get('scan'))?.value).toEqual({ tags: ['1.0.0', '1.1.0'] });
    await reopened.close();
  });

  it('rewrites the directory when it was removed under a running store', async () => {
    const clock = new ManualClock();
    const dir = freshDir();
    const store = await FileCacheStore.open({ dir, clock });
    await store.set('k', 1, { refreshAt: clock.now() });

    await rm(dir, { recursive: true, force: true });
    await store.set('k', 2, { refreshAt: clock.now() });

    expect((await store.get('k'))?.value).toBe(2);
    expect(store.healthy).toBe(true);
    await store.close();
  });

  it('removes an expired entry when it is read', async () => {
    const clock = new ManualClock();
    const dir = freshDir();
    const store = await FileCacheStore.open({ dir, clock });
    await store.set('k', 1, { refreshAt: clock.now() });

    await clock.advance(HOUR);

    expect(await store.get('k')).toBeUndefined();
    await expect(stat(entryPath(dir, 'k'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(store.usage.entries).toBe(0);
    await store.close();
  });

  it('handles 5,000 entries: write, read, reopen (bench/registry runs 30,000)', {
    timeout: 120_000,
  }, async () => {
    const clock = new ManualClock();
    const dir = freshDir();
    const store = await FileCacheStore.open({ dir, clock });
    const info = { Digest: `sha256:${'a'.repeat(64)}`, CreatedAt: '2024-01-26T23:44:51.843Z', Labels: {} };
    const keys = Array.from(
      { length: 5_000 },
      (_, i) => `flux-ts:v1|tag|registry.example.com/repo${i % 100}|t${i}`,
    );
    const refreshAt = clock.now() + HOUR;
    const batch = async (work: (k: string) => Promise<unknown>): Promise<void> => {
      for (let i = 0; i < keys.length; i += 500) await Promise.all(keys.slice(i, i + 500).map(work));
    };

    await batch((k) => store.set(k, info, { refreshAt }));
    await store.close();
    const reopened = await FileCacheStore.open({ dir, clock });
    let hits = 0;
    await batch(async (k) => {
      if (await reopened.get(k)) hits++;
    });

    expect(reopened.usage.entries).toBe(5_000);
    expect(hits).toBe(5_000);
    await reopened.close();
  });
});
