import type { SrvRecord } from 'node:dns';
import type { Clock, Logger } from '@flux-ts/core';
import { FileCacheStore } from './file-store.ts';
import { MemcachedCacheStore } from './memcached-store.ts';
import { MemoryCacheStore } from './memory-store.ts';
import type { CacheStore } from './store.ts';

/** A process-local store (tests, `--registry-disable-scanning`). */
export interface MemoryCacheConfig {
  kind: 'memory';
  maxEntries?: number;
}

/** The persistent default: files under `dir`. */
export interface FileCacheConfig {
  kind: 'file';
  dir: string;
  maxEntries?: number;
  maxBytes?: number;
}

/** Memcached, from fluxd's `--memcached-hostname/-port/-service/-timeout` flags. */
export interface MemcachedCacheConfig {
  kind: 'memcached';
  hostname: string;
  port?: number;
  /** SRV service; empty or unset = the fixed `hostname:port`. */
  service?: string;
  timeoutMs?: number;
}

/** Which store {@link createCacheStore} opens, and how. */
export type CacheStoreConfig = MemoryCacheConfig | FileCacheConfig | MemcachedCacheConfig;

/** What the stores share: time, logs, and (memcached only) the SRV resolver. */
export interface CacheStoreDeps {
  clock?: Clock;
  logger?: Logger;
  /** SRV lookup for memcached discovery (default `node:dns`); tests inject a fake. */
  resolveSrv?: (name: string) => Promise<SrvRecord[]>;
}

/**
 * Opens the image-metadata cache described by `options`. The result's concrete type follows
 * `kind`, so callers that need, e.g., the file store's `usage` keep it.
 * @throws CacheError when the configuration cannot work (unwritable directory, bad address).
 */
export function createCacheStore(
  options: MemoryCacheConfig,
  deps?: CacheStoreDeps,
): Promise<MemoryCacheStore>;
export function createCacheStore(options: FileCacheConfig, deps?: CacheStoreDeps): Promise<FileCacheStore>;
export function createCacheStore(
  options: MemcachedCacheConfig,
  deps?: CacheStoreDeps,
): Promise<MemcachedCacheStore>;
export function createCacheStore(options: CacheStoreConfig, deps?: CacheStoreDeps): Promise<CacheStore>;
export async function createCacheStore(
  options: CacheStoreConfig,
  deps: CacheStoreDeps = {},
): Promise<CacheStore> {
  const { clock, logger } = deps;
  switch (options.kind) {
    case 'memory':
      return new MemoryCacheStore({ clock, maxEntries: options.maxEntries });
    case 'file':
      return FileCacheStore.open({
        dir: options.dir,
        maxEntries: options.maxEntries,
        maxBytes: options.maxBytes,
        clock,
        logger,
      });
    case 'memcached':
      return MemcachedCacheStore.open({
        hostname: options.hostname,
        port: options.port,
        service: options.service,
        timeoutMs: options.timeoutMs,
        clock,
        logger,
        resolveSrv: deps.resolveSrv,
      });
  }
}
