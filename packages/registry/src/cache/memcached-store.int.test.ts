import type { SrvRecord } from 'node:dns';
import { connect, createServer, Socket } from 'node:net';
import { ManualClock } from '@flux-ts/core';
import { freePort, memcachedCommand, startMemcached, type TestMemcached } from '@flux-ts/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cacheStoreConformance, createRecordingLogger } from './conformance.ts';
import { memcachedKey, tagKey } from './keys.ts';
import { MemcachedCacheStore } from './memcached-store.ts';

const HOUR = 3_600_000;

let memcached: TestMemcached;
beforeAll(async () => {
  memcached = await startMemcached();
});
afterAll(async () => {
  await memcached?.stop();
});

/** Every `STAT name value` line of memcached's `stats`. */
function stats(port: number): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let reply = '';
    socket.setTimeout(2_000, () => socket.destroy(new Error('memcached did not answer')));
    socket.once('error', reject);
    socket.connect(port, '127.0.0.1', () => socket.write('stats\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.endsWith('END\r\n')) {
        socket.end();
        const out: Record<string, number> = {};
        for (const m of reply.matchAll(/^STAT (\S+) (\S+)\r$/gm)) out[m[1] as string] = Number(m[2]);
        resolve(out);
      }
    });
  });
}

/**
 * A TCP proxy to the shared memcached that can be pulled away: `cut()` closes the listener and
 * resets every connection, as a crashed memcached would. (Stopping a testkit memcached returns
 * before the daemon has gone, so it cannot be used to time an outage.)
 */
async function startCuttableProxy(target: number): Promise<{ port: number; cut(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const track = (s: Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    track(client);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    cut: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.resetAndDestroy();
      await closed;
    },
  };
}

const unique = (): string => `int.test/${Math.random().toString(36).slice(2, 10)}/app`;

cacheStoreConformance('memcached (real server)', async () => {
  const clock = new ManualClock();
  const open = (): Promise<MemcachedCacheStore> =>
    MemcachedCacheStore.open({ hostname: memcached.host, port: memcached.port, clock });
  let current = await open();
  return {
    store: current,
    clock,
    // A daemon restart: a new client, the same server.
    restart: async () => {
      await current.close();
      current = await open();
      return current;
    },
  };
});

describe('MemcachedCacheStore against a real memcached', () => {
  it('writes our key as is (no keyv namespace) with a whole-second TTL of max(1h, 2 × refresh)', async () => {
    const clock = new ManualClock();
    const store = await MemcachedCacheStore.open({ hostname: memcached.host, port: memcached.port, clock });
    const key = tagKey(unique(), '3.19');

    await store.set(key, 'sha256:abc', { refreshAt: clock.now() + 2 * HOUR });
    await store.set(`${key}-short`, 'x', { refreshAt: clock.now(), expireAt: clock.now() + 1_500 });

    expect((await memcachedCommand(memcached.port, `get ${key}`)).split(' ').slice(0, 3)).toEqual([
      'VALUE',
      key,
      '0',
    ]);
    expect(await memcachedCommand(memcached.port, `mg ${key} t`)).toMatch(/^HD t(14399|14400)$/);
    expect(await memcachedCommand(memcached.port, `mg ${key}-short t`)).toMatch(/^HD t[12]$/);
    await store.close();
  });

  it('caps the server TTL at 30 days (memcached reads more as a Unix time) but keeps expireAt', async () => {
    const clock = new ManualClock();
    const store = await MemcachedCacheStore.open({ hostname: memcached.host, port: memcached.port, clock });
    const key = tagKey(unique(), 'long-lived');

    await store.set(key, 1, { refreshAt: clock.now(), expireAt: clock.now() + 60 * 24 * HOUR });

    expect(await memcachedCommand(memcached.port, `mg ${key} t`)).toMatch(/^HD t(2591999|2592000)$/);
    expect((await store.get(key))?.value).toBe(1);
    await store.close();
  });

  it('hashes a long key onto a valid memcached key', async () => {
    const clock = new ManualClock();
    const store = await MemcachedCacheStore.open({ hostname: memcached.host, port: memcached.port, clock });
    const key = tagKey(`${unique()}/${'deep/'.repeat(60)}`, 'latest');

    await store.set(key, 1, { refreshAt: clock.now() });

    expect(key.length).toBeGreaterThan(250);
    expect(await memcachedCommand(memcached.port, `mg ${memcachedKey(key)} t`)).toMatch(/^HD t/);
    expect((await store.get(key))?.value).toBe(1);
    await store.close();
  });

  it('sends one request per miss (keyv would add a delete)', async () => {
    const clock = new ManualClock();
    const store = await MemcachedCacheStore.open({ hostname: memcached.host, port: memcached.port, clock });
    const before = await stats(memcached.port);

    for (let i = 0; i < 10; i++) await store.get(tagKey(unique(), `missing-${i}`));

    const after = await stats(memcached.port);
    expect((after.get_misses ?? 0) - (before.get_misses ?? 0)).toBe(10);
    expect((after.delete_misses ?? 0) - (before.delete_misses ?? 0)).toBe(0);
    await store.close();
  });

  it('logs a refused write (value over 1 MB) without calling the server down', async () => {
    const clock = new ManualClock();
    const logger = createRecordingLogger();
    const store = await MemcachedCacheStore.open({
      hostname: memcached.host,
      port: memcached.port,
      clock,
      logger,
    });
    const key = tagKey(unique(), 'huge');

    await store.set(key, 'x'.repeat(2 * 1024 * 1024), { refreshAt: clock.now() });

    expect(await store.get(key)).toBeUndefined();
    expect(store.healthy).toBe(true);
    expect(logger.at('warn')).toMatchObject([
      {
        message: 'memcached refused an operation',
        fields: { op: 'set', key, error: expect.stringMatching(/too large/i) },
      },
    ]);
    await store.close();
  });

  it('survives its server going away: misses, one warning, no throw', async () => {
    const proxy = await startCuttableProxy(memcached.port);
    const clock = new ManualClock();
    const logger = createRecordingLogger();
    const store = await MemcachedCacheStore.open({
      hostname: '127.0.0.1',
      port: proxy.port,
      clock,
      logger,
      timeoutMs: 500,
    });
    const key = tagKey(unique(), 'v1');
    await store.set(key, 'before', { refreshAt: clock.now() + HOUR });
    const before = await store.get(key);

    await proxy.cut();
    const after = [await store.get(key), await store.get(key)];
    await store.set(key, 'after', { refreshAt: clock.now() + HOUR });
    await store.delete(key);

    expect(before?.value).toBe('before');
    expect(after).toEqual([undefined, undefined]);
    expect(store.healthy).toBe(false);
    expect(logger.at('warn')).toHaveLength(1);
    await store.close();
  });

  it('comes back when SRV discovery finds a live server, saying so once', async () => {
    const dead = await freePort();
    let records: SrvRecord[] = [{ name: '127.0.0.1', port: dead, priority: 0, weight: 0 }];
    const clock = new ManualClock();
    const logger = createRecordingLogger();
    const store = await MemcachedCacheStore.open({
      hostname: 'cluster.local',
      service: 'memcached',
      clock,
      logger,
      timeoutMs: 500,
      resolveSrv: async () => records,
    });
    const key = tagKey(unique(), 'v1');

    await store.set(key, 'lost', { refreshAt: clock.now() + HOUR });
    const whileDown = await store.get(key);
    records = [{ name: memcached.host, port: memcached.port, priority: 0, weight: 0 }];
    await clock.advance(60_000);
    await vi.waitFor(() => expect(store.servers).toEqual([memcached.address]));
    await store.set(key, 'kept', { refreshAt: clock.now() + HOUR });

    expect(whileDown).toBeUndefined();
    expect((await store.get(key))?.value).toBe('kept');
    expect(store.healthy).toBe(true);
    expect(logger.at('warn').map((l) => l.message)).toEqual([
      'memcached unreachable: image metadata reads miss and writes are dropped until it is back',
    ]);
    expect(logger.at('info').map((l) => l.message)).toContain('memcached reachable again');
    await store.close();
  });
});
