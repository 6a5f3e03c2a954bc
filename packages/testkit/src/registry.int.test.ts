import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from './fault-proxy.ts';
import { startRegistry, type TestRegistry } from './registry.ts';
import { MediaType } from './registry-push.ts';

describe.each(['none', 'basic', 'token'] as const)('registry with auth %s', (auth) => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('stores three pushed tags and lists them over the HTTP API', async () => {
    for (const [i, tag] of ['1.0.0', '1.1.0', '1.2.0-rc1'].entries()) {
      const pushed = await registry.pushImage({
        repo: 'library/app',
        tag,
        created: new Date(Date.UTC(2024, 0, 1 + i)),
      });
      expect(pushed.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    }

    expect(await registry.listTags('library/app')).toEqual(['1.0.0', '1.1.0', '1.2.0-rc1']);
  });

  it(auth === 'none' ? 'answers anonymous reads' : 'refuses anonymous reads with a challenge', async () => {
    const res = await fetch(`${registry.url}/v2/library/app/tags/list`);
    await res.arrayBuffer();

    if (auth === 'none') {
      expect(res.status).toBe(200);
    } else {
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(
        auth === 'basic' ? /^Basic realm=/ : /^Bearer realm="http:\/\/127\.0\.0\.1:\d+\/token"/,
      );
    }
  });
});

describe('synthetic images', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('serves the config blob with created time and labels', async () => {
    await registry.pushImage({
      repo: 'acme/web',
      tag: 'v1',
      created: '2024-05-06T07:08:09Z',
      labels: { team: 'a' },
    });
    const manifest = (await (
      await fetch(`${registry.url}/v2/acme/web/manifests/v1`, {
        headers: { Accept: MediaType.DockerManifest },
      })
    ).json()) as { config: { digest: string } };

    const config = (await (
      await fetch(`${registry.url}/v2/acme/web/blobs/${manifest.config.digest}`)
    ).json()) as {
      created: string;
      config: { Labels: Record<string, string> };
    };

    expect(config.created).toBe('2024-05-06T07:08:09.000Z');
    expect(config.config.Labels).toMatchObject({
      team: 'a',
      'org.opencontainers.image.created': '2024-05-06T07:08:09.000Z',
    });
  });

  it.each`
    format      | listType
    ${'docker'} | ${MediaType.DockerManifestList}
    ${'oci'}    | ${MediaType.OciIndex}
  `('pushes a multi-platform $format image as $listType', async ({ format, listType }) => {
    const pushed = await registry.pushImage({
      repo: `acme/multi-${format}`,
      tag: '2.0.0',
      platforms: ['linux/amd64', 'linux/arm64/v8'],
      format,
    });

    const res = await fetch(`${registry.url}/v2/acme/multi-${format}/manifests/2.0.0`, {
      headers: { Accept: [MediaType.DockerManifestList, MediaType.OciIndex].join(', ') },
    });
    const list = (await res.json()) as {
      manifests: { digest: string; platform: { architecture: string } }[];
    };

    expect(res.headers.get('content-type')).toBe(listType);
    expect(res.headers.get('docker-content-digest')).toBe(pushed.digest);
    expect(list.manifests.map((m) => m.platform.architecture)).toEqual(['amd64', 'arm64']);
    expect(list.manifests.map((m) => m.digest)).toEqual(pushed.children.map((c) => c.digest));
    // Children are pushed by digest only, so the tag list holds just the list's tag.
    expect(await registry.listTags(`acme/multi-${format}`)).toEqual(['2.0.0']);
  });
});

describe('fault proxy in front of the registry', () => {
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

  it('injects a 429 with Retry-After, then forwards again, recording every request', async () => {
    proxy.reset();
    proxy.inject({ status: 429, retryAfterSeconds: 3, match: (r) => r.path.endsWith('/tags/list') });

    const limited = await fetch(`${proxy.url}/v2/library/app/tags/list`);
    const after = await fetch(`${proxy.url}/v2/library/app/tags/list`);

    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect(after.status).toBe(200);
    expect(await after.json()).toEqual({ name: 'library/app', tags: ['1.0.0'] });
    expect(proxy.requests).toEqual([
      { method: 'GET', path: '/v2/library/app/tags/list', status: 429, injected: true },
      { method: 'GET', path: '/v2/library/app/tags/list', status: 200, injected: false },
    ]);
  });

  it('injects 5xx and delays', async () => {
    proxy.reset();
    proxy.inject({ status: 503, times: 2 });
    proxy.inject({ delayMs: 200 });

    const statuses = [];
    for (let i = 0; i < 2; i++) statuses.push((await fetch(`${proxy.url}/v2/`)).status);
    const t0 = performance.now();
    const slow = await fetch(`${proxy.url}/v2/`);

    expect(statuses).toEqual([503, 503]);
    expect(slow.status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(190);
  });

  it('lets pushes through: upload locations point back at the proxy', async () => {
    proxy.reset();

    await registry.pushImage({ repo: 'library/app', tag: '1.1.0' });
    const viaProxy = await import('./registry-push.ts').then((m) =>
      m.pushImage({ url: proxy.url }, { repo: 'library/proxied', tag: 'x' }),
    );

    expect(viaProxy.digest).toMatch(/^sha256:/);
    expect(
      proxy.requests.some(
        (r) => r.method === 'PUT' && r.path.startsWith('/v2/library/proxied/blobs/uploads/'),
      ),
    ).toBe(true);
    expect(await registry.listTags('library/proxied')).toEqual(['x']);
  });
});
