import type { SrvRecord } from 'node:dns';
import { resolveSrv as dnsResolveSrv } from 'node:dns/promises';
import { type Clock, type Logger, noopLogger, systemClock } from '@flux-ts/core';
import { KeyvMemcache } from '@keyv/memcache';
import { CacheError, CacheErrorCode } from './errors.ts';
import { memcachedKey } from './keys.ts';
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

/** Options of {@link MemcachedCacheStore.open}; the names follow fluxd's `--memcached-*` flags. */
export interface MemcachedCacheStoreOptions {
  /** `--memcached-hostname`: the server's host, or the domain of the SRV lookup. */
  hostname: string;
  /** `--memcached-port` (default 11211); unused with `service`. */
  port?: number;
  /**
   * `--memcached-service`: when non-empty, servers are `_<service>._tcp.<hostname>` SRV records,
   * looked up again every `discoveryIntervalMs`; empty or unset = the fixed `hostname:port`.
   */
  service?: string;
  /** `--memcached-timeout` in ms, for connecting and for each operation (default 1000). */
  timeoutMs?: number;
  /** How often SRV records are looked up again (default 60,000). */
  discoveryIntervalMs?: number;
  clock?: Clock;
  logger?: Logger;
  /** SRV lookup (default `node:dns` `resolveSrv`); tests inject a fake. */
  resolveSrv?: (name: string) => Promise<SrvRecord[]>;
}

/** Default `--memcached-port`. */
export const DEFAULT_MEMCACHED_PORT = 11211;
/** Default `--memcached-timeout`, ms. */
export const DEFAULT_MEMCACHED_TIMEOUT_MS = 1000;
/** How often SRV records are refreshed by default, ms (Flux v1: every minute). */
export const DEFAULT_MEMCACHED_DISCOVERY_INTERVAL_MS = 60_000;
/**
 * Longest item TTL we send, in seconds: memcached reads a larger "TTL" as an absolute Unix time.
 * Entries meant to live longer are re-stored long before (the warmer's deadlines are ≤ 7 days).
 */
export const MEMCACHED_MAX_TTL_SECONDS: number = 30 * 24 * 3600;

const HOSTNAME = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,251}[A-Za-z0-9_])?\.?$/;
const SERVICE = /^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?$/;

/** What we use of memjs's client (its types are not installed). */
interface MemjsClient {
  close(): void;
}

interface Connection {
  /** `host:port,…`, sorted. */
  readonly servers: string;
  readonly adapter: KeyvMemcache;
  inflight: number;
  retired: boolean;
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** memjs reports a memcached error status (e.g. "Value too large") as `MemJS <OP>: <reason>`. */
const isServerReply = (err: unknown): boolean => err instanceof Error && /^MemJS [A-Z]+: /.test(err.message);

/** Never echo `user:password@` back in an error message. */
const redact = (host: string): string => host.replace(/^.*@/, '<redacted>@');

function configError(message: string, help: string): CacheError {
  return new CacheError(message, { code: CacheErrorCode.MemcachedConfig, help });
}

function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/**
 * Memcached through `@keyv/memcache` (memjs underneath). Entries are shared with every daemon
 * that uses the same memcached; keys carry our version prefix (see `keys.ts`) and are mapped to
 * valid memcached keys with {@link memcachedKey}.
 *
 * We call the `@keyv/memcache` adapter directly rather than through `Keyv`: `Keyv.get` turns
 * the adapter's miss into an "expired" record and sends a `delete` for every miss, which costs
 * a round trip and can delete what another daemon has just written; `Keyv` also doubles the
 * namespace in the key. Each item is our JSON entry (`store.ts`), which carries `expireAt`
 * checked against the injected clock on read; memcached's own TTL (whole seconds, at least 1,
 * at most 30 days) only frees the memory.
 *
 * An unreachable server never throws: `get` misses, writes are dropped, `healthy` turns false
 * and one warning is logged per outage (and one info line when it is back).
 */
export class MemcachedCacheStore implements CacheStore {
  readonly kind: CacheStoreKind = CacheStoreKind.Memcached;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #timeoutSeconds: number;
  readonly #srvName: string | undefined;
  readonly #resolveSrv: (name: string) => Promise<SrvRecord[]>;
  readonly #discoveryIntervalMs: number;
  readonly #stopDiscovery = new AbortController();
  readonly #inflight = new Set<Promise<unknown>>();
  #discovery: Promise<void> | undefined;
  #conn: Connection | undefined;
  #healthy = true;
  #discoveryFailing = false;
  #closed = false;

  private constructor(options: MemcachedCacheStoreOptions, srvName: string | undefined, timeoutMs: number) {
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? noopLogger;
    this.#timeoutSeconds = timeoutMs / 1000;
    this.#srvName = srvName;
    this.#resolveSrv = options.resolveSrv ?? dnsResolveSrv;
    this.#discoveryIntervalMs = options.discoveryIntervalMs ?? DEFAULT_MEMCACHED_DISCOVERY_INTERVAL_MS;
  }

  /**
   * Validates the address and connects (lazily: the first operation dials). With `service`, the
   * SRV records are looked up once before this resolves; a failed lookup is logged, not thrown,
   * and retried every `discoveryIntervalMs`.
   * @throws CacheError when the hostname, port, service or timeout is malformed.
   */
  static async open(options: MemcachedCacheStoreOptions): Promise<MemcachedCacheStore> {
    const { hostname } = options;
    const port = options.port ?? DEFAULT_MEMCACHED_PORT;
    const service = options.service ?? '';
    const timeoutMs = options.timeoutMs ?? DEFAULT_MEMCACHED_TIMEOUT_MS;
    if (!HOSTNAME.test(hostname)) {
      throw configError(
        `memcached hostname "${redact(hostname)}" is not a host name or IPv4 address`,
        'Set --memcached-hostname to the memcached host name or IPv4 address (e.g. memcached.flux.svc.cluster.local); credentials, URLs and IPv6 literals are not supported.',
      );
    }
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw configError(
        `memcached port ${port} for ${hostname} is not a TCP port`,
        'Set --memcached-port to a number from 1 to 65535 (default 11211).',
      );
    }
    if (service !== '' && !SERVICE.test(service)) {
      throw configError(
        `memcached service "${service}" is not an SRV service name`,
        'Set --memcached-service to the SRV service name (e.g. memcached), or to an empty string to use --memcached-hostname and --memcached-port directly.',
      );
    }
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw configError(
        `memcached timeout ${timeoutMs} ms for ${hostname} is not a positive duration`,
        'Set --memcached-timeout to a positive duration such as 1s.',
      );
    }
    const interval = options.discoveryIntervalMs ?? DEFAULT_MEMCACHED_DISCOVERY_INTERVAL_MS;
    if (!Number.isFinite(interval) || interval <= 0) {
      throw configError(
        `memcached discovery interval ${interval} ms is not a positive duration`,
        'Leave the discovery interval unset (one minute) or make it positive.',
      );
    }
    const srvName = service === '' ? undefined : `_${service}._tcp.${hostname}`;
    const store = new MemcachedCacheStore(options, srvName, timeoutMs);
    if (srvName === undefined) {
      store.#connect(`${hostname}:${port}`);
    } else {
      await store.#discover(srvName);
      store.#discovery = store.#discoverEvery(srvName);
    }
    return store;
  }

  /** False from the first failed operation of an outage until the next successful one. */
  get healthy(): boolean {
    return this.#healthy;
  }

  /** The servers in use, `host:port`, sorted; empty while SRV discovery has found none. */
  get servers(): string[] {
    return this.#conn ? this.#conn.servers.split(',') : [];
  }

  async get<T>(key: string, signal?: AbortSignal): Promise<CacheEntry<T> | undefined> {
    signal?.throwIfAborted();
    const conn = this.#connection();
    if (conn === undefined) return undefined;
    let text: string | undefined;
    try {
      const raw = await this.#use(conn, () => conn.adapter.get<string>(memcachedKey(key)), signal);
      text = typeof raw === 'object' && raw !== null && typeof raw.value === 'string' ? raw.value : undefined;
    } catch (err) {
      signal?.throwIfAborted();
      this.#failed(err, 'get');
      return undefined;
    }
    this.#up();
    if (text === undefined) return undefined;
    const stored = decodeEntry(text);
    if (stored === undefined) {
      this.#logger.debug(
        { cache: 'memcached', key },
        'ignoring a memcached item that is not a flux-ts entry',
      );
      return undefined;
    }
    return entryFor<T>(stored, key, this.#clock.now());
  }

  async set<T>(key: string, value: T, options: CacheSetOptions): Promise<void> {
    const now = this.#clock.now();
    const deadlines = resolveSetOptions(now, options);
    const text = encodeEntry(key, value, deadlines);
    if (isExpired(deadlines.expireAt, now)) {
      await this.delete(key);
      return;
    }
    const conn = this.#connection();
    if (conn === undefined) return;
    const ttlSeconds = Math.min(
      MEMCACHED_MAX_TTL_SECONDS,
      Math.max(1, Math.ceil((deadlines.expireAt - now) / 1000)),
    );
    try {
      // The adapter takes ms and sends Math.floor(ms / 1000) seconds.
      await this.#use(conn, () => conn.adapter.set(memcachedKey(key), text, ttlSeconds * 1000));
    } catch (err) {
      this.#failed(err, 'set', key, Buffer.byteLength(text));
      return;
    }
    this.#up();
  }

  async delete(key: string): Promise<void> {
    const conn = this.#connection();
    if (conn === undefined) return;
    try {
      await this.#use(conn, () => conn.adapter.delete(memcachedKey(key)));
    } catch (err) {
      this.#failed(err, 'delete');
      return;
    }
    this.#up();
  }

  /** Stops SRV refreshes, waits for operations in flight, and closes the memjs sockets. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopDiscovery.abort();
    await this.#discovery;
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
    const conn = this.#conn;
    this.#conn = undefined;
    if (conn) this.#retire(conn);
  }

  /** The current connection; undefined (and counted as an outage) when there is no server. */
  #connection(): Connection | undefined {
    if (this.#closed) return undefined;
    if (this.#conn === undefined) this.#down(new Error(`no memcached servers found at ${this.#srvName}`));
    return this.#conn;
  }

  #use<R>(conn: Connection, op: () => Promise<R>, signal?: AbortSignal): Promise<R> {
    conn.inflight++;
    const work = op().finally(() => {
      conn.inflight--;
      if (conn.retired && conn.inflight === 0) this.#closeClient(conn);
    });
    this.#inflight.add(work);
    const done = (): void => {
      this.#inflight.delete(work);
    };
    work.then(done, done);
    return abortable(work, signal);
  }

  #connect(servers: string): void {
    const old = this.#conn;
    this.#conn = servers === '' ? undefined : this.#newConnection(servers);
    if (old) this.#retire(old);
  }

  #newConnection(servers: string): Connection {
    const adapter = new KeyvMemcache(servers, {
      // One attempt per operation, bounded by --memcached-timeout; failures go to #failed.
      retries: 1,
      retry_delay: 0,
      failover: false,
      timeout: this.#timeoutSeconds,
      conntimeout: this.#timeoutSeconds,
      // memjs logs to the console by default; libraries never print.
      logger: { log: (): void => {} },
      // The item is our JSON text: hand it back as is (the default would revive ":"-strings).
      deserialize: (data: Buffer) => ({ value: data.toString('utf8') }),
    });
    // The adapter emits 'error' as well as rejecting; an EventEmitter without a listener throws.
    adapter.on('error', () => {});
    return { servers, adapter, inflight: 0, retired: false };
  }

  #retire(conn: Connection): void {
    conn.retired = true;
    if (conn.inflight === 0) this.#closeClient(conn);
  }

  #closeClient(conn: Connection): void {
    // `Keyv.disconnect()` would not close memjs's sockets and the process would not exit.
    (conn.adapter.client as MemjsClient).close();
  }

  async #discoverEvery(srvName: string): Promise<void> {
    const signal = this.#stopDiscovery.signal;
    for (;;) {
      try {
        await this.#clock.sleep(this.#discoveryIntervalMs, signal);
      } catch {
        return;
      }
      await this.#discover(srvName);
    }
  }

  async #discover(srvName: string): Promise<void> {
    let records: SrvRecord[];
    try {
      records = await this.#resolveSrv(srvName);
    } catch (err) {
      if (!this.#discoveryFailing) {
        this.#discoveryFailing = true;
        this.#logger.warn(
          { cache: 'memcached', srv: srvName, servers: this.servers, error: errorText(err) },
          'cannot look up memcached servers; keeping the current list',
        );
      }
      return;
    }
    if (this.#discoveryFailing) {
      this.#discoveryFailing = false;
      this.#logger.info({ cache: 'memcached', srv: srvName }, 'memcached server lookup works again');
    }
    if (this.#closed) return;
    const servers = [...new Set(records.map((r) => `${r.name.replace(/\.$/, '')}:${r.port}`))]
      .sort()
      .join(',');
    if (servers === (this.#conn?.servers ?? '')) return;
    this.#logger.info(
      { cache: 'memcached', srv: srvName, servers: servers === '' ? [] : servers.split(',') },
      'memcached servers changed',
    );
    this.#connect(servers);
  }

  #failed(err: unknown, op: string, key?: string, bytes?: number): void {
    if (isServerReply(err)) {
      // memcached answered: it is up, it refused this one operation (e.g. value too large).
      this.#up();
      this.#logger.warn(
        { cache: 'memcached', op, key, bytes, error: errorText(err) },
        'memcached refused an operation',
      );
      return;
    }
    this.#down(err);
  }

  #down(err: unknown): void {
    if (!this.#healthy) {
      this.#logger.debug({ cache: 'memcached', error: errorText(err) }, 'memcached still unreachable');
      return;
    }
    this.#healthy = false;
    this.#logger.warn(
      { cache: 'memcached', servers: this.servers, error: errorText(err) },
      'memcached unreachable: image metadata reads miss and writes are dropped until it is back',
    );
  }

  #up(): void {
    if (this.#healthy) return;
    this.#healthy = true;
    this.#logger.info({ cache: 'memcached', servers: this.servers }, 'memcached reachable again');
  }
}
