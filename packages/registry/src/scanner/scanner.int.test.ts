import { ManualClock, parseTagPattern } from '@flux-ts/core';
import {
  type FaultProxy,
  makeTempDir,
  startFaultProxy,
  startRegistry,
  type TempDir,
  type TestRegistry,
} from '@flux-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCacheStore } from '../cache/create-cache-store.ts';
import type { CacheStore } from '../cache/store.ts';
import { createRegistryClient } from '../client/registry-client.ts';
import { HostLimiters } from '../rate-limit/host-limiter.ts';
import { imageFilter } from './image-filter.ts';
import { createScanner, RepositoryExcludedError, type Scanner } from './scanner.ts';

const day = (n: number): Date => new Date(Date.UTC(2024, 0, n));

describe('scanner against the real registry, counting requests through the fault proxy', () => {
  let registry: TestRegistry;
  let proxy: FaultProxy;
  let dir: TempDir;
  const clock = new ManualClock(Date.UTC(2024, 5, 1));
  const limiter = new HostLimiters({ clock });
  const stores: CacheStore[] = [];

  const scannerOver = async (
    cache?: CacheStore,
    onNewTags?: (repo: string, tags: string[]) => void,
  ): Promise<Scanner> => {
    const store = cache ?? (await createCacheStore({ kind: 'file', dir: dir.path }, { clock }));
    stores.push(store);
    const client = createRegistryClient({ host: proxy.host, insecure: true, limiter, clock });
    return createScanner({
      clientFor: () => client,
      cache: store,
      clock,
      ...(onNewTags ? { onNewTags } : {}),
    });
  };
  const repo = (): string => `${proxy.host}/acme/app`;
  const count = (method: string, pathPart: string): number =>
    proxy.requests.filter((r) => r.method === method && r.path.includes(pathPart)).length;

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startFaultProxy(registry.url);
    dir = await makeTempDir('flux-ts-scanner');
    for (let i = 1; i <= 5; i++)
      await registry.pushImage({ repo: 'acme/app', tag: `1.${i}.0`, created: day(i) });
    await registry.pushImage({ repo: 'acme/app', tag: 'latest', created: day(5) });
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
    await limiter.stop();
    await proxy?.close();
    await registry?.stop();
    await dir?.remove();
  });

  it('fills a cold cache with one tag list and a manifest and config per tag', async () => {
    const scanner = await scannerOver();
    proxy.reset();

    const meta = await scanner.refresh(repo());

    expect(meta.tags).toEqual(['1.1.0', '1.2.0', '1.3.0', '1.4.0', '1.5.0', 'latest']);
    expect(meta.images.map((i) => [i.ref.tag, i.createdAt?.toISOString()])).toEqual([
      ['1.1.0', day(1).toISOString()],
      ['1.2.0', day(2).toISOString()],
      ['1.3.0', day(3).toISOString()],
      ['1.4.0', day(4).toISOString()],
      ['1.5.0', day(5).toISOString()],
      ['latest', day(5).toISOString()],
    ]);
    expect(count('GET', '/tags/list')).toBe(1);
    expect(count('GET', '/manifests/')).toBe(6);
    expect(count('GET', '/blobs/')).toBe(6);
  });

  it('refreshes with nothing new using the tag list alone', async () => {
    const scanner = await scannerOver();
    proxy.reset();

    await scanner.refresh(repo());

    expect(proxy.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v2/acme/app/tags/list']);
  });

  it('re-checks a mutable tag with a HEAD only after its interval, and refetches only when it moved', async () => {
    const scanner = await scannerOver();
    await clock.advance(3_600_000);
    proxy.reset();

    await scanner.refresh(repo());

    expect(proxy.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /v2/acme/app/tags/list',
      'HEAD /v2/acme/app/manifests/latest',
    ]);

    await registry.pushImage({ repo: 'acme/app', tag: 'latest', created: day(9) });
    await clock.advance(3_600_000);
    proxy.reset();
    const meta = await scanner.refresh(repo());

    expect(count('HEAD', '/manifests/latest')).toBe(1);
    expect(count('GET', '/manifests/latest')).toBe(1);
    expect(meta.images.find((i) => i.ref.tag === 'latest')?.createdAt).toEqual(day(9));
  });

  it('fetches only a new tag, and says it is new', async () => {
    const added: string[][] = [];
    const scanner = await scannerOver(undefined, (_repo, tags) => added.push(tags));
    await registry.pushImage({ repo: 'acme/app', tag: '1.6.0', created: day(6) });
    proxy.reset();

    await scanner.refresh(repo());

    expect(added).toEqual([['1.6.0']]);
    expect(count('GET', '/manifests/')).toBe(1);
    expect(count('GET', '/blobs/')).toBe(1);
  });

  it('survives a restart with the file store: no per-tag refetch', async () => {
    for (const store of stores.splice(0)) await store.close();
    const restarted = await scannerOver();
    proxy.reset();

    const meta = await restarted.refresh(repo());

    expect(meta.images.every((i) => i.createdAt !== undefined)).toBe(true);
    expect(proxy.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v2/acme/app/tags/list']);
  });

  it('stops filling on a 429 and resumes later without refetching what it has', async () => {
    const memory = await createCacheStore({ kind: 'memory' }, { clock });
    const scanner = await scannerOver(memory);
    proxy.reset();
    proxy.inject({ status: 429, match: (r) => r.path.endsWith('/manifests/1.3.0') });

    const first = await scanner.refresh(repo());
    const missing = first.images.filter((i) => !i.createdAt).map((i) => i.ref.tag);
    const fetchedFirst = count('GET', '/manifests/');
    proxy.reset();
    await clock.advance(20 * 60_000);
    const second = await scanner.refresh(repo());

    expect(missing).toContain('1.3.0');
    expect(fetchedFirst).toBeLessThan(7);
    expect(second.images.every((i) => i.createdAt !== undefined)).toBe(true);
    expect(count('GET', '/manifests/')).toBe(missing.length);
  });

  it('serves a priority request at once, without waiting for the next pass', async () => {
    const scanner = await scannerOver(await createCacheStore({ kind: 'memory' }, { clock }));
    const stop = new AbortController();
    const loop = scanner.start(() => [], stop.signal);
    proxy.reset();

    scanner.prioritise(repo());
    for (let i = 0; i < 200 && (await scanner.getRepository(repo())).tags.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    stop.abort();
    await loop;

    expect((await scanner.getRepository(repo())).tags).toContain('1.1.0');
    expect(count('GET', '/tags/list')).toBe(1);
  });

  it('answers getRepository from the cache without any request', async () => {
    const scanner = await scannerOver();
    proxy.reset();

    const meta = await scanner.getRepository(repo());

    expect(meta.tags).toContain('1.6.0');
    expect(proxy.requests).toEqual([]);
  });
});

describe('scanner and multi-platform tags (decisions.md 11)', () => {
  let registry: TestRegistry;
  let proxy: FaultProxy;
  const clock = new ManualClock(Date.UTC(2024, 5, 1));
  const limiter = new HostLimiters({ clock });
  const stores: CacheStore[] = [];
  let shared: CacheStore;
  const ARM_ONLY = ['linux/arm64/v8', 'linux/s390x'];

  const scannerFor = (platforms: string[], cache: CacheStore = shared): Scanner => {
    const client = createRegistryClient({ host: proxy.host, insecure: true, limiter, clock, platforms });
    return createScanner({ clientFor: () => client, cache, clock, platforms });
  };
  const repo = (): string => `${proxy.host}/acme/multi`;
  const requests = (): string[] => proxy.requests.map((r) => `${r.method} ${r.path}`);

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startFaultProxy(registry.url);
    shared = await createCacheStore({ kind: 'memory' }, { clock });
    stores.push(shared);
    const push = (tag: string, n: number, platforms: string[]) =>
      registry.pushImage({ repo: 'acme/multi', tag, created: day(n), platforms, format: 'oci' });
    await push('1.0.0', 1, ['linux/amd64', 'linux/arm64/v8']);
    await push('1.1.0', 2, ARM_ONLY);
    await push('edge', 3, ARM_ONLY);
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
    await limiter.stop();
    await proxy?.close();
    await registry?.stop();
  });

  it('marks a tag without our platform with the platforms it has, and no other metadata', async () => {
    const meta = await scannerFor(['linux/amd64']).refresh(repo());

    const byTag = Object.fromEntries(meta.images.map((i) => [i.ref.tag, i]));
    expect(byTag['1.0.0']?.createdAt).toEqual(day(1));
    expect(byTag['1.0.0']?.platformMismatch).toBeUndefined();
    for (const tag of ['1.1.0', 'edge']) {
      expect(byTag[tag]).toEqual({
        ref: expect.anything(),
        platformMismatch: { wanted: ['linux/amd64'], available: ARM_ONLY },
      });
    }
  });

  it('answers imageInfo for such a tag from the cache, without refetching it', async () => {
    proxy.reset();

    const info = await scannerFor(['linux/amd64']).imageInfo(`${repo()}:1.1.0`);

    expect(info?.platformMismatch).toEqual({ wanted: ['linux/amd64'], available: ARM_ONLY });
    expect(requests()).toEqual([]);
  });

  it('re-checks a mutable tag without our platform with a HEAD only', async () => {
    await clock.advance(3_600_000);
    proxy.reset();

    await scannerFor(['linux/amd64']).refresh(repo());

    expect(requests()).toEqual(['GET /v2/acme/multi/tags/list', 'HEAD /v2/acme/multi/manifests/edge']);
  });

  it('keeps each platform set its own answer in a shared cache', async () => {
    const ppc = await scannerFor(['linux/ppc64le']).refresh(repo());
    const amd = await scannerFor(['linux/amd64']).getRepository(repo());
    const arm = await scannerFor(['linux/arm64']).refresh(repo());

    const mismatch = (m: typeof ppc, tag: string) =>
      m.images.find((i) => i.ref.tag === tag)?.platformMismatch;
    expect(mismatch(ppc, '1.1.0')).toEqual({ wanted: ['linux/ppc64le'], available: ARM_ONLY });
    expect(mismatch(ppc, '1.0.0')).toEqual({
      wanted: ['linux/ppc64le'],
      available: ['linux/amd64', 'linux/arm64/v8'],
    });
    expect(mismatch(amd, '1.1.0')).toEqual({ wanted: ['linux/amd64'], available: ARM_ONLY });
    expect(arm.images.map((i) => [i.ref.tag, i.createdAt, i.platformMismatch])).toEqual([
      ['1.0.0', day(1), undefined],
      ['1.1.0', day(2), undefined],
      ['edge', day(3), undefined],
    ]);
  });
});

describe('scanner include/exclude', () => {
  it('refuses to scan an excluded repository, without a request', async () => {
    const calls: string[] = [];
    const client = createRegistryClient({
      host: 'k8s.gcr.io',
      fetch: async (input) => {
        calls.push(String(input));
        return new Response('{}', { status: 500 });
      },
    });
    const cache = await createCacheStore({ kind: 'memory' });
    const scanner = createScanner({
      clientFor: () => client,
      cache,
      scan: imageFilter({ exclude: ['k8s.gcr.io/*'] }),
    });

    await expect(scanner.refresh('k8s.gcr.io/pause:3.1')).rejects.toThrow(RepositoryExcludedError);
    expect(calls).toEqual([]);
    await cache.close();
  });
});

describe('warmer scheduling: one big cold repository never holds up the tag lists of the others', () => {
  let registry: TestRegistry;
  let proxy: FaultProxy;
  const clock = new ManualClock(Date.UTC(2024, 5, 1));
  const limiter = new HostLimiters({ clock });
  const BIG_TAGS = 40;
  const SMALL = ['acme/small-0', 'acme/small-1', 'acme/small-2', 'acme/small-3'];
  const semverPick = parseTagPattern('semver:~1');

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startFaultProxy(registry.url);
    for (let i = 0; i < BIG_TAGS; i++)
      await registry.pushImage({ repo: 'acme/big', tag: `1.0.${i}`, created: day(1 + (i % 28)) });
    for (const [n, repo] of SMALL.entries())
      for (const [i, tag] of ['1.0.0', '1.1.0', '1.2.0'].entries())
        await registry.pushImage({ repo, tag, created: day(1 + n + i) });
  });
  afterAll(async () => {
    await limiter.stop();
    await proxy?.close();
    await registry?.stop();
  });

  it('knows every small repository’s tags, and can pick a semver: tag in each, before the big fill finishes', async () => {
    const cache = await createCacheStore({ kind: 'memory' }, { clock });
    const client = createRegistryClient({ host: proxy.host, insecure: true, limiter, clock });
    const scanner = createScanner({ clientFor: () => client, cache, clock, concurrency: 4 });
    // The big repository is slow to read (every manifest and blob 100 ms), and listed first.
    proxy.reset();
    proxy.inject({
      delayMs: 100,
      times: 10_000,
      match: (r) => /\/acme\/big\/(manifests|blobs)\//.test(r.path),
    });
    const big = `${proxy.host}/acme/big`;
    const small = SMALL.map((r) => `${proxy.host}/${r}`);
    const filled = async (repo: string): Promise<number> =>
      (await scanner.getRepository(repo)).images.filter((i) => i.createdAt !== undefined).length;

    const stop = new AbortController();
    const loop = scanner.start(() => [big, ...small], stop.signal);
    let picks: (string | undefined)[] = [];
    let bigFilledWhenSmallKnown = -1;
    for (let i = 0; i < 1000 && bigFilledWhenSmallKnown < 0; i++) {
      const metas = await Promise.all(small.map((r) => scanner.getRepository(r)));
      if (metas.every((m) => m.tags.length === 3)) {
        bigFilledWhenSmallKnown = await filled(big);
        picks = metas.map(
          (m) =>
            m.images
              .filter((im) => semverPick.matches(im.ref.tag))
              .sort((a, b) => semverPick.compare(a, b))[0]?.ref.tag,
        );
      } else await new Promise((r) => setTimeout(r, 5));
    }
    for (let i = 0; i < 2000 && (await filled(big)) < BIG_TAGS; i++)
      await new Promise((r) => setTimeout(r, 10));
    const bigFilledAtEnd = await filled(big);
    const smallFilledAtEnd = await Promise.all(small.map(filled));
    stop.abort();
    await loop;
    await cache.close();

    expect(picks).toEqual(['1.2.0', '1.2.0', '1.2.0', '1.2.0']);
    expect(bigFilledWhenSmallKnown).toBeGreaterThanOrEqual(0);
    expect(bigFilledWhenSmallKnown).toBeLessThan(BIG_TAGS / 2);
    // Every tag list of the pass went out before the first metadata request.
    const paths = proxy.requests.map((r) => `${r.method} ${r.path}`);
    const lastList = paths.findLastIndex((p) => p.endsWith('/tags/list'));
    const firstFill = paths.findIndex((p) => p.includes('/manifests/') || p.includes('/blobs/'));
    expect(paths.filter((p) => p.endsWith('/tags/list'))).toHaveLength(1 + SMALL.length);
    expect(lastList).toBeLessThan(firstFill);
    // The fill still completes, for every repository, each tag read once.
    expect(bigFilledAtEnd).toBe(BIG_TAGS);
    expect(smallFilledAtEnd).toEqual([3, 3, 3, 3]);
    expect(paths.filter((p) => p.startsWith('GET') && p.includes('/manifests/'))).toHaveLength(BIG_TAGS + 12);
  });
});
