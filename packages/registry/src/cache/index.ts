export type {
  CacheStoreConfig,
  CacheStoreDeps,
  FileCacheConfig,
  MemcachedCacheConfig,
  MemoryCacheConfig,
} from './create-cache-store.ts';
export { createCacheStore } from './create-cache-store.ts';
export { CacheError, CacheErrorCode } from './errors.ts';
export type { FileCacheStoreOptions } from './file-store.ts';
export { DEFAULT_FILE_MAX_BYTES, DEFAULT_FILE_MAX_ENTRIES, FileCacheStore } from './file-store.ts';
export { CACHE_KEY_PREFIX, imageKey, memcachedKey, repoKey, tagKey } from './keys.ts';
export type { MemcachedCacheStoreOptions } from './memcached-store.ts';
export {
  DEFAULT_MEMCACHED_PORT,
  DEFAULT_MEMCACHED_TIMEOUT_MS,
  MemcachedCacheStore,
} from './memcached-store.ts';
export type { MemoryCacheStoreOptions } from './memory-store.ts';
export { MemoryCacheStore } from './memory-store.ts';
export type { CacheEntry, CacheSetOptions, CacheStore } from './store.ts';
export { CacheStoreKind, defaultExpireAt } from './store.ts';
