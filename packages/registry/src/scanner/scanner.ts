import {
  type Clock,
  ErrorKind,
  FluxError,
  type ImageInfo,
  type ImageRef,
  type Logger,
  noopLogger,
  parseImageRef,
  parseTagPattern,
  systemClock,
} from '@flux-ts/core';
import pLimit from 'p-limit';
import { DEFAULT_PLATFORM, imageKey, repoKey, tagKey } from '../cache/keys.ts';
import type { CacheStore } from '../cache/store.ts';
import { ManifestUnknownError, NoSuitablePlatformError, RateLimitedError } from '../client/errors.ts';
import type { RegistryClient } from '../client/registry-client.ts';

/** What the scanner knows of a repository. */
export interface RepositoryMetadata {
  /** Canonical repository name, e.g. `index.docker.io/library/nginx`. */
  name: string;
  tags: string[];
  /**
   * One entry per tag: full metadata when fetched, else just the reference (decisions never wait for
   * it); a tag without an image for the configured platforms carries `platformMismatch` instead.
   */
  images: ImageInfo[];
  /** When the tag list was last read (ms epoch), 0 when never. */
  lastUpdate: number;
  /** The last error of a tag-list read, if the last one failed. */
  lastError?: string;
}

/** Options of {@link createScanner}. */
export interface ScannerOptions {
  /** A client for a registry host (cached per host by the caller or created on demand). */
  clientFor: (host: string) => RegistryClient;
  cache: CacheStore;
  /** How often a repository's tag list is re-read. Default 5 minutes (`--automation-interval`). */
  refreshIntervalMs?: number;
  /** How often a mutable tag (not a version) is re-checked with a HEAD. Default 1 hour. */
  mutableRecheckMs?: number;
  /** Metadata fetches in flight per repository. Default 4. */
  concurrency?: number;
  clock?: Clock;
  logger?: Logger;
  /** Called when a refresh found tags that were not there before. */
  onNewTags?: (repository: string, tags: string[]) => void;
  /** Which repositories may be scanned (canonical names; see `imageFilter`). Default: all. */
  scan?: (canonicalName: string) => boolean;
  /** Counts tag metadata found in the cache (hit) or fetched (miss) during refreshes. */
  onCacheLookup?: (hit: boolean) => void;
  /** The platforms the clients pick from multi-platform images (`--registry-platform`): part of the tag keys. */
  platforms?: readonly string[];
}

/** A refresh of a repository that the include/exclude globs leave out. */
export class RepositoryExcludedError extends FluxError {
  constructor(canonicalName: string) {
    super(`${canonicalName} is excluded from scanning`, {
      code: 'registry.excluded',
      kind: ErrorKind.User,
      help: 'Change --registry-include-image / --registry-exclude-image to scan it.',
    });
  }
}

/** Keeps image metadata of the repositories in use, at bounded cost. */
export interface Scanner {
  /** What is known now; never waits for the registry. */
  getRepository(repository: string): Promise<RepositoryMetadata>;
  /** Reads the tag list and fills missing metadata, newest first. */
  refresh(repository: string, signal?: AbortSignal): Promise<RepositoryMetadata>;
  /** Metadata of one image, fetching it when missing (for a release of a named image). */
  imageInfo(ref: ImageRef | string, signal?: AbortSignal): Promise<ImageInfo | undefined>;
  /** Refreshes `repositories()` every interval until `signal` aborts. */
  start(repositories: () => Iterable<string>, signal: AbortSignal): Promise<void>;
  /** Asks the running loop to refresh a repository next, before the others (a release, a webhook). */
  prioritise(repository: string): void;
}

interface RepoRecord {
  tags: string[];
  lastUpdate: number;
  lastError?: string;
}

interface TagRecord {
  /** Where the metadata is kept: the (platform) manifest digest. */
  digest: string;
  /** What a HEAD of the tag answers (the list's digest for a multi-platform image). */
  headDigest: string;
  checkedAt: number;
}

interface StoredInfo {
  digest?: string;
  imageId?: string;
  labels?: Record<string, string>;
  createdAt?: string;
  lastFetched?: string;
  /** Why this image is not usable here (no image for our platform): the registry error's message. */
  excluded?: string;
  /** With `excluded`: the platforms asked for, and the ones the list has (absent in older entries). */
  wanted?: string[];
  available?: string[];
}

// Version order (newest first) for filling, and the test for tags that name a version.
const VERSIONS = parseTagPattern('semver:*', { lenient: true });

/** A tag that names a version is treated as immutable; anything else (latest, main, stable…) is re-checked. */
function isVersionTag(tag: string): boolean {
  return VERSIONS.matches(tag) || /^v?\d+(\.\d+)*([-+._][0-9A-Za-z.-]*)?$/.test(tag);
}

function toInfo(ref: ImageRef, stored: StoredInfo | undefined, platforms: readonly string[]): ImageInfo {
  if (!stored) return { ref };
  if (stored.excluded !== undefined) {
    const wanted = stored.wanted ?? platforms;
    return { ref, platformMismatch: stored.available ? { wanted, available: stored.available } : { wanted } };
  }
  return {
    ref,
    ...(stored.digest ? { digest: stored.digest } : {}),
    ...(stored.imageId ? { imageId: stored.imageId } : {}),
    labels: stored.labels ?? {},
    ...(stored.createdAt ? { createdAt: new Date(stored.createdAt) } : {}),
    ...(stored.lastFetched ? { lastFetched: new Date(stored.lastFetched) } : {}),
  };
}

function toStored(info: ImageInfo): StoredInfo {
  return {
    ...(info.digest ? { digest: info.digest } : {}),
    ...(info.imageId ? { imageId: info.imageId } : {}),
    ...(info.labels ? { labels: info.labels } : {}),
    ...(info.createdAt ? { createdAt: info.createdAt.toISOString() } : {}),
    ...(info.lastFetched ? { lastFetched: info.lastFetched.toISOString() } : {}),
  };
}

// Far enough that the store never considers immutable metadata stale.
const IMMUTABLE_MS = 30 * 24 * 3_600_000;

class CachingScanner implements Scanner {
  readonly #o: Required<Omit<ScannerOptions, 'onNewTags' | 'onCacheLookup'>> &
    Pick<ScannerOptions, 'onNewTags' | 'onCacheLookup'>;
  readonly #inFlight = new Map<string, Promise<RepositoryMetadata>>();
  readonly #priority = new Set<string>();
  #wake: (() => void) | undefined;

  constructor(options: ScannerOptions) {
    this.#o = {
      refreshIntervalMs: 5 * 60_000,
      mutableRecheckMs: 3_600_000,
      concurrency: 4,
      scan: () => true,
      clock: systemClock,
      logger: noopLogger,
      platforms: [DEFAULT_PLATFORM],
      ...options,
    };
  }

  #now(): number {
    return this.#o.clock.now();
  }

  async #images(ref: ImageRef, tags: readonly string[]): Promise<ImageInfo[]> {
    return Promise.all(
      tags.map(async (tag) => {
        const t = await this.#o.cache.get<TagRecord>(tagKey(ref.canonicalName, tag, this.#o.platforms));
        const stored = t ? await this.#o.cache.get<StoredInfo>(imageKey(t.value.digest)) : undefined;
        const info = toInfo(ref.withTag(tag), stored?.value, this.#o.platforms);
        if (t && !info.digest && !info.platformMismatch) info.digest = t.value.digest;
        return info;
      }),
    );
  }

  async getRepository(repository: string): Promise<RepositoryMetadata> {
    const ref = parseImageRef(repository);
    const record = await this.#o.cache.get<RepoRecord>(repoKey(ref.canonicalName));
    const tags = record?.value.tags ?? [];
    return {
      name: ref.canonicalName,
      tags,
      images: await this.#images(ref, tags),
      lastUpdate: record?.value.lastUpdate ?? 0,
      ...(record?.value.lastError ? { lastError: record.value.lastError } : {}),
    };
  }

  refresh(repository: string, signal?: AbortSignal): Promise<RepositoryMetadata> {
    const name = parseImageRef(repository).canonicalName;
    const running = this.#inFlight.get(name);
    if (running) return running;
    const job = this.#refresh(repository, signal).finally(() => this.#inFlight.delete(name));
    this.#inFlight.set(name, job);
    return job;
  }

  async #refresh(repository: string, signal?: AbortSignal): Promise<RepositoryMetadata> {
    const ref = parseImageRef(repository);
    if (!this.#o.scan(ref.canonicalName)) {
      throw new RepositoryExcludedError(
        `${ref.canonicalName} is excluded from scanning (--registry-include-image / --registry-exclude-image)`,
      );
    }
    const client = this.#o.clientFor(ref.registry);
    const key = repoKey(ref.canonicalName);
    const previous = await this.#o.cache.get<RepoRecord>(key);
    const now = this.#now();
    let tags: string[];
    try {
      tags = await client.tags(ref.repository, signal);
    } catch (err) {
      const lastError = (err as Error).message;
      await this.#o.cache.set<RepoRecord>(
        key,
        { tags: previous?.value.tags ?? [], lastUpdate: previous?.value.lastUpdate ?? 0, lastError },
        { refreshAt: now },
      );
      throw err;
    }
    tags.sort();
    await this.#o.cache.set<RepoRecord>(
      key,
      { tags, lastUpdate: now },
      { refreshAt: now + this.#o.refreshIntervalMs, expireAt: now + IMMUTABLE_MS },
    );
    const before = new Set(previous?.value.tags ?? []);
    const added = tags.filter((t) => !before.has(t));
    if (previous && added.length > 0) this.#o.onNewTags?.(ref.canonicalName, added);

    // Fill what is missing, newest first (by version where tags are versions), within the budget.
    const todo: { tag: string; recheck: boolean }[] = [];
    for (const tag of tags) {
      const record = await this.#o.cache.get<TagRecord>(tagKey(ref.canonicalName, tag, this.#o.platforms));
      this.#o.onCacheLookup?.(record !== undefined);
      if (!record) todo.push({ tag, recheck: false });
      else if (!isVersionTag(tag) && now - record.value.checkedAt >= this.#o.mutableRecheckMs)
        todo.push({ tag, recheck: true });
    }
    todo.sort((a, b) => VERSIONS.compare({ ref: { tag: a.tag } }, { ref: { tag: b.tag } }));
    const limit = pLimit(this.#o.concurrency);
    let rateLimited = false;
    await Promise.all(
      todo.map(({ tag, recheck }) =>
        limit(async () => {
          if (rateLimited || signal?.aborted) return;
          try {
            await this.#fill(client, ref, tag, recheck, signal);
          } catch (err) {
            if (err instanceof RateLimitedError)
              rateLimited = true; // resume at the next refresh, without refetching what we have
            else
              this.#o.logger.warn(
                { image: `${ref.name}:${tag}`, err: (err as Error).message },
                'cannot read image metadata',
              );
          }
        }),
      ),
    );
    this.#o.logger.info(
      { repository: ref.name, tags: tags.length, fetched: todo.length, rateLimited },
      'refreshed image repository',
    );
    return this.getRepository(repository);
  }

  async #fill(
    client: RegistryClient,
    repo: ImageRef,
    tag: string,
    recheck: boolean,
    signal?: AbortSignal,
  ): Promise<void> {
    const now = this.#now();
    const tk = tagKey(repo.canonicalName, tag, this.#o.platforms);
    const keep = { refreshAt: now + this.#o.mutableRecheckMs, expireAt: now + IMMUTABLE_MS };
    if (recheck) {
      const previous = await this.#o.cache.get<TagRecord>(tk);
      const head = await client.headDigest(repo.repository, tag, signal);
      if (previous && previous.value.headDigest === head) {
        await this.#o.cache.set<TagRecord>(tk, { ...previous.value, checkedAt: now }, keep);
        return;
      }
    }
    let stored: StoredInfo;
    let digest: string;
    let headDigest: string;
    try {
      const info = await client.imageInfo(repo.withTag(tag), signal);
      digest = info.digest ?? '';
      headDigest = info.indexDigest ?? digest;
      stored = toStored(info);
    } catch (err) {
      if (err instanceof NoSuitablePlatformError) {
        // Skipped with its reason (decisions.md 11). Keyed by the platforms asked for and the list's
        // digest, so daemons scanning for other platforms never read each other's answer.
        const platforms = this.#o.platforms.join(',');
        digest = `excluded:${platforms}:${err.indexDigest ?? `${repo.canonicalName}:${tag}`}`;
        headDigest = err.indexDigest ?? digest;
        stored = { excluded: err.message, wanted: [...err.platforms], available: [...err.available] };
        this.#o.logger.info(
          { image: `${repo.name}:${tag}`, reason: err.message },
          'tag skipped: no image for the configured platforms',
        );
      } else if (err instanceof ManifestUnknownError) {
        return; // deleted between the tag list and now
      } else {
        throw err;
      }
    }
    // Metadata is keyed by digest: content-addressed, fetched once and kept.
    await this.#o.cache.set<StoredInfo>(imageKey(digest), stored, {
      refreshAt: now + IMMUTABLE_MS,
      expireAt: now + IMMUTABLE_MS,
    });
    await this.#o.cache.set<TagRecord>(tk, { digest, headDigest, checkedAt: now }, keep);
  }

  async imageInfo(input: ImageRef | string, signal?: AbortSignal): Promise<ImageInfo | undefined> {
    const ref = typeof input === 'string' ? parseImageRef(input) : input;
    const [known] = await this.#images(ref, [ref.tag]);
    if (known?.createdAt || known?.imageId || known?.platformMismatch) return known;
    try {
      await this.#fill(this.#o.clientFor(ref.registry), ref, ref.tag, false, signal);
    } catch (err) {
      if (err instanceof ManifestUnknownError) return undefined;
      throw err;
    }
    return (await this.#images(ref, [ref.tag]))[0];
  }

  prioritise(repository: string): void {
    this.#priority.add(repository);
    this.#wake?.();
  }

  async #servePriority(signal: AbortSignal): Promise<void> {
    for (const repository of this.#priority) {
      this.#priority.delete(repository);
      if (!this.#o.scan(parseImageRef(repository).canonicalName)) continue;
      await this.refresh(repository, signal).catch((err: unknown) => {
        this.#o.logger.warn({ repository, err: (err as Error).message }, 'cannot refresh image repository');
      });
    }
  }

  async start(repositories: () => Iterable<string>, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.#servePriority(signal);
      for (const repository of repositories()) {
        await this.#servePriority(signal);
        if (signal.aborted) return;
        if (!this.#o.scan(parseImageRef(repository).canonicalName)) continue;
        const record = await this.#o.cache.get<RepoRecord>(repoKey(parseImageRef(repository).canonicalName));
        if (record && record.refreshAt > this.#now()) continue;
        await this.refresh(repository, signal).catch((err: unknown) => {
          this.#o.logger.warn({ repository, err: (err as Error).message }, 'cannot refresh image repository');
        });
      }
      // Sleep until the next pass, or until a priority request arrives.
      if (this.#priority.size > 0) continue;
      const wake = new AbortController();
      this.#wake = () => wake.abort();
      await this.#o.clock
        .sleep(Math.min(60_000, this.#o.refreshIntervalMs), AbortSignal.any([signal, wake.signal]))
        .catch(() => undefined);
      this.#wake = undefined;
    }
  }
}

/** Creates a scanner over a cache store and per-host registry clients. */
export function createScanner(options: ScannerOptions): Scanner {
  return new CachingScanner(options);
}
