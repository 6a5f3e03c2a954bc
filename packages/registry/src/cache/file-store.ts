import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Clock, type Logger, noopLogger, systemClock } from '@flux-ts/core';
import pLimit from 'p-limit';
import { CacheError, CacheErrorCode } from './errors.ts';
import { keyDigest } from './keys.ts';
import {
  type CacheEntry,
  type CacheSetOptions,
  type CacheStore,
  CacheStoreKind,
  decodeEntry,
  encodeEntry,
  isExpired,
  resolveSetOptions,
} from './store.ts';

/*
 * Layout: `<dir>/v1/<hh>/<62 hex>.json`, one file per key, named by the sha256 of the key
 * (`hh` = its first two hex digits, so 30,000 entries make ~120 files per directory). Each file
 * holds `{"k":key,"r":refreshAt,"e":expireAt,"v":value}`.
 *
 * Why one file per key rather than one big JSON file or an append-only log:
 * - a `set` writes only its own entry (a temp file in the same directory, then `rename`), so the
 *   cost does not grow with the cache: the warmer's ~30,000 writes stay ~30,000 small writes;
 * - `rename` is atomic, so a reader sees the old or the new entry, never half of one, and two
 *   daemons sharing the directory need no lock: the last writer wins, as with memcached. An
 *   append-only log would need a lock (or one writer) for compaction and would make a second
 *   process re-read the log to see the first one's writes;
 * - a crash can leave only a stray `*.tmp` (removed at the next start) or, after a power loss
 *   without fsync, an empty/garbled entry, which reads as missing. We skip fsync: it is a cache.
 * The price is one inode per entry (a few 4 KiB blocks per tag on most filesystems), which is
 * why the store is bounded by entry count and bytes. `v1` is the layout version: bump it when the
 * file format changes and old files are simply ignored.
 *
 * Bounded size: the store keeps an in-memory index (file name → bytes) in write order, seeded at
 * open from a directory scan sorted by mtime. When a write takes it over `maxEntries` or
 * `maxBytes`, the oldest-written entries are deleted until it is back under 90% of both limits
 * (so eviction runs once per batch, not on every write). With two processes each evicts from its
 * own view; at worst an entry is evicted a little early, which is a cache miss.
 */

/** Options of {@link FileCacheStore.open}. */
export interface FileCacheStoreOptions {
  /** Directory for the cache; created with mode 0700 when missing. */
  dir: string;
  /** Most entries kept (default 50,000: 100 repos × 300 tags plus headroom). */
  maxEntries?: number;
  /** Most bytes of entry files kept (default 256 MiB). */
  maxBytes?: number;
  clock?: Clock;
  logger?: Logger;
}

/** Default {@link FileCacheStoreOptions.maxEntries}. */
export const DEFAULT_FILE_MAX_ENTRIES = 50_000;
/** Default {@link FileCacheStoreOptions.maxBytes}. */
export const DEFAULT_FILE_MAX_BYTES: number = 256 * 1024 * 1024;
/** Version directory under the cache dir; a new file format gets a new one. */
export const FILE_STORE_LAYOUT = 'v1';

const EVICT_TO = 0.9;
/** A `*.tmp` file older than this is left over from a crash and is removed at open. */
const STALE_TEMP_MS = 10 * 60_000;
const ENTRY_FILE = /^[0-9a-f]{62}\.json$/;
const SUBDIR = /^[0-9a-f]{2}$/;
const FS_CONCURRENCY = 64;

const errorCode = (err: unknown): string | undefined =>
  typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
    ? err.code
    : undefined;

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function checkLimit(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 1) {
    throw new CacheError(`file cache ${name} must be a positive number, got ${value}`, {
      code: CacheErrorCode.InvalidLimit,
      help: `Set ${name} to at least 1, or leave it unset for the default.`,
    });
  }
  return Math.floor(value);
}

/**
 * The default, persistent store: entries are files under a directory, so the cache survives a
 * daemon restart without memcached. Safe for several processes sharing the directory.
 */
export class FileCacheStore implements CacheStore {
  readonly kind: CacheStoreKind = CacheStoreKind.File;
  /** The directory the store was opened on. */
  readonly dir: string;
  readonly #root: string;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  /** File name (the key's sha256 hex) → bytes, oldest write first. */
  readonly #index = new Map<string, number>();
  #bytes = 0;
  readonly #madeDirs = new Set<string>();
  readonly #warnedCorrupt = new Set<string>();
  readonly #inflight = new Set<Promise<unknown>>();
  #evicting: Promise<void> | undefined;
  #readFailing = false;
  #writeFailing = false;
  #closed = false;
  /**
   * Entries whose write failed (disk full, permissions), by file name, oldest first: served from
   * memory until a write succeeds, so what the scans learn is not lost while the disk cannot take it.
   */
  readonly #unwritten = new Map<string, string>();
  #unwrittenBytes = 0;

  private constructor(options: FileCacheStoreOptions, root: string, maxEntries: number, maxBytes: number) {
    this.dir = options.dir;
    this.#root = root;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? noopLogger;
    this.#maxEntries = maxEntries;
    this.#maxBytes = maxBytes;
  }

  /**
   * Opens (creating when needed) a file store and indexes the entries already on disk.
   * @throws CacheError when the directory cannot be created or written, or a limit is invalid.
   */
  static async open(options: FileCacheStoreOptions): Promise<FileCacheStore> {
    const maxEntries = checkLimit('maxEntries', options.maxEntries ?? DEFAULT_FILE_MAX_ENTRIES);
    const maxBytes = checkLimit('maxBytes', options.maxBytes ?? DEFAULT_FILE_MAX_BYTES);
    const root = join(options.dir, FILE_STORE_LAYOUT);
    try {
      await mkdir(root, { recursive: true, mode: 0o700 });
      const probe = join(root, `.probe-${process.pid}-${randomBytes(4).toString('hex')}`);
      await writeFile(probe, '', { mode: 0o600 });
      await unlink(probe);
    } catch (err) {
      throw new CacheError(`cannot use ${options.dir} for the image metadata cache: ${errorText(err)}`, {
        code: CacheErrorCode.DirUnusable,
        help: `Make ${options.dir} (or its parent) a directory writable by the user the daemon runs as, or point the file cache at another directory.`,
        cause: err,
      });
    }
    const store = new FileCacheStore(options, root, maxEntries, maxBytes);
    await store.#scan();
    await store.#maybeEvict();
    return store;
  }

  /** False while reads or writes of the cache directory fail (e.g. disk full, permissions). */
  get healthy(): boolean {
    return !this.#readFailing && !this.#writeFailing;
  }

  /** Entries and bytes this process knows of (its own writes plus what was on disk at open). */
  get usage(): { entries: number; bytes: number } {
    return { entries: this.#index.size, bytes: this.#bytes };
  }

  async get<T>(key: string, signal?: AbortSignal): Promise<CacheEntry<T> | undefined> {
    signal?.throwIfAborted();
    if (this.#closed) return undefined;
    const name = keyDigest(key);
    const path = this.#path(name);
    let text: string;
    const held = this.#unwritten.get(name);
    try {
      text = held ?? (await readFile(path, { encoding: 'utf8', signal }));
    } catch (err) {
      signal?.throwIfAborted();
      if (errorCode(err) === 'ENOENT') {
        this.#forget(name); // another process evicted or deleted it
      } else {
        this.#readFailed(err);
      }
      return undefined;
    }
    this.#readOk();
    const stored = decodeEntry(text);
    if (stored === undefined) {
      this.#warnCorrupt(name, path);
      return undefined;
    }
    if (stored.k !== key) return undefined; // sha256 collision: not ours
    if (isExpired(stored.e, this.#clock.now())) {
      await this.#track(this.#remove(name));
      return undefined;
    }
    return { value: stored.v as T, refreshAt: stored.r };
  }

  async set<T>(key: string, value: T, options: CacheSetOptions): Promise<void> {
    const now = this.#clock.now();
    const deadlines = resolveSetOptions(now, options);
    const text = encodeEntry(key, value, deadlines);
    if (this.#closed) return;
    const name = keyDigest(key);
    if (isExpired(deadlines.expireAt, now)) {
      await this.#track(this.#remove(name));
      return;
    }
    await this.#track(this.#write(name, text));
    await this.#maybeEvict();
  }

  async delete(key: string): Promise<void> {
    if (this.#closed) return;
    await this.#track(this.#remove(keyDigest(key)));
  }

  async close(): Promise<void> {
    this.#closed = true;
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
  }

  #path(name: string): string {
    return join(this.#root, name.slice(0, 2), `${name.slice(2)}.json`);
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#inflight.add(work);
    const done = (): void => {
      this.#inflight.delete(work);
    };
    work.then(done, done);
    return work;
  }

  async #write(name: string, text: string): Promise<void> {
    const dir = join(this.#root, name.slice(0, 2));
    const path = this.#path(name);
    const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      try {
        await this.#ensureDir(dir);
        await writeFile(temp, text, { mode: 0o600 });
      } catch (err) {
        if (errorCode(err) !== 'ENOENT') throw err;
        // Someone removed the directory under us: make it again, once.
        this.#madeDirs.clear();
        await this.#ensureDir(dir);
        await writeFile(temp, text, { mode: 0o600 });
      }
      await rename(temp, path);
    } catch (err) {
      await unlink(temp).catch(() => {});
      this.#writeFailed(err);
      this.#hold(name, text);
      return;
    }
    this.#release(name);
    this.#writeOk();
    this.#warnedCorrupt.delete(name);
    this.#forget(name);
    this.#index.set(name, Buffer.byteLength(text));
    this.#bytes += Buffer.byteLength(text);
  }

  async #ensureDir(dir: string): Promise<void> {
    if (this.#madeDirs.has(dir)) return;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    this.#madeDirs.add(dir);
  }

  async #remove(name: string): Promise<void> {
    this.#release(name);
    this.#forget(name);
    try {
      await unlink(this.#path(name));
    } catch (err) {
      if (errorCode(err) !== 'ENOENT') this.#writeFailed(err);
      return;
    }
    this.#writeOk();
  }

  #forget(name: string): void {
    const size = this.#index.get(name);
    if (size === undefined) return;
    this.#index.delete(name);
    this.#bytes -= size;
  }

  #maybeEvict(): Promise<void> {
    if (this.#evicting) return this.#evicting;
    if (this.#index.size <= this.#maxEntries && this.#bytes <= this.#maxBytes) return Promise.resolve();
    const evicting = this.#track(this.#evict()).finally(() => {
      this.#evicting = undefined;
    });
    this.#evicting = evicting;
    return evicting;
  }

  async #evict(): Promise<void> {
    const targetEntries = Math.floor(this.#maxEntries * EVICT_TO);
    const targetBytes = Math.floor(this.#maxBytes * EVICT_TO);
    const victims: string[] = [];
    let entries = this.#index.size;
    let bytes = this.#bytes;
    for (const [name, size] of this.#index) {
      if (entries <= targetEntries && bytes <= targetBytes) break;
      victims.push(name);
      entries--;
      bytes -= size;
    }
    for (const name of victims) this.#forget(name);
    this.#logger.debug(
      {
        cache: 'file',
        dir: this.dir,
        evicted: victims.length,
        entries: this.#index.size,
        bytes: this.#bytes,
      },
      'file cache over its budget: evicted the oldest entries',
    );
    const limit = pLimit(FS_CONCURRENCY);
    await Promise.all(
      victims.map((name) =>
        limit(async () => {
          if (this.#index.has(name)) return; // written again since it was picked
          await unlink(this.#path(name)).catch(() => {});
        }),
      ),
    );
  }

  async #scan(): Promise<void> {
    const found: { name: string; size: number; mtimeMs: number }[] = [];
    const limit = pLimit(FS_CONCURRENCY);
    const subdirs = (await readdir(this.#root, { withFileTypes: true }))
      .filter((d) => d.isDirectory() && SUBDIR.test(d.name))
      .map((d) => d.name);
    await Promise.all(
      subdirs.map(async (sub) => {
        const dir = join(this.#root, sub);
        const names = await readdir(dir).catch(() => [] as string[]);
        this.#madeDirs.add(dir);
        await Promise.all(
          names.map((file) =>
            limit(async () => {
              const isEntry = ENTRY_FILE.test(file);
              if (!isEntry && !file.endsWith('.tmp')) return;
              const info = await stat(join(dir, file)).catch(() => undefined);
              if (!info?.isFile()) return;
              if (isEntry) {
                found.push({ name: sub + file.slice(0, 62), size: info.size, mtimeMs: info.mtimeMs });
              } else if (this.#clock.now() - info.mtimeMs > STALE_TEMP_MS) {
                await unlink(join(dir, file)).catch(() => {});
              }
            }),
          ),
        );
      }),
    );
    found.sort((a, b) => a.mtimeMs - b.mtimeMs || (a.name < b.name ? -1 : 1));
    for (const entry of found) {
      this.#index.set(entry.name, entry.size);
      this.#bytes += entry.size;
    }
  }

  #warnCorrupt(name: string, path: string): void {
    if (this.#warnedCorrupt.has(name)) return;
    this.#warnedCorrupt.add(name);
    this.#logger.warn(
      { cache: 'file', path },
      'ignoring an unreadable image metadata cache file; it is replaced on the next refresh',
    );
  }

  #readFailed(err: unknown): void {
    if (this.#readFailing) return;
    this.#readFailing = true;
    this.#logger.warn(
      { cache: 'file', dir: this.dir, error: errorText(err) },
      'cannot read the image metadata cache; treating entries as missing until reads work again',
    );
  }

  #readOk(): void {
    if (!this.#readFailing) return;
    this.#readFailing = false;
    this.#logger.info({ cache: 'file', dir: this.dir }, 'image metadata cache reads work again');
  }

  #writeFailed(err: unknown): void {
    if (this.#writeFailing) return;
    this.#writeFailing = true;
    this.#logger.warn(
      { cache: 'file', dir: this.dir, error: errorText(err) },
      'cannot write the image metadata cache; dropping writes until it works again',
    );
  }

  #writeOk(): void {
    if (!this.#writeFailing) return;
    this.#writeFailing = false;
    this.#logger.info(
      { cache: 'file', dir: this.dir, held: this.#unwritten.size },
      'image metadata cache writes work again',
    );
    // Write out what was kept in memory meanwhile (each write releases its entry).
    for (const [name, text] of [...this.#unwritten]) void this.#track(this.#write(name, text));
  }

  /** Keeps an entry that could not be written, within the store's byte budget (oldest dropped first). */
  #hold(name: string, text: string): void {
    this.#release(name);
    this.#unwritten.set(name, text);
    this.#unwrittenBytes += Buffer.byteLength(text);
    for (const [oldest, held] of this.#unwritten) {
      if (this.#unwrittenBytes <= this.#maxBytes && this.#unwritten.size <= this.#maxEntries) break;
      this.#unwritten.delete(oldest);
      this.#unwrittenBytes -= Buffer.byteLength(held);
    }
  }

  #release(name: string): void {
    const held = this.#unwritten.get(name);
    if (held === undefined) return;
    this.#unwritten.delete(name);
    this.#unwrittenBytes -= Buffer.byteLength(held);
  }
}
