import {
  type FaultProxy,
  type PushedImage,
  type RegistryAuth,
  startFaultProxy,
  startRegistry,
  type TestRegistry,
} from '@flux-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostLimiters } from '../rate-limit/host-limiter.ts';
import {
  InvalidPayloadError,
  ManifestUnknownError,
  NoSuitablePlatformError,
  RateLimitedError,
  RegistryAuthError,
  RegistryUnavailableError,
} from './errors.ts';
import { createRegistryClient, type RegistryClient } from './registry-client.ts';

const created = (day: number): Date => new Date(Date.UTC(2024, 0, day, 12));

describe.each(['none', 'basic', 'token'] as const)(
  'registry client against docker-registry with auth %s',
  (auth: RegistryAuth) => {
    let registry: TestRegistry;
    let client: RegistryClient;
    const pushed: Record<string, PushedImage> = {};
    beforeAll(async () => {
      registry = await startRegistry({ auth });
      for (const [i, tag] of ['1.0.0', '1.1.0', '2.0.0-rc.1'].entries()) {
        pushed[tag] = await registry.pushImage({ repo: 'library/app', tag, created: created(i + 1) });
      }
      client = createRegistryClient({
        host: registry.host,
        insecure: true,
        ...(auth === 'none'
          ? {}
          : { credentials: { username: registry.username, password: registry.password } }),
      });
    });
    afterAll(async () => {
      await registry?.stop();
    });

    it('lists the tags', async () => {
      expect((await client.tags('library/app')).sort()).toEqual(['1.0.0', '1.1.0', '2.0.0-rc.1']);
    });

    it('reads digest, image ID and creation time of each tag', async () => {
      const info = await client.imageInfo(`${registry.host}/library/app:1.1.0`);

      expect(info.ref.toString()).toBe(`${registry.host}/library/app:1.1.0`);
      expect(info.digest).toBe(pushed['1.1.0']?.digest);
      expect(info.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(info.createdAt).toEqual(created(2));
      expect(info.labels).toEqual({
        'org.opencontainers.image.created': created(2).toISOString(),
        'org.label-schema.build-date': created(2).toISOString(),
      });
    });

    it('gets the current digest with a HEAD', async () => {
      expect(await client.headDigest('library/app', '1.0.0')).toBe(pushed['1.0.0']?.digest);
    });

    it('says a missing tag is missing', async () => {
      await expect(client.imageInfo(`${registry.host}/library/app:9.9.9`)).rejects.toThrow(
        ManifestUnknownError,
      );
      await expect(client.tags('library/none')).rejects.toThrow(ManifestUnknownError);
    });
  },
);

it.each(['basic', 'token'] as const)(
  'a registry with %s auth refuses missing and wrong credentials without printing them',
  async (auth) => {
    const registry = await startRegistry({ auth });
    try {
      const anonymous = createRegistryClient({ host: registry.host, insecure: true });
      const wrong = createRegistryClient({
        host: registry.host,
        insecure: true,
        credentials: { username: registry.username, password: 'not-the-password-42' },
      });

      await expect(anonymous.tags('library/app')).rejects.toThrow(RegistryAuthError);
      const err = (await wrong.tags('library/app').then(
        () => undefined,
        (e: unknown) => e,
      )) as Error;
      expect(err).toBeInstanceOf(RegistryAuthError);
      expect(err.message).toContain(`${registry.host}/library/app`);
      expect(err.message).not.toContain('not-the-password-42');
    } finally {
      await registry.stop();
    }
  },
);

describe('token caching', () => {
  it('asks the token server once per scope', async () => {
    const registry = await startRegistry({ auth: 'token' });
    try {
      await registry.pushImage({ repo: 'team/web', tag: 'a' });
      await registry.pushImage({ repo: 'team/web', tag: 'b' });
      const before = registry.tokenServer?.requests ?? 0;
      const client = createRegistryClient({
        host: registry.host,
        insecure: true,
        credentials: { username: registry.username, password: registry.password },
      });

      await client.tags('team/web');
      await client.imageInfo(`${registry.host}/team/web:a`);
      await client.imageInfo(`${registry.host}/team/web:b`);

      expect((registry.tokenServer?.requests ?? 0) - before).toBe(1);
    } finally {
      await registry.stop();
    }
  });
});

describe('multi-platform images', () => {
  let registry: TestRegistry;
  const pushed: Record<string, PushedImage> = {};
  beforeAll(async () => {
    registry = await startRegistry();
    for (const format of ['docker', 'oci'] as const) {
      pushed[format] = await registry.pushImage({
        repo: `acme/${format}`,
        tag: '1.0',
        platforms: ['linux/amd64', 'linux/arm64/v8'],
        format,
        created: created(3),
      });
    }
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it.each(['docker', 'oci'] as const)('resolves a %s list for the configured platform', async (format) => {
    const amd64 = createRegistryClient({ host: registry.host, insecure: true });
    const arm64 = createRegistryClient({ host: registry.host, insecure: true, platforms: ['linux/arm64'] });

    const a = await amd64.imageInfo(`${registry.host}/acme/${format}:1.0`);
    const b = await arm64.imageInfo(`${registry.host}/acme/${format}:1.0`);

    expect(a.digest).toBe(pushed[format]?.children[0]?.digest);
    expect(b.digest).toBe(pushed[format]?.children[1]?.digest);
    expect(a.createdAt).toEqual(created(3));
  });

  it('says which platforms a list has when none fits', async () => {
    const s390x = createRegistryClient({ host: registry.host, insecure: true, platforms: ['linux/s390x'] });

    const err = (await s390x.imageInfo(`${registry.host}/acme/docker:1.0`).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;

    expect(err).toBeInstanceOf(NoSuitablePlatformError);
    expect(err.message).toContain('no image for linux/s390x (the list has linux/amd64, linux/arm64/v8)');
  });
});

describe('faults, through the fault proxy in front of the real registry', () => {
  let registry: TestRegistry;
  let proxy: FaultProxy;
  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startFaultProxy(registry.url);
    await registry.pushImage({ repo: 'library/app', tag: '1.0.0' });
  });
  afterAll(async () => {
    await proxy?.close();
    await registry?.stop();
  });

  it('turns a 429 into RateLimitedError, halves the host rate and waits out Retry-After', async () => {
    proxy.reset();
    const limiter = new HostLimiters({ rps: 200, burst: 10 });
    const client = createRegistryClient({ host: proxy.host, insecure: true, limiter });
    proxy.inject({ status: 429, retryAfterSeconds: 1, match: (r) => r.path.endsWith('/tags/list') });

    const err = (await client.tags('library/app').then(
      () => undefined,
      (e: unknown) => e,
    )) as RateLimitedError;
    const t0 = Date.now();
    const tags = await client.tags('library/app');

    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err.retryAfterMs).toBe(1000);
    expect(limiter.rps(proxy.host)).toBe(100);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(tags).toEqual(['1.0.0']);
    await limiter.stop();
  });

  it('retries 5xx with backoff, then gives up with RegistryUnavailableError', async () => {
    proxy.reset();
    const client = createRegistryClient({ host: proxy.host, insecure: true, retries: 2 });
    proxy.inject({ status: 503, times: 2 });

    expect(await client.tags('library/app')).toEqual(['1.0.0']);
    expect(proxy.requests.map((r) => r.status)).toEqual([503, 503, 200]);

    proxy.reset();
    proxy.inject({ status: 502, times: 3 });
    await expect(client.tags('library/app')).rejects.toThrow(RegistryUnavailableError);
    expect(proxy.requests).toHaveLength(3);
  });

  it('names registry, repository and tag when a payload is not what the API promises', async () => {
    proxy.reset();
    const client = createRegistryClient({ host: proxy.host, insecure: true });
    proxy.inject({
      status: 200,
      body: '{"name":"library/app","tags":"not-a-list"}',
      match: (r) => r.path.endsWith('/tags/list'),
    });
    proxy.inject({
      status: 200,
      body: '{"schemaVersion":2,"config":{"digest":"nope"}}',
      contentType: 'application/vnd.docker.distribution.manifest.v2+json',
      match: (r) => r.path.endsWith('/manifests/1.0.0'),
    });

    const tags = await client.tags('library/app').then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    const info = await client.imageInfo(`${proxy.host}/library/app:1.0.0`).then(
      () => undefined,
      (e: unknown) => e as Error,
    );

    expect(tags).toBeInstanceOf(InvalidPayloadError);
    expect(tags?.message).toMatch(new RegExp(`^${proxy.host}/library/app: unexpected tag list: tags: `));
    expect(info).toBeInstanceOf(InvalidPayloadError);
    expect(info?.message).toMatch(new RegExp(`^${proxy.host}/library/app:1\\.0\\.0: unexpected manifest`));
  });

  it('reports the remaining quota and slows down when it runs out', async () => {
    proxy.reset();
    const limiter = new HostLimiters({ rps: 200, burst: 10 });
    const quotas: number[] = [];
    const client = createRegistryClient({
      host: proxy.host,
      insecure: true,
      limiter,
      metrics: { remainingQuota: (_host, n) => quotas.push(n) },
      // The registry under test sends no quota headers; add Docker Hub's to its answers.
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        const headers = new Headers(res.headers);
        headers.set('ratelimit-remaining', `${quotas.length === 0 ? 1 : 0};w=21600`);
        return new Response(res.body, { status: res.status, headers });
      },
    });

    await client.tags('library/app');
    await client.tags('library/app');

    expect(quotas).toEqual([1, 0]);
    expect(limiter.rps(proxy.host)).toBe(100);
    await limiter.stop();
  });

  it('times out a slow registry', async () => {
    proxy.reset();
    const client = createRegistryClient({ host: proxy.host, insecure: true, timeoutMs: 200, retries: 0 });
    proxy.inject({ delayMs: 1_000 });

    await expect(client.tags('library/app')).rejects.toThrow(RegistryUnavailableError);
  });
});

describe('legacy schema 1', () => {
  it('reads created and labels from a schema 1 manifest the registry converts for old clients', async () => {
    const registry = await startRegistry();
    try {
      const pushed = await registry.pushImage({ repo: 'old/app', tag: 'v1', created: created(7) });
      // A client that sends no Accept gets the registry's own schema 1 conversion, signed.
      const oldClient: typeof fetch = (input, init) => {
        const headers = new Headers(init?.headers);
        headers.delete('accept');
        return fetch(input, { ...init, headers });
      };
      const client = createRegistryClient({ host: registry.host, insecure: true, fetch: oldClient });

      const info = await client.imageInfo(`${registry.host}/old/app:v1`);

      expect(info.createdAt).toEqual(created(7));
      expect(info.labels?.['org.opencontainers.image.created']).toBe(created(7).toISOString());
      expect(info.digest).not.toBe(pushed.digest); // schema 1 has its own digest
      expect(info.imageId).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await registry.stop();
    }
  });
});
