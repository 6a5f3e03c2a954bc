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
import { DEFAULT_PLATFORM, imageKey, repoKey, tagKey } from '../cache/keys.ts';
import type { CacheStore } from '../cache/store.ts';
import { ManifestUnknownError, NoSuitablePlatformError, RateLimitedError } from '../client/errors.ts';
import type { RegistryClient } from '../client/registry-client.ts';
import { FillPriority, FillQueue } from './fill-queue.ts';
import { isMutableTag } from './mutable-tag.ts';
import { type ScanDemand, timeOrderedFilters } from './scan-demand.ts';

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
  /** How often a mutable tag (see `isMutableTag`: `latest`, `main`…) is re-checked with a HEAD. Default 1 hour. */
  mutableRecheckMs?: number;
  /**
   * Tag lists read at once in a warmer pass, and metadata fetches in flight across all repositories
   * (as many again for fetches someone waits for: `refresh`, `imageInfo`). Default 4.
   */
  concurrency?: number;
  clock?: Clock;
  logger?: Logger;
  /** Called when a refresh found tags that were not there before. */
  onNewTags?: (repository: string, tags: string[]) => void;
  /**
   * Called when the background fill read a tag a time-ordered automated filter (`glob:`, `regexp:`,
   * none) may pick: that decision needs its creation time, which only the fill can tell, so it may
   * now run again.
   */
  onDecisionFilled?: (repository: string, tag: string) => void;
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
  /**
   * Reads the tag list and fills the repository's missing metadata, newest first, ahead of the
   * warmer's background fill; resolves when done (or stopped by a 429: the rest waits for a later refresh).
   */
  refresh(repository: string, signal?: AbortSignal): Promise<RepositoryMetadata>;
  /** Metadata of one image, fetching it when missing (for a release of a named image). */
  imageInfo(ref: ImageRef | string, signal?: AbortSignal): Promise<ImageInfo | undefined>;
  /**
   * The warmer, until `signal` aborts: each pass (at most every minute) first reads the tag list of
   * every repository due for a refresh (all a `semver:` decision needs), then leaves the missing
   * metadata to one background fill shared by all repositories, bounded by `concurrency`, newest tags
   * first, the tags a time-ordered automated filter admits (see {@link ScanDemand}) before the rest.
   * A plain string is a repository no automated container runs.
   */
  start(repositories: () => Iterable<string | ScanDemand>, signal: AbortSignal): Promise<void>;
  /** Asks the running loop to read a repository's tag list next, before the others (a release, a webhook). */
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

// Version order, newest first: the order of the fill (tags that are not versions last, by name descending).
const VERSIONS = parseTagPattern('semver:*', { lenient: true });

/** A repository's tag list as just read, and what its fill has to do, newest first. */
interface Listed {
  ref: ImageRef;
  tags: string[];
  todo: { tag: string; recheck: boolean }[];
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
  readonly #o: Required<Omit<ScannerOptions, 'onNewTags' | 'onDecisionFilled' | 'onCacheLookup'>> &
    Pick<ScannerOptions, 'onNewTags' | 'onDecisionFilled' | 'onCacheLookup'>;
  /** Tag lists being read, by canonical name: a second reader joins the first. */
  readonly #listing = new Map<string, Promise<Listed>>();
  /** The metadata fill of every repository. */
  readonly #fills: FillQueue;
  /** What the automated decisions on each repository order by (the warmer's last `repositories()`). */
  #demand = new Map<string, ScanDemand>();
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
    this.#fills = new FillQueue({ concurrency: this.#o.concurrency });
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

  async refresh(repository: string, signal?: AbortSignal): Promise<RepositoryMetadata> {
    const ref = parseImageRef(repository);
    if (!this.#o.scan(ref.canonicalName)) throw new RepositoryExcludedError(ref.canonicalName);
    const listed = await this.#list(ref, signal);
    const results = await Promise.allSettled(this.#enqueue(listed, true, signal));
    this.#o.logger.info(
      {
        repository: ref.name,
        tags: listed.tags.length,
        fetched: listed.todo.length,
        rateLimited: results.some((r) => r.status === 'rejected' && r.reason instanceof RateLimitedError),
      },
      'refreshed image repository',
    );
    return this.getRepository(repository);
  }

  /** Reads a repository's tag list once, however many ask at the same time. */
  #list(ref: ImageRef, signal?: AbortSignal): Promise<Listed> {
    const name = ref.canonicalName;
    const running = this.#listing.get(name);
    if (running) return running;
    const job = this.#readTags(ref, signal).finally(() => this.#listing.delete(name));
    this.#listing.set(name, job);
    return job;
  }

  async #readTags(ref: ImageRef, signal?: AbortSignal): Promise<Listed> {
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

    // What the fill has to do: tags never read, and mutable tags due for a re-check; newest first.
    const todo: Listed['todo'] = [];
    for (const tag of tags) {
      const record = await this.#o.cache.get<TagRecord>(tagKey(ref.canonicalName, tag, this.#o.platforms));
      this.#o.onCacheLookup?.(record !== undefined);
      if (!record) todo.push({ tag, recheck: false });
      else if (isMutableTag(tag) && now - record.value.checkedAt >= this.#o.mutableRecheckMs)
        todo.push({ tag, recheck: true });
    }
    todo.sort((a, b) => VERSIONS.compare({ ref: { tag: a.tag } }, { ref: { tag: b.tag } }));
    return { ref, tags, todo };
  }

  /**
   * Hands a repository's fill to the shared queue: waited (a caller awaits it) or in the background,
   * where the tags a time-ordered automated filter admits come first. Ranks count per priority, so
   * every repository's newest tags are read before anyone's older ones.
   */
  #enqueue(listed: Listed, waited: boolean, signal?: AbortSignal): Promise<void>[] {
    const { ref } = listed;
    const filters = waited ? [] : timeOrderedFilters(this.#demand.get(ref.canonicalName));
    const ranks = new Map<FillPriority, number>();
    return listed.todo.map(({ tag, recheck }) => {
      const priority = waited
        ? FillPriority.Waited
        : filters.some((f) => f.matches(tag))
          ? FillPriority.Decision
          : FillPriority.Background;
      const rank = ranks.get(priority) ?? 0;
      ranks.set(priority, rank + 1);
      return this.#fills.add({
        key: `${ref.canonicalName}:${tag}`,
        group: ref.registry,
        priority,
        rank,
        signal,
        run: () => this.#fillOne(ref, tag, recheck, priority, signal),
      });
    });
  }

  /** One job of the fill. A 429 drops the host's queued jobs: they come back at their next refresh. */
  async #fillOne(
    ref: ImageRef,
    tag: string,
    recheck: boolean,
    priority: FillPriority,
    signal?: AbortSignal,
  ): Promise<void> {
    try {
      await this.#fill(this.#o.clientFor(ref.registry), ref, tag, recheck, signal);
      if (priority === FillPriority.Decision) this.#o.onDecisionFilled?.(ref.canonicalName, tag);
    } catch (err) {
      if (err instanceof RateLimitedError) {
        const dropped = this.#fills.dropGroup(ref.registry, err);
        if (dropped > 0)
          this.#o.logger.info(
            { host: ref.registry, dropped },
            'registry rate limited the metadata fill: the rest waits for the next refresh',
          );
      } else if (!signal?.aborted && priority !== FillPriority.Waited) {
        this.#o.logger.warn(
          { image: `${ref.name}:${tag}`, err: (err as Error).message },
          'cannot read image metadata',
        );
      }
      throw err;
    }
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
    const previous = await this.#o.cache.get<TagRecord>(tk);
    if (recheck) {
      const head = await client.headDigest(repo.repository, tag, signal);
      if (previous && previous.value.headDigest === head) {
        await this.#o.cache.set<TagRecord>(tk, { ...previous.value, checkedAt: now }, keep);
        return;
      }
    } else if (previous && (await this.#o.cache.get<StoredInfo>(imageKey(previous.value.digest)))) {
      return; // read since it was queued (by a release, a refresh)
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
      // Through the fill, ahead of its background work: a queued or running read of the tag is joined.
      await this.#fills.add({
        key: `${ref.canonicalName}:${ref.tag}`,
        group: ref.registry,
        priority: FillPriority.Waited,
        rank: 0,
        signal,
        run: () => this.#fillOne(ref, ref.tag, false, FillPriority.Waited, signal),
      });
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

  async start(repositories: () => Iterable<string | ScanDemand>, signal: AbortSignal): Promise<void> {
    try {
      while (!signal.aborted) {
        await this.#listPass(this.#readDemand(repositories()), signal);
        // Sleep until the next pass, or until a priority request arrives.
        if (this.#priority.size > 0) continue;
        const wake = new AbortController();
        this.#wake = () => wake.abort();
        await this.#o.clock
          .sleep(Math.min(60_000, this.#o.refreshIntervalMs), AbortSignal.any([signal, wake.signal]))
          .catch(() => undefined);
        this.#wake = undefined;
      }
    } finally {
      this.#fills.prune();
    }
  }

  /** Keeps what the decisions on each repository need; returns the canonical names, in order. */
  #readDemand(wanted: Iterable<string | ScanDemand>): string[] {
    const demand = new Map<string, ScanDemand>();
    for (const item of wanted) {
      const d = typeof item === 'string' ? { repository: item } : item;
      try {
        const name = parseImageRef(d.repository).canonicalName;
        const seen = demand.get(name);
        const filters = [...(seen?.automatedFilters ?? []), ...(d.automatedFilters ?? [])];
        demand.set(name, { repository: name, ...(filters.length > 0 ? { automatedFilters: filters } : {}) });
      } catch (err) {
        this.#o.logger.warn(
          { repository: d.repository, err: (err as Error).message },
          'cannot scan repository',
        );
      }
    }
    this.#demand = demand;
    return [...demand.keys()];
  }

  /**
   * One warmer pass: the tag lists of the prioritised repositories, then of every repository due for a
   * refresh, `concurrency` at a time. A host's background fill waits until the pass has read that
   * host's lists (a decision that needs only tags never queues behind metadata); a host that does not
   * answer holds up only its own fill. What the lists show missing goes to the fill.
   */
  async #listPass(names: readonly string[], signal: AbortSignal): Promise<void> {
    const left = new Map<string, number>();
    for (const name of names) {
      const host = parseImageRef(name).registry;
      left.set(host, (left.get(host) ?? 0) + 1);
    }
    const releases = new Map([...left.keys()].map((host) => [host, this.#fills.hold(host)]));
    const listed = (name: string): void => {
      const host = parseImageRef(name).registry;
      const n = (left.get(host) ?? 1) - 1;
      left.set(host, n);
      if (n === 0) releases.get(host)?.();
    };
    try {
      const pass = names[Symbol.iterator]();
      const next = (): { name: string; prioritised: boolean } | undefined => {
        for (const name of this.#priority) {
          this.#priority.delete(name);
          return { name, prioritised: true };
        }
        const item = pass.next();
        return item.done ? undefined : { name: item.value, prioritised: false };
      };
      const worker = async (): Promise<void> => {
        for (let item = next(); item && !signal.aborted; item = next()) {
          await this.#warm(item.name, item.prioritised, signal);
          if (!item.prioritised) listed(item.name);
        }
      };
      await Promise.all(Array.from({ length: this.#o.concurrency }, worker));
    } finally {
      for (const release of releases.values()) release();
    }
  }

  async #warm(repository: string, prioritised: boolean, signal: AbortSignal): Promise<void> {
    try {
      const ref = parseImageRef(repository);
      if (!this.#o.scan(ref.canonicalName)) return;
      if (!prioritised) {
        const record = await this.#o.cache.get<RepoRecord>(repoKey(ref.canonicalName));
        if (record && record.refreshAt > this.#now()) return;
      }
      const listed = await this.#list(ref, signal);
      // Not awaited: the fill runs in the background; the queue handles its failures.
      this.#enqueue(listed, false, signal);
      this.#o.logger.info(
        { repository: ref.name, tags: listed.tags.length, queued: listed.todo.length },
        'refreshed image repository',
      );
    } catch (err) {
      if (!signal.aborted)
        this.#o.logger.warn({ repository, err: (err as Error).message }, 'cannot refresh image repository');
    }
  }
}

/** Creates a scanner over a cache store and per-host registry clients. */
export function createScanner(options: ScannerOptions): Scanner {
  return new CachingScanner(options);
}
