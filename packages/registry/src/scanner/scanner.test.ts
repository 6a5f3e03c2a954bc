import { type ImageInfo, type ImageRef, ManualClock, parseImageRef } from '@flux-ts/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createCacheStore } from '../cache/create-cache-store.ts';
import type { CacheStore } from '../cache/store.ts';
import { RateLimitedError } from '../client/errors.ts';
import type { FetchedManifest, RegistryClient } from '../client/registry-client.ts';
import type { ScanDemand } from './scan-demand.ts';
import { createScanner, type Scanner } from './scanner.ts';

const HOST = 'reg.example';
const LATENCY_MS = 100;

/**
 * A registry behind the scanner's client interface: every request takes {@link LATENCY_MS} of the
 * injected clock, so a test decides when answers arrive; it logs requests in the order they start.
 */
class FakeRegistry implements RegistryClient {
  readonly calls: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  /** `repo:tag` answering 429 once. */
  readonly limited = new Set<string>();
  /** Repositories whose tag list never answers (a host that is down). */
  readonly hanging = new Set<string>();
  readonly #repos = new Map<string, Map<string, string>>();

  readonly clock: ManualClock;

  readonly host: string;

  constructor(clock: ManualClock, host = HOST) {
    this.clock = clock;
    this.host = host;
  }

  push(repository: string, ...tags: string[]): this {
    const repo = this.#repos.get(repository) ?? new Map<string, string>();
    for (const tag of tags) repo.set(tag, `sha256:${repository}:${tag}`);
    this.#repos.set(repository, repo);
    return this;
  }

  async #request<T>(call: string, answer: () => T, latencyMs = LATENCY_MS): Promise<T> {
    this.calls.push(call);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await this.clock.sleep(latencyMs);
      return answer();
    } finally {
      this.inFlight--;
    }
  }

  #digest(repository: string, tag: string): string {
    const digest = this.#repos.get(repository)?.get(tag);
    if (!digest) throw new Error(`no ${repository}:${tag}`);
    return digest;
  }

  tags(repository: string): Promise<string[]> {
    return this.#request(
      `tags ${repository}`,
      () => [...(this.#repos.get(repository)?.keys() ?? [])],
      this.hanging.has(repository) ? 3_600_000 : LATENCY_MS,
    );
  }

  headDigest(repository: string, reference: string): Promise<string> {
    return this.#request(`head ${repository}:${reference}`, () => this.#digest(repository, reference));
  }

  imageInfo(input: ImageRef | string): Promise<ImageInfo> {
    const ref = typeof input === 'string' ? parseImageRef(input) : input;
    const at = `${ref.repository}:${ref.tag}`;
    return this.#request(`get ${at}`, () => {
      if (this.limited.delete(at))
        throw new RateLimitedError({ registry: this.host, repository: ref.repository }, undefined);
      const digest = this.#digest(ref.repository, ref.tag);
      return {
        ref,
        digest,
        imageId: `config-of-${digest}`,
        labels: {},
        createdAt: new Date(Date.UTC(2024, 0, 1)),
      };
    });
  }

  manifest(): Promise<FetchedManifest> {
    return Promise.reject(new Error('the scanner reads manifests through imageInfo'));
  }

  gets(): string[] {
    return this.calls.filter((c) => c.startsWith('get ')).map((c) => c.slice(4));
  }
}

describe('scanner scheduling (fake registry, injected clock)', () => {
  let clock: ManualClock;
  let registry: FakeRegistry;
  let cache: CacheStore;
  const stops: AbortController[] = [];

  const setUp = async (): Promise<void> => {
    clock = new ManualClock(Date.UTC(2024, 5, 1));
    registry = new FakeRegistry(clock);
    cache = await createCacheStore({ kind: 'memory' }, { clock });
  };
  const scanner = (concurrency: number): Scanner =>
    createScanner({ clientFor: () => registry, cache, clock, concurrency });
  const warm = (s: Scanner, repositories: (string | ScanDemand)[]): Promise<void> => {
    const stop = new AbortController();
    stops.push(stop);
    return s.start(() => repositories, stop.signal);
  };
  const yieldAll = async (): Promise<void> => {
    for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
  };
  /** Lets requests answer, one latency at a time, until `done` holds. */
  const until = async (done: () => boolean): Promise<void> => {
    for (let i = 0; i < 500 && !done(); i++) {
      await yieldAll();
      if (done()) return;
      await clock.advance(LATENCY_MS);
    }
    expect(done()).toBe(true);
  };
  const repo = (name: string): string => `${HOST}/${name}`;

  afterEach(async () => {
    for (const stop of stops.splice(0)) stop.abort();
    await yieldAll();
    await cache.close();
  });

  it('reads every repository’s tag list before any metadata, then fills all within one bound', async () => {
    await setUp();
    registry.push('acme/big', ...Array.from({ length: 20 }, (_, i) => `1.0.${i}`));
    for (const small of ['acme/a', 'acme/b', 'acme/c']) registry.push(small, '1.0.0', '1.1.0', '1.2.0');
    const s = scanner(2);

    void warm(s, ['acme/big', 'acme/a', 'acme/b', 'acme/c'].map(repo));
    await until(() => registry.gets().length === 29 && registry.inFlight === 0);

    expect(registry.calls.slice(0, 4).sort()).toEqual([
      'tags acme/a',
      'tags acme/b',
      'tags acme/big',
      'tags acme/c',
    ]);
    expect(new Set(registry.gets()).size).toBe(29);
    expect(registry.maxInFlight).toBe(2);
    expect((await s.getRepository(repo('acme/big'))).images.every((i) => i.createdAt)).toBe(true);
  });

  it('knows the small repositories’ tags after one latency of lists, whatever the big one holds', async () => {
    await setUp();
    registry.push(
      'acme/big',
      ...Array.from({ length: 300 }, (_, i) => `1.${Math.floor(i / 100)}.${i % 100}`),
    );
    for (const small of ['acme/a', 'acme/b', 'acme/c']) registry.push(small, '1.0.0', '1.1.0');
    const s = scanner(4);

    void warm(s, ['acme/big', 'acme/a', 'acme/b', 'acme/c'].map(repo));
    await yieldAll();
    await clock.advance(LATENCY_MS);
    await yieldAll();

    for (const small of ['acme/a', 'acme/b', 'acme/c'])
      expect((await s.getRepository(repo(small))).tags).toEqual(['1.0.0', '1.1.0']);
    expect(registry.gets()).toHaveLength(4); // the fill has just begun
  });

  it('lets a host whose tag list does not answer hold up only its own fill', async () => {
    await setUp();
    const down = new FakeRegistry(clock, 'down.example').push('acme/x', '1.0.0');
    down.hanging.add('acme/x');
    registry.push('acme/a', '1.0.0', '1.1.0');
    const s = createScanner({
      clientFor: (host) => (host === 'down.example' ? down : registry),
      cache,
      clock,
      concurrency: 2,
    });

    void warm(s, ['down.example/acme/x', repo('acme/a')]);
    await until(() => registry.gets().length === 2 && registry.inFlight === 0);

    expect(down.calls).toEqual(['tags acme/x']);
    expect((await s.getRepository(repo('acme/a'))).images.every((i) => i.createdAt)).toBe(true);
  });

  it('fills what time-ordered decisions admit first, newest first, every repository’s newest before older ones', async () => {
    await setUp();
    registry.push('acme/a', '1.0.0', '1.0.1', '1.0.2', 'main-aaa1111', 'main-bbb2222');
    registry.push('acme/b', '1.0.0', '1.0.1', '1.0.2');
    registry.push('acme/c', '2.0.0', '2.1.0', 'latest');
    const s = scanner(1);

    void warm(s, [
      { repository: repo('acme/a'), automatedFilters: ['semver:~1', 'glob:main-*'] },
      { repository: repo('acme/b'), automatedFilters: ['semver:~1'] },
      repo('acme/c'),
    ]);
    await until(() => registry.gets().length === 11 && registry.inFlight === 0);

    expect(registry.gets()).toEqual([
      // what glob:main-* may pick (ordered by creation time, which only the fill can tell)
      'acme/a:main-bbb2222',
      'acme/a:main-aaa1111',
      // then, for list-images, each repository's newest before anyone's older
      'acme/a:1.0.2',
      'acme/b:1.0.2',
      'acme/c:2.1.0',
      'acme/a:1.0.1',
      'acme/b:1.0.1',
      'acme/c:2.0.0',
      'acme/a:1.0.0',
      'acme/b:1.0.0',
      'acme/c:latest',
    ]);
  });

  it('tells when it has read a tag a time-ordered decision may pick (not for the others)', async () => {
    await setUp();
    registry.push('acme/a', '1.0.0', 'main-aaa1111', 'main-bbb2222');
    const filled: string[] = [];
    const s = createScanner({
      clientFor: () => registry,
      cache,
      clock,
      concurrency: 1,
      onDecisionFilled: (repository, tag) => filled.push(`${repository}:${tag}`),
    });

    void warm(s, [{ repository: repo('acme/a'), automatedFilters: ['glob:main-*'] }]);
    await until(() => registry.gets().length === 3 && registry.inFlight === 0);

    expect(filled).toEqual([`${repo('acme/a')}:main-bbb2222`, `${repo('acme/a')}:main-aaa1111`]);
  });

  it('reads what a caller waits for (a release’s image, a refresh) ahead of the background fill', async () => {
    await setUp();
    registry.push('acme/big', ...Array.from({ length: 10 }, (_, i) => `1.0.${i}`));
    registry.push('acme/other', '3.0.0', '3.1.0');
    const s = scanner(1);
    void warm(s, [repo('acme/big')]);
    await until(() => registry.gets().length === 1);

    let answered = 0;
    const info = s.imageInfo(`${repo('acme/other')}:3.0.0`).finally(() => answered++);
    const refreshed = s.refresh(repo('acme/other')).finally(() => answered++);
    await until(() => registry.gets().includes('acme/other:3.1.0'));
    const bigBeforeOther = registry.gets().filter((g) => g.startsWith('acme/big')).length;
    await until(() => answered === 2);

    expect((await info)?.digest).toBe('sha256:acme/other:3.0.0');
    expect((await refreshed).images.map((i) => i.digest)).toEqual([
      'sha256:acme/other:3.0.0',
      'sha256:acme/other:3.1.0',
    ]);
    // One background read at a time (concurrency 1): the caller's two did not queue behind the other nine.
    expect(bigBeforeOther).toBeLessThanOrEqual(3);
    expect(registry.gets().filter((g) => g === 'acme/other:3.0.0')).toHaveLength(1);
  });

  it('on a 429 drops the host’s queued fill; the next refresh reads only what is still missing', async () => {
    await setUp();
    registry.push('acme/app', '1.0.0', '1.0.1', '1.0.2', '1.0.3', '1.0.4', '1.0.5');
    registry.limited.add('acme/app:1.0.3');
    const s = scanner(1);

    void warm(s, [repo('acme/app')]);
    await until(() => registry.gets().length === 3 && registry.inFlight === 0);
    await clock.advance(2 * 60_000);
    await yieldAll();
    expect(registry.gets()).toEqual(['acme/app:1.0.5', 'acme/app:1.0.4', 'acme/app:1.0.3']);

    await clock.advance(5 * 60_000); // the repository's refresh is due
    await until(() => registry.gets().length === 7 && registry.inFlight === 0);

    expect(registry.gets().slice(3)).toEqual([
      'acme/app:1.0.3',
      'acme/app:1.0.2',
      'acme/app:1.0.1',
      'acme/app:1.0.0',
    ]);
    expect(registry.calls.filter((c) => c.startsWith('tags '))).toHaveLength(2);
  });

  it('re-checks with a HEAD only the tags without digits, once they are due', async () => {
    await setUp();
    const tags = ['1.0.0', 'latest', 'main', 'main-abc1234', 'a1b2c3d', '20240101-123456', 'amd64-latest'];
    registry.push('acme/app', ...tags);
    const s = scanner(2);
    void warm(s, [repo('acme/app')]);
    await until(() => registry.gets().length === tags.length && registry.inFlight === 0);

    await clock.advance(3_600_000);
    await until(
      () => registry.calls.filter((c) => c.startsWith('head ')).length === 3 && registry.inFlight === 0,
    );
    await yieldAll();

    expect(registry.calls.filter((c) => c.startsWith('head ')).sort()).toEqual([
      'head acme/app:amd64-latest',
      'head acme/app:latest',
      'head acme/app:main',
    ]);
    expect(registry.gets()).toHaveLength(tags.length); // nothing moved: nothing refetched
  });
});
