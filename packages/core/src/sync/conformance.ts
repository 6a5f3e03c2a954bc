import { describe, expect, it } from 'vitest';
import type { SyncStateStore } from './state.ts';

/** A fresh store over a fresh backend, and two revisions that exist in it (older first). */
export interface SyncStateHarness {
  store: SyncStateStore;
  revisions: readonly [string, string];
}

/**
 * The behaviour every {@link SyncStateStore} shares (the git sync tag, the Kubernetes secret): run it
 * from each implementation's tests with a factory that makes a fresh backend per test.
 */
export function syncStateStoreConformance(name: string, factory: () => Promise<SyncStateHarness>): void {
  describe(`SyncStateStore conformance: ${name}`, () => {
    it('has no marker before the first update', async () => {
      const { store } = await factory();

      expect(await store.get()).toBeUndefined();
    });

    it('moves the marker forward, and back when told to', async () => {
      const { store, revisions } = await factory();
      const [older, newer] = revisions;

      await store.update(older);
      const first = await store.get();
      await store.update(newer);
      const second = await store.get();
      await store.update(older);

      expect(first).toBe(older);
      expect(second).toBe(newer);
      expect(await store.get()).toBe(older);
    });

    it('is idempotent', async () => {
      const { store, revisions } = await factory();

      await store.update(revisions[1]);
      await store.update(revisions[1]);

      expect(await store.get()).toBe(revisions[1]);
    });

    it('forgets the marker on delete, when the store can delete', async () => {
      const { store, revisions } = await factory();
      await store.update(revisions[0]);

      if (store.delete === undefined) {
        expect(await store.get()).toBe(revisions[0]);
        return;
      }
      await store.delete();

      expect(await store.get()).toBeUndefined();
    });
  });
}
