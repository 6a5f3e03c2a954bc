import { ManualClock } from '@flux-ts/core';
import { describe, expect, it } from 'vitest';
import { cacheStoreConformance } from './conformance.ts';
import { MemoryCacheStore } from './memory-store.ts';

cacheStoreConformance('memory', async () => {
  const clock = new ManualClock();
  return { store: new MemoryCacheStore({ clock }), clock };
});

describe('MemoryCacheStore', () => {
  it('drops the least recently written entries past maxEntries', async () => {
    const clock = new ManualClock();
    const store = new MemoryCacheStore({ clock, maxEntries: 3 });
    const refreshAt = clock.now() + 60_000;

    for (const k of ['a', 'b', 'c']) await store.set(k, k, { refreshAt });
    await store.set('a', 'a2', { refreshAt });
    await store.set('d', 'd', { refreshAt });

    expect(store.size).toBe(3);
    expect(await store.get('b')).toBeUndefined();
    expect((await store.get('a'))?.value).toBe('a2');
    expect((await store.get('d'))?.value).toBe('d');
  });

  it('hands out copies: changing a returned value does not change the cache', async () => {
    const clock = new ManualClock();
    const store = new MemoryCacheStore({ clock });
    await store.set('k', { tags: ['a'] }, { refreshAt: clock.now() });

    const first = await store.get<{ tags: string[] }>('k');
    first?.value.tags.push('b');

    expect((await store.get('k'))?.value).toEqual({ tags: ['a'] });
  });

  it('rejects maxEntries below 1', () => {
    expect(() => new MemoryCacheStore({ maxEntries: 0 })).toThrow(RangeError);
  });
});
