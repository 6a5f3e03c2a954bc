import { type Clock, systemClock } from '@flux-ts/core';
import {
  type CacheEntry,
  type CacheSetOptions,
  type CacheStore,
  CacheStoreKind,
  decodeEntry,
  encodeEntry,
  entryFor,
  isExpired,
  resolveSetOptions,
} from './store.ts';

/** Options of {@link MemoryCacheStore}. */
export interface MemoryCacheStoreOptions {
  /** Time source for expiry (default: the system clock). */
  clock?: Clock;
  /** Most entries kept; the least recently written go first (default 100,000). */
  maxEntries?: number;
}

/** Default {@link MemoryCacheStoreOptions.maxEntries}. */
export const DEFAULT_MEMORY_MAX_ENTRIES = 100_000;

interface MemoryItem {
  /** The JSON text, so callers get a fresh copy and values behave exactly as in the other stores. */
  text: string;
  expireAt: number;
}

/**
 * A process-local store: a `Map` of JSON texts in write order, expiring by the injected clock.
 * Used in tests and with `--registry-disable-scanning`; it does not survive a restart.
 */
export class MemoryCacheStore implements CacheStore {
  readonly kind: CacheStoreKind = CacheStoreKind.Memory;
  readonly healthy: boolean = true;
  readonly #clock: Clock;
  readonly #maxEntries: number;
  readonly #items = new Map<string, MemoryItem>();
  #closed = false;

  constructor(options: MemoryCacheStoreOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#maxEntries = options.maxEntries ?? DEFAULT_MEMORY_MAX_ENTRIES;
    if (!(this.#maxEntries >= 1)) throw new RangeError('maxEntries must be at least 1');
  }

  /** Entries held now (expired ones included until they are read or pushed out). */
  get size(): number {
    return this.#items.size;
  }

  async get<T>(key: string, signal?: AbortSignal): Promise<CacheEntry<T> | undefined> {
    signal?.throwIfAborted();
    const item = this.#items.get(key);
    if (item === undefined) return undefined;
    if (isExpired(item.expireAt, this.#clock.now())) {
      this.#items.delete(key);
      return undefined;
    }
    return entryFor<T>(decodeEntry(item.text), key, this.#clock.now());
  }

  async set<T>(key: string, value: T, options: CacheSetOptions): Promise<void> {
    const now = this.#clock.now();
    const deadlines = resolveSetOptions(now, options);
    const text = encodeEntry(key, value, deadlines);
    if (this.#closed) return;
    this.#items.delete(key);
    if (isExpired(deadlines.expireAt, now)) return;
    this.#items.set(key, { text, expireAt: deadlines.expireAt });
    while (this.#items.size > this.#maxEntries) {
      const oldest = this.#items.keys().next();
      if (oldest.done) break;
      this.#items.delete(oldest.value);
    }
  }

  async delete(key: string): Promise<void> {
    this.#items.delete(key);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#items.clear();
  }
}
