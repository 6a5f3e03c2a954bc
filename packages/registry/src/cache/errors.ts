import { ErrorKind, FluxError } from '@flux-ts/core';

/** Stable codes of {@link CacheError}. */
export const CacheErrorCode = {
  /** The file store's directory cannot be created or written. */
  DirUnusable: 'cache.dir-unusable',
  /** A memcached hostname, port, service or timeout is not usable. */
  MemcachedConfig: 'cache.memcached-config',
  /** A file-store size limit is not a positive number. */
  InvalidLimit: 'cache.invalid-limit',
} as const;
export type CacheErrorCode = (typeof CacheErrorCode)[keyof typeof CacheErrorCode];

/**
 * A misconfigured image-metadata cache. Thrown only when a store is opened (a directory that
 * cannot be written, a malformed memcached address); a running store never throws for an
 * unreachable backend, it misses instead. Messages name the path or host, never a cached value.
 */
export class CacheError extends FluxError {
  declare readonly code: CacheErrorCode;

  constructor(message: string, options: { code: CacheErrorCode; help: string; cause?: unknown }) {
    super(message, { ...options, kind: ErrorKind.User });
  }
}
