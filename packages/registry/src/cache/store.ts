/**
 * The seam between the registry warmer/readers and wherever image metadata is kept (process
 * memory, files on disk, memcached). It exists so the warmer can be tested against a fake, so
 * every backend passes one conformance suite (`conformance.ts`), and so the daemon can pick a
 * backend from its flags without the warmer knowing which.
 */

/** One cached value and when it should be fetched again. */
export interface CacheEntry<T> {
  value: T;
  /** ms epoch after which the entry should be refreshed */
  refreshAt: number;
}

/** Options of {@link CacheStore.set}. */
export interface CacheSetOptions {
  /** ms epoch after which the caller should refetch; it may lie in the past. */
  refreshAt: number;
  /**
   * ms epoch until which the store may keep the entry; default
   * {@link defaultExpireAt}: `now + max(1h, 2 × (refreshAt − now))`. An `expireAt` that is not
   * in the future deletes the key instead.
   */
  expireAt?: number;
}

/** Which backend a {@link CacheStore} uses. */
export const CacheStoreKind = {
  Memory: 'memory',
  File: 'file',
  Memcached: 'memcached',
} as const;
export type CacheStoreKind = (typeof CacheStoreKind)[keyof typeof CacheStoreKind];

/**
 * A key/value cache of JSON values with a refresh deadline.
 *
 * Contract (checked for every backend by `cacheStoreConformance`):
 * - Values go through JSON: what `get` returns equals `JSON.parse(JSON.stringify(value))`. A
 *   `Date` therefore comes back as its ISO-8601 string; callers store timestamps as ISO strings
 *   (Flux v1's RFC 3339 form) and parse them after reading. Values that JSON cannot represent
 *   (`undefined`, functions, symbols, BigInt, cycles) are rejected with a `TypeError`.
 * - An entry is never returned at or after its `expireAt`, measured with the store's injected
 *   clock; before that it may still be missing (a cache may drop anything at any time).
 * - An unreachable or broken backend never throws from `get`/`set`/`delete`: `get` misses, writes
 *   are dropped, `healthy` turns false and the store logs one warning per outage.
 * - `get` rejects with the signal's reason when `signal` is aborted.
 * - After `close`, `get` misses and `set`/`delete` do nothing.
 * - Keys are any strings (build them with `keys.ts`); each backend maps them onto what it can
 *   store (hashing long or unsafe keys), so distinct keys never share an entry.
 */
export interface CacheStore {
  readonly kind: CacheStoreKind;
  /** False while the backend is known to be failing (memcached down, cache dir unwritable). */
  readonly healthy: boolean;
  get<T>(key: string, signal?: AbortSignal): Promise<CacheEntry<T> | undefined>;
  set<T>(key: string, value: T, options: CacheSetOptions): Promise<void>;
  delete(key: string): Promise<void>;
  /** Releases sockets and timers; waits for writes in flight. Idempotent. */
  close(): Promise<void>;
}

/** One hour: the least time a store keeps an entry by default (Flux v1's memcached rule). */
export const MIN_DEFAULT_EXPIRY_MS = 3_600_000;

/** Flux v1's item expiry: `now + max(1h, 2 × (refreshAt − now))`. */
export function defaultExpireAt(now: number, refreshAt: number): number {
  return now + Math.max(MIN_DEFAULT_EXPIRY_MS, 2 * (refreshAt - now));
}

/** True when an entry that expires at `expireAt` must no longer be returned at `now`. */
export function isExpired(expireAt: number, now: number): boolean {
  return now >= expireAt;
}

/** The form every backend persists: key (to detect hash collisions), deadlines, value. */
export interface StoredEntry {
  /** The caller's key. */
  k: string;
  /** refreshAt, ms epoch. */
  r: number;
  /** expireAt, ms epoch. */
  e: number;
  /** The value as JSON parsed it. */
  v: unknown;
}

/** Checked deadlines for one `set`. */
export interface ResolvedSet {
  refreshAt: number;
  expireAt: number;
}

/**
 * Validates `options` and fills in the default `expireAt`.
 * @throws RangeError when a deadline is not a finite number (a programming error).
 */
export function resolveSetOptions(now: number, options: CacheSetOptions): ResolvedSet {
  const { refreshAt } = options;
  if (!Number.isFinite(refreshAt)) throw new RangeError(`cache refreshAt must be a finite ms epoch`);
  const expireAt = options.expireAt ?? defaultExpireAt(now, refreshAt);
  if (!Number.isFinite(expireAt)) throw new RangeError(`cache expireAt must be a finite ms epoch`);
  return { refreshAt, expireAt };
}

/**
 * Serialises one entry to the JSON text every backend stores.
 * @throws TypeError when `value` cannot be represented in JSON.
 */
export function encodeEntry(key: string, value: unknown, deadlines: ResolvedSet): string {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') {
    throw new TypeError(`cache values must be JSON-serialisable (got ${typeof value})`);
  }
  const entry: StoredEntry = { k: key, r: deadlines.refreshAt, e: deadlines.expireAt, v: value };
  return JSON.stringify(entry);
}

/** Parses what {@link encodeEntry} wrote; undefined when the text is not such an entry. */
export function decodeEntry(text: string): StoredEntry | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const e = parsed as Partial<StoredEntry>;
  if (typeof e.k !== 'string' || !Number.isFinite(e.r) || !Number.isFinite(e.e) || !('v' in e)) {
    return undefined;
  }
  return e as StoredEntry;
}

/**
 * Reads a decoded entry as the caller sees it: undefined when it belongs to another key (hash
 * collision) or has expired at `now`.
 */
export function entryFor<T>(
  stored: StoredEntry | undefined,
  key: string,
  now: number,
): CacheEntry<T> | undefined {
  if (stored === undefined || stored.k !== key || isExpired(stored.e, now)) return undefined;
  return { value: stored.v as T, refreshAt: stored.r };
}
