import type { FluxApi } from '@flux-ts/core';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../metrics/metrics.ts';
import type { HttpAppOptions } from './app.ts';
import { createHttpApp, createMetricsApp } from './app.ts';
import type { Listening } from './listen.ts';
import { listen } from './listen.ts';

const FLUX_V1_METRIC_NAMES = [
  'flux_request_duration_seconds',
  'flux_daemon_sync_duration_seconds',
  'flux_daemon_job_duration_seconds',
  'flux_daemon_queue_duration_seconds',
  'flux_daemon_queue_length_count',
  'flux_daemon_sync_manifests',
  'flux_git_ready',
  'flux_registry_fetch_duration_seconds',
  'flux_client_fetch_duration_seconds',
  'flux_cache_request_duration_seconds',
  'flux_fluxsvc_release_duration_seconds',
  'flux_fluxsvc_release_stage_duration_seconds',
  'flux_fluxd_connection_duration_seconds',
];

const notUsed = async (): Promise<never> => {
  throw new Error('not used');
};
const api: FluxApi = {
  ping: async () => {},
  version: async () => '1.25.4',
  notifyChange: notUsed,
  listServices: async () => [],
  listImages: notUsed,
  updateManifests: notUsed,
  jobStatus: notUsed,
  syncStatus: notUsed,
  export: notUsed,
  gitRepoConfig: notUsed,
  explain: notUsed,
  syncErrors: notUsed,
};

const servers: Listening[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(options: Partial<HttpAppOptions> = {}) {
  const metrics = createMetrics(new Registry());
  const app = createHttpApp({ api, metrics, ...options });
  const server = await listen(app, '127.0.0.1:0');
  servers.push(server);
  return { url: `http://127.0.0.1:${server.port}`, metrics };
}

const TOKEN = 's3cret-token';

describe('token auth', () => {
  it('answers 401 without or with a wrong token, as a flux error', async () => {
    const { url } = await start({ apiToken: TOKEN });
    for (const auth of [
      undefined,
      'Bearer wrong',
      `Bearer ${TOKEN}x`,
      `Basic ${TOKEN}`,
      'Scope-Probe token=nope',
    ]) {
      const res = await fetch(`${url}/api/flux/v11/version`, {
        headers: { Accept: 'application/json', ...(auth ? { Authorization: auth } : {}) },
      });
      expect(res.status).toBe(401);
      const body = await res.text();
      expect(JSON.parse(body)).toMatchObject({ type: 'user', error: 'request failed authentication' });
      expect(body).not.toContain(TOKEN);
    }
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    expect((await fetch(`${url}/nowhere`)).status).toBe(401);
  });

  it('accepts Bearer and fluxctl Scope-Probe tokens', async () => {
    const { url } = await start({ apiToken: TOKEN });
    for (const auth of [`Bearer ${TOKEN}`, `Scope-Probe token=${TOKEN}`]) {
      const res = await fetch(`${url}/api/flux/v11/version`, { headers: { Authorization: auth } });
      expect([res.status, await res.text()]).toEqual([200, '"1.25.4"']);
    }
  });

  it('leaves /healthz and /readyz open', async () => {
    const { url } = await start({ apiToken: TOKEN });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });

  it('refuses an empty token', () => {
    expect(() => createHttpApp({ api, apiToken: '' })).toThrow(/empty/);
  });
});

describe('health', () => {
  it('/healthz is ok; /readyz follows ready()', async () => {
    let ready = false;
    const { url } = await start({ ready: () => ready });
    const health = await fetch(`${url}/healthz`);
    expect([health.status, await health.text()]).toEqual([200, 'ok']);
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    ready = true;
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });

  it('/readyz is 503 when ready() throws', async () => {
    const { url } = await start({
      ready: async () => {
        throw new Error('no');
      },
    });
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
  });
});

describe('metrics', () => {
  it('serves every Flux v1 metric and the request histogram with route labels', async () => {
    const { url } = await start();
    await fetch(`${url}/api/flux/v6/services?namespace=`);
    await fetch(`${url}/api/flux/v11/ping`);
    await fetch(`${url}/api/flux/v2/whatever`);
    await fetch(`${url}/api/flux/v7/nope`);
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    for (const name of FLUX_V1_METRIC_NAMES) expect(text).toContain(`# TYPE ${name} `);
    expect(text).toContain(
      'flux_request_duration_seconds_count{method="GET",route="ListServices",status_code="200",ws="false"} 1',
    );
    expect(text).toContain(
      'flux_request_duration_seconds_count{method="GET",route="Ping",status_code="204",ws="false"} 1',
    );
    expect(text).toContain(
      'flux_request_duration_seconds_count{method="GET",route="Deprecated:v2",status_code="410",ws="false"} 1',
    );
    expect(text).toContain(
      'flux_request_duration_seconds_count{method="GET",route="NotFound",status_code="404",ws="false"} 1',
    );
    expect(text).toContain('process_cpu_seconds_total');
  });

  it('labels 401s with the route they asked for', async () => {
    const { url, metrics } = await start({ apiToken: TOKEN });
    await fetch(`${url}/api/flux/v6/services`);
    await new Promise((r) => setTimeout(r, 10));
    expect(await metrics.registry.metrics()).toContain(
      'flux_request_duration_seconds_count{method="GET",route="ListServices",status_code="401",ws="false"} 1',
    );
  });

  it('--listen-metrics: the main app has no /metrics, the metrics app has', async () => {
    const { url, metrics } = await start({ serveMetrics: false });
    const main = await fetch(`${url}/metrics`, { headers: { Accept: 'application/json' } });
    expect(main.status).toBe(404);
    expect(await main.json()).toMatchObject({ type: 'missing', error: 'API endpoint not found' });
    const metricsServer = await listen(createMetricsApp(metrics.registry), '127.0.0.1:0');
    servers.push(metricsServer);
    await fetch(`${url}/api/flux/v11/version`);
    const res = await fetch(`http://127.0.0.1:${metricsServer.port}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('route="Version",status_code="200"');
  });
});

describe('the main app', () => {
  it('answers unknown paths outside the API with a flux 404', async () => {
    const { url } = await start();
    const res = await fetch(`${url}/nowhere`, { headers: { Accept: 'application/json' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(await res.json()).toMatchObject({ type: 'missing', error: 'API endpoint not found' });
  });
});
