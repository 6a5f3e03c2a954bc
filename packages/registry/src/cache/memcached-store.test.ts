import type { SrvRecord } from 'node:dns';
import { ManualClock } from '@flux-ts/core';
import { freePort, makeTempDir } from '@flux-ts/testkit';
import { describe, expect, it, vi } from 'vitest';
import { createRecordingLogger } from './conformance.ts';
import { createCacheStore } from './create-cache-store.ts';
import { CacheError } from './errors.ts';
import { FileCacheStore } from './file-store.ts';
import { MemcachedCacheStore, type MemcachedCacheStoreOptions } from './memcached-store.ts';
import { MemoryCacheStore } from './memory-store.ts';

const srv = (name: string, port: number): SrvRecord => ({ name, port, priority: 0, weight: 0 });

describe('MemcachedCacheStore configuration', () => {
  it.each`
    label                        | options                                             | mentions
    ${'an empty hostname'}       | ${{ hostname: '' }}                                 | ${'hostname ""'}
    ${'a hostname with a space'} | ${{ hostname: 'mem cached' }}                       | ${'"mem cached"'}
    ${'a URL'}                   | ${{ hostname: 'http://memcached' }}                 | ${'"http://memcached"'}
    ${'an IPv6 literal'}         | ${{ hostname: '::1' }}                              | ${'"::1"'}
    ${'a host:port'}             | ${{ hostname: 'memcached:11211' }}                  | ${'"memcached:11211"'}
    ${'port 0'}                  | ${{ hostname: 'memcached', port: 0 }}               | ${'port 0 for memcached'}
    ${'port 70000'}              | ${{ hostname: 'memcached', port: 70_000 }}          | ${'port 70000'}
    ${'a fractional port'}       | ${{ hostname: 'memcached', port: 1.5 }}             | ${'port 1.5'}
    ${'a bad service'}           | ${{ hostname: 'memcached', service: 'a service' }}  | ${'"a service"'}
    ${'a zero timeout'}          | ${{ hostname: 'memcached', timeoutMs: 0 }}          | ${'timeout 0 ms'}
    ${'a NaN timeout'}           | ${{ hostname: 'memcached', timeoutMs: Number.NaN }} | ${'timeout NaN ms'}
  `(
    'rejects $label with a CacheError naming it',
    async ({ options, mentions }: { options: MemcachedCacheStoreOptions; mentions: string }) => {
      const error = await MemcachedCacheStore.open(options).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(CacheError);
      expect(error).toMatchObject({ code: 'cache.memcached-config', kind: 'user' });
      expect((error as Error).message).toContain(mentions);
      expect((error as CacheError).help).toMatch(/--memcached-/);
    },
  );

  it('never echoes credentials from a user:password@host hostname', async () => {
    const error = await MemcachedCacheStore.open({ hostname: 'flux:s3cret@memcached' }).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(CacheError);
    expect((error as Error).message).not.toContain('s3cret');
    expect((error as Error).message).toContain('<redacted>@memcached');
  });

  it.each`
    hostname
    ${'memcached'}
    ${'memcached.flux.svc.cluster.local.'}
    ${'10.0.0.1'}
    ${'my_memcached-0'}
  `('accepts $hostname (and dials only when used)', async ({ hostname }: { hostname: string }) => {
    const store = await MemcachedCacheStore.open({ hostname });

    expect(store.servers).toEqual([`${hostname}:11211`]);
    await store.close();
  });
});

describe('MemcachedCacheStore outages', () => {
  it('misses, drops writes and warns once while the server is down', async () => {
    const port = await freePort(); // nothing listens there
    const logger = createRecordingLogger();
    const clock = new ManualClock();
    const store = await MemcachedCacheStore.open({
      hostname: '127.0.0.1',
      port,
      clock,
      logger,
      timeoutMs: 500,
    });

    const reads = await Promise.all(Array.from({ length: 5 }, (_, i) => store.get(`k${i}`)));
    await store.set('k', 1, { refreshAt: clock.now() });
    await store.delete('k');
    await store.get('k');

    expect(reads).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(store.healthy).toBe(false);
    expect(logger.at('warn')).toHaveLength(1);
    expect(logger.at('warn')[0]).toMatchObject({
      fields: { cache: 'memcached', servers: [`127.0.0.1:${port}`] },
      message: expect.stringContaining('unreachable'),
    });
    await store.close();
  });
});

describe('MemcachedCacheStore SRV discovery', () => {
  const open = async (
    resolveSrv: (name: string) => Promise<SrvRecord[]>,
    clock = new ManualClock(),
    logger = createRecordingLogger(),
  ): Promise<{
    store: MemcachedCacheStore;
    clock: ManualClock;
    logger: ReturnType<typeof createRecordingLogger>;
  }> => {
    const store = await MemcachedCacheStore.open({
      hostname: 'flux.svc.cluster.local',
      service: 'memcached',
      clock,
      logger,
      resolveSrv,
    });
    return { store, clock, logger };
  };

  it('looks up _<service>._tcp.<hostname> and uses the records, sorted and without the root dot', async () => {
    const resolveSrv = vi.fn(async () => [
      srv('mc-1.flux.svc.cluster.local.', 11211),
      srv('mc-0.flux.svc.cluster.local.', 11211),
      srv('mc-0.flux.svc.cluster.local', 11211),
    ]);

    const { store } = await open(resolveSrv);

    expect(resolveSrv).toHaveBeenCalledWith('_memcached._tcp.flux.svc.cluster.local');
    expect(store.servers).toEqual(['mc-0.flux.svc.cluster.local:11211', 'mc-1.flux.svc.cluster.local:11211']);
    await store.close();
  });

  it('looks again every minute and switches when the records change', async () => {
    let records = [srv('mc-0', 11211)];
    const resolveSrv = vi.fn(async () => records);
    const { store, clock, logger } = await open(resolveSrv);

    await clock.advance(59_999);
    const beforeAMinute = resolveSrv.mock.calls.length;
    records = [srv('mc-0', 11211), srv('mc-1', 11211)];
    await clock.advance(1);
    await vi.waitFor(() => expect(store.servers).toEqual(['mc-0:11211', 'mc-1:11211']));
    await clock.advance(60_000);
    await vi.waitFor(() => expect(resolveSrv).toHaveBeenCalledTimes(3));

    expect(beforeAMinute).toBe(1);
    expect(logger.at('info').filter((l) => l.message === 'memcached servers changed')).toMatchObject([
      { fields: { servers: ['mc-0:11211'] } },
      { fields: { servers: ['mc-0:11211', 'mc-1:11211'] } },
    ]);
    await store.close();
  });

  it('keeps the current servers when a lookup fails, warning once until it works again', async () => {
    let fail = false;
    const resolveSrv = vi.fn(async () => {
      if (fail) throw Object.assign(new Error('queryrv ESERVFAIL'), { code: 'ESERVFAIL' });
      return [srv('mc-0', 11211)];
    });
    const { store, clock, logger } = await open(resolveSrv);

    fail = true;
    for (let i = 2; i <= 3; i++) {
      await clock.advance(60_000);
      await vi.waitFor(() => expect(resolveSrv).toHaveBeenCalledTimes(i));
    }
    const servers = store.servers;
    fail = false;
    await clock.advance(60_000);
    const lookupWorks = (): unknown[] =>
      logger.at('info').filter((l) => l.message === 'memcached server lookup works again');
    await vi.waitFor(() => expect(lookupWorks()).toHaveLength(1));

    expect(servers).toEqual(['mc-0:11211']);
    expect(logger.at('warn')).toHaveLength(1);
    expect(logger.at('warn')[0]?.fields).toMatchObject({ srv: '_memcached._tcp.flux.svc.cluster.local' });
    await store.close();
  });

  it('opens without servers when the first lookup fails, and misses until one is found', async () => {
    const resolveSrv = vi.fn(async (): Promise<SrvRecord[]> => {
      throw Object.assign(new Error('queryrv ENOTFOUND'), { code: 'ENOTFOUND' });
    });
    const { store, logger } = await open(resolveSrv);

    const read = await store.get('k');
    await store.set('k', 1, { refreshAt: 0 });

    expect(read).toBeUndefined();
    expect(store.servers).toEqual([]);
    expect(store.healthy).toBe(false);
    expect(logger.at('warn').map((l) => l.message)).toEqual([
      'cannot look up memcached servers; keeping the current list',
      'memcached unreachable: image metadata reads miss and writes are dropped until it is back',
    ]);
    await store.close();
  });

  it('stops looking after close', async () => {
    const resolveSrv = vi.fn(async () => [srv('mc-0', 11211)]);
    const { store, clock } = await open(resolveSrv);

    await store.close();
    await clock.advance(10 * 60_000);

    expect(resolveSrv).toHaveBeenCalledTimes(1);
    expect(clock.pending).toBe(0);
  });
});

describe('createCacheStore', () => {
  it('opens the store each kind names', async () => {
    const temp = await makeTempDir('flux-ts-create-cache');
    const clock = new ManualClock();

    const memory = await createCacheStore({ kind: 'memory' }, { clock });
    const file = await createCacheStore({ kind: 'file', dir: temp.path, maxEntries: 10 }, { clock });
    const memcached = await createCacheStore(
      { kind: 'memcached', hostname: 'memcached', port: 11299 },
      { clock },
    );

    expect(memory).toBeInstanceOf(MemoryCacheStore);
    expect(file).toBeInstanceOf(FileCacheStore);
    expect(memcached).toBeInstanceOf(MemcachedCacheStore);
    expect([memory.kind, file.kind, memcached.kind]).toEqual(['memory', 'file', 'memcached']);
    expect(memcached.servers).toEqual(['memcached:11299']);
    await Promise.all([memory.close(), file.close(), memcached.close()]);
    await temp.remove();
  });

  it('passes configuration errors through', async () => {
    await expect(createCacheStore({ kind: 'memcached', hostname: 'bad host' })).rejects.toThrow(CacheError);
  });
});
