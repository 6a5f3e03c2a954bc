import KeyvMemcache from '@keyv/memcache';
import Keyv from 'keyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memcachedCommand, startMemcached, type TestMemcached } from './memcached.ts';

describe('memcached', () => {
  let memcached: TestMemcached;
  let store: KeyvMemcache;
  let keyv: Keyv;
  beforeAll(async () => {
    memcached = await startMemcached();
    store = new KeyvMemcache(memcached.address, { retries: 0, logger: { log: () => {} } });
    keyv = new Keyv({ store, namespace: 'flux-ts-test', throwOnErrors: true });
  });
  afterAll(async () => {
    store?.client.close();
    await memcached?.stop();
  });

  it('answers the text protocol', async () => {
    expect(await memcachedCommand(memcached.port, 'version')).toMatch(/^VERSION \d+\.\d+/);
  });

  it('sets, gets and expires values through @keyv/memcache', async () => {
    await keyv.set('manifest:alpine:3.19', { digest: 'sha256:abc' }, 1_000);

    expect(await keyv.get('manifest:alpine:3.19')).toEqual({ digest: 'sha256:abc' });
    // memcached counts whole seconds: the item is gone from the server itself after expiry.
    await new Promise((r) => setTimeout(r, 2_100));
    expect(await keyv.get('manifest:alpine:3.19')).toBeUndefined();
    expect(await memcachedCommand(memcached.port, 'get flux-ts-test:flux-ts-test:manifest:alpine:3.19')).toBe(
      'END',
    );
  });
});
