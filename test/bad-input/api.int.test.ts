import {
  eventually,
  type FluxdEnv,
  finishedJob,
  getObject,
  type RunningFluxd,
  startFluxd,
  startFluxdEnv,
} from '@flux-ts/daemon/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

// Bad input on fluxd's HTTP API (the built binary, as a process): malformed JSON, wrong types, a
// 20 MB body, malformed and unknown resource IDs. Each is a 4xx with Flux v1's error body
// (`flux-v1.md` §1.3: `{"type","help","error"}` when JSON is accepted), never a 500, and fluxd stays up.

const kubeInfo = inject('kube');

interface FluxErrorBody {
  type: string;
  help: string;
  error?: string;
}

interface Case {
  name: string;
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  body?: string;
  status: number;
  /** What the error message says. */
  message: RegExp;
}

const json = (v: unknown): string => JSON.stringify(v);

function cases(ns: string): Case[] {
  const known = `${ns}:deployment/web`;
  return [
    // Malformed JSON and bodies that are not what the route reads.
    {
      name: 'truncated JSON',
      method: 'POST',
      path: '/v9/update-manifests',
      body: '{"type":"image","spec":',
      status: 400,
      message: /malformed JSON/,
    },
    {
      name: 'not JSON at all',
      method: 'POST',
      path: '/v9/update-manifests',
      body: '\u0000\u0001binary',
      status: 400,
      message: /malformed JSON/,
    },
    {
      name: 'empty body',
      method: 'POST',
      path: '/v9/update-manifests',
      body: '',
      status: 400,
      message: /empty request body/,
    },
    {
      name: 'a JSON array',
      method: 'POST',
      path: '/v9/update-manifests',
      body: '[]',
      status: 400,
      message: /expected a JSON object/,
    },
    {
      name: 'no type',
      method: 'POST',
      path: '/v9/update-manifests',
      body: '{}',
      status: 422,
      message: /no type in update spec/,
    },
    {
      name: 'type of the wrong type',
      method: 'POST',
      path: '/v9/update-manifests',
      body: json({ type: 42 }),
      status: 400,
      message: /type/,
    },
    {
      name: 'unknown update type',
      method: 'POST',
      path: '/v9/update-manifests',
      body: json({ type: 'rm -rf' }),
      status: 400,
      message: /unknown update type/,
    },
    {
      name: 'image spec with wrong field types',
      method: 'POST',
      path: '/v9/update-manifests',
      body: json({ type: 'image', cause: {}, spec: { ServiceSpecs: 'all', ImageSpec: 7, Kind: 'plan' } }),
      status: 400,
      message: /invalid image release spec/,
    },
    {
      name: 'release kind neither plan nor execute',
      method: 'POST',
      path: '/v9/update-manifests',
      body: json({
        type: 'image',
        cause: {},
        spec: { ServiceSpecs: ['<all>'], ImageSpec: '<all latest>', Kind: 'now' },
      }),
      status: 400,
      message: /Kind/,
    },
    {
      name: 'containers spec keyed by a malformed resource ID',
      method: 'POST',
      path: '/v9/update-manifests',
      body: json({
        type: 'containers',
        cause: {},
        spec: {
          Kind: 'execute',
          ContainerSpecs: { 'not an id!': [{ Container: 'web', Current: '', Target: 'a/b:1' }] },
        },
      }),
      status: 400,
      message: /invalid resource ID/,
    },
    {
      name: 'containers spec with a malformed image',
      method: 'POST',
      path: '/v9/update-manifests',
      body: json({
        type: 'containers',
        cause: {},
        spec: {
          Kind: 'execute',
          ContainerSpecs: { [known]: [{ Container: 'web', Current: '', Target: 'UPPER CASE::' }] },
        },
      }),
      status: 400,
      message: /invalid image reference/,
    },
    {
      name: 'policy update keyed by a malformed resource ID',
      method: 'POST',
      path: '/v9/update-manifests',
      body: json({
        type: 'policy',
        cause: {},
        spec: { 'default:deployment/../../x': { add: { automated: 'true' } } },
      }),
      status: 400,
      message: /invalid resource ID/,
    },
    {
      name: 'excludes with a malformed resource ID',
      method: 'POST',
      path: '/v9/update-manifests',
      body: json({
        type: 'image',
        cause: {},
        spec: { ServiceSpecs: ['<all>'], ImageSpec: '<all latest>', Kind: 'plan', Excludes: ['nope'] },
      }),
      status: 400,
      message: /invalid resource ID/,
    },
    {
      name: 'policies: malformed JSON',
      method: 'PATCH',
      path: '/v6/policies',
      body: '{"a":',
      status: 400,
      message: /malformed JSON/,
    },
    {
      name: 'policies: a string',
      method: 'PATCH',
      path: '/v6/policies',
      body: '"automate everything"',
      status: 400,
      message: /invalid policy updates/,
    },
    {
      name: 'policies: a malformed ID',
      method: 'PATCH',
      path: '/v6/policies',
      body: json({ '::': { add: { locked: 'true' } } }),
      status: 400,
      message: /invalid resource ID/,
    },
    {
      name: 'notify: malformed JSON',
      method: 'POST',
      path: '/v11/notify',
      body: '{',
      status: 400,
      message: /malformed JSON/,
    },
    {
      name: 'notify: unknown kind',
      method: 'POST',
      path: '/v11/notify',
      body: json({ Kind: 'volcano', Source: {} }),
      status: 400,
      message: /unknown change kind/,
    },
    {
      name: 'notify: git source of the wrong type',
      method: 'POST',
      path: '/v11/notify',
      body: json({ Kind: 'git', Source: 'main' }),
      status: 400,
      message: /invalid change/,
    },
    // Never `true` here: it would regenerate the deploy key.
    {
      name: 'git-repo-config: not a boolean',
      method: 'POST',
      path: '/v9/git-repo-config',
      body: '"yes"',
      status: 400,
      message: /expected true or false/,
    },
    // Resource IDs in queries.
    {
      name: 'jobs: unknown id',
      method: 'GET',
      path: '/v6/jobs?id=no-such-job',
      status: 404,
      message: /unknown job "no-such-job"/,
    },
    { name: 'jobs: empty id', method: 'GET', path: '/v6/jobs?id=', status: 404, message: /unknown job/ },
    {
      name: 'jobs: path-like id',
      method: 'GET',
      path: `/v6/jobs?id=${encodeURIComponent('../../etc/passwd')}`,
      status: 404,
      message: /unknown job/,
    },
    {
      name: 'jobs: no id (the route needs one)',
      method: 'GET',
      path: '/v6/jobs',
      status: 404,
      message: /API endpoint not found/,
    },
    {
      name: 'services: malformed ID',
      method: 'GET',
      path: '/v11/services?services=not-an-id',
      status: 400,
      message: /not-an-id/,
    },
    {
      name: 'services: namespace and services together',
      method: 'GET',
      path: `/v11/services?namespace=${ns}&services=${encodeURIComponent(known)}`,
      status: 422,
      message: /cannot filter by 'namespace' and 'workloads'/,
    },
    {
      name: 'images: malformed service',
      method: 'GET',
      path: '/v10/images?service=%3A%3A%3A',
      status: 400,
      message: /parsing service spec/,
    },
    {
      name: 'images: unknown container field',
      method: 'GET',
      path: '/v10/images?containerFields=Password',
      status: 422,
      message: /Password is an invalid field/,
    },
    {
      name: 'images: namespace with a service',
      method: 'GET',
      path: `/v10/images?namespace=${ns}&service=${encodeURIComponent(known)}`,
      status: 422,
      message: /cannot filter by 'namespace' and 'workload'/,
    },
    {
      name: 'update-images: malformed service',
      method: 'POST',
      path: '/v6/update-images?service=bad!&image=a/b:1&kind=plan',
      status: 400,
      message: /parsing service spec/,
    },
    {
      name: 'update-images: image without tag',
      method: 'POST',
      path: `/v6/update-images?service=${encodeURIComponent(known)}&image=a/b&kind=plan`,
      status: 400,
      message: /parsing image spec/,
    },
    {
      name: 'update-images: unknown kind',
      method: 'POST',
      path: `/v6/update-images?service=${encodeURIComponent(known)}&image=a/b:1&kind=now`,
      status: 400,
      message: /release kind/,
    },
    {
      name: 'unknown route',
      method: 'GET',
      path: '/v11/servicez',
      status: 404,
      message: /API endpoint not found/,
    },
    {
      name: 'deprecated API',
      method: 'POST',
      path: '/v4/update-manifests',
      body: '{}',
      status: 410,
      message: /API endpoint deprecated/,
    },
  ];
}

/**
 * POSTs `body` with fetch, the whole of it (declared with Content-Length, or streamed chunked): fluxd
 * answers 413 early and reads the rest to its end, so an ordinary client gets the answer.
 */
async function postWhole(
  url: string,
  body: Buffer,
  chunked: boolean,
): Promise<{ status: number; contentType: string; text: string }> {
  const stream = (): ReadableStream<Uint8Array> =>
    new ReadableStream({
      start(controller) {
        for (let offset = 0; offset < body.length; offset += 1 << 20)
          controller.enqueue(body.subarray(offset, offset + (1 << 20)));
        controller.close();
      },
    });
  const res = await fetch(url, {
    method: 'POST',
    headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
    ...(chunked ? { body: stream(), duplex: 'half' } : { body }),
  } as RequestInit);
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
}

describe('fluxd answers bad API input with 4xx flux errors', { timeout: 120_000 }, () => {
  let env: FluxdEnv;
  let fluxd: RunningFluxd;
  let ns: string;

  beforeAll(async () => {
    if (!kubeInfo) throw new Error('this test needs the kube-apiserver (run without FLUX_TS_UNIT=1)');
    env = await startFluxdEnv(kubeInfo, {});
    ns = env.namespace;
    await env.user.write('ns.yaml', `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`);
    await env.user.write(
      'web.yaml',
      `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${ns}
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: ${env.registry.host}/team/web:1.0.0
`,
    );
    await env.user.commitAndPush('A workload');
    fluxd = await startFluxd(env, [`--k8s-allow-namespace=${env.namespace}`, '--automation-interval=10m']);
    await eventually(
      'the first sync',
      () => getObject(env.kube, `/apis/apps/v1/namespaces/${ns}/deployments/web`),
      {
        fluxd,
      },
    );
  }, 180_000);

  afterAll(async () => {
    await fluxd?.stop();
    await env?.close();
  });

  async function expectFluxError(
    res: Response,
    status: number,
    message: RegExp,
    what: string,
  ): Promise<void> {
    const text = await res.text();
    expect(res.status, `${what}: ${text}`).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = JSON.parse(text) as FluxErrorBody;
    expect(Object.keys(body).sort()).toEqual(['error', 'help', 'type']);
    expect(['user', 'missing']).toContain(body.type);
    expect(body.help.length).toBeGreaterThan(20);
    expect(body.error).toMatch(message);
  }

  it('each bad request is its 4xx with a flux error body, never a 500', async () => {
    const all = cases(ns);
    const statuses: string[] = [];
    for (const c of all) {
      const res = await fluxd.api(c.path, {
        method: c.method,
        headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
        ...(c.body === undefined ? {} : { body: c.body }),
      });
      statuses.push(`${c.name}: ${res.status}`);
      await expectFluxError(res, c.status, c.message, c.name);
    }
    expect(statuses.filter((s) => / 5\d\d$/.test(s))).toEqual([]);
    expect((await fetch(`${fluxd.url}/healthz`)).status).toBe(200);
  });

  it('without Accept: JSON, the error is the plain message (Flux v1), still a 4xx', async () => {
    const res = await fluxd.api('/v9/update-manifests', { method: 'POST', body: '{"type":' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await res.text()).toMatch(/^malformed JSON in request body: /);
  });

  it('a 20 MB body is a 413 with a flux error, declared or chunked, and fluxd stays up', async () => {
    const huge = Buffer.from(
      `{"type":"sync","cause":{"Message":"${'x'.repeat(20 * 1024 * 1024)}"},"spec":{}}`,
    );
    for (const chunked of [false, true]) {
      const started = Date.now();
      const res = await postWhole(`${fluxd.url}/api/flux/v9/update-manifests`, huge, chunked);
      const what = chunked ? 'chunked 20 MB body' : '20 MB body with Content-Length';
      expect(res.status, `${what}: ${res.text}`).toBe(413);
      expect(res.contentType).toBe('application/json; charset=utf-8');
      const body = JSON.parse(res.text) as FluxErrorBody;
      expect(body.type).toBe('user');
      expect(body.error).toMatch(/^request body too large \(limit \d+ bytes\)$/);
      expect(body.help).toContain(body.error ?? '');
      expect(Date.now() - started).toBeLessThan(10_000);
    }
    expect((await fetch(`${fluxd.url}/healthz`)).status).toBe(200);
    expect((await fluxd.api('/v11/ping')).status).toBe(204);
  });

  it('a well-formed but unknown resource ID: listings answer empty, a release job fails (no 5xx)', async () => {
    const unknown = `${ns}:deployment/no-such-workload`;
    const services = await fluxd.api(`/v11/services?services=${encodeURIComponent(unknown)}`, {
      headers: { Accept: 'application/json' },
    });
    expect(services.status).toBe(200);
    expect(await services.json()).toEqual([]);
    const byNamespace = await fluxd.api('/v11/services?namespace=no-such-namespace', {
      headers: { Accept: 'application/json' },
    });
    expect(byNamespace.status).toBe(200);
    expect(await byNamespace.json()).toEqual([]);
    const images = await fluxd.api(`/v10/images?service=${encodeURIComponent(unknown)}`, {
      headers: { Accept: 'application/json' },
    });
    expect(images.status).toBeLessThan(500);
    const res = await fluxd.api('/v9/update-manifests', {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: json({
        type: 'containers',
        cause: { User: 'test', Message: '' },
        spec: {
          Kind: 'execute',
          ContainerSpecs: {
            [unknown]: [{ Container: 'web', Current: '', Target: `${env.registry.host}/team/web:2.0.0` }],
          },
          SkipMismatches: false,
          Force: false,
        },
      }),
    });
    expect(res.status).toBe(200);
    const jobId = (await res.json()) as string;
    const status = await finishedJob(fluxd, jobId);
    // Accepted as a job (as Flux v1 does), which then fails instead of changing anything.
    expect(status.StatusString, JSON.stringify(status)).toBe('failed');
    expect(status.Err).toBe('no changes found');
    expect((await fetch(`${fluxd.url}/healthz`)).status).toBe(200);
    expect(fluxd.process.pid).toBeGreaterThan(0);
    const log = await fluxd.log();
    expect(log).not.toMatch(/"level":"(fatal|panic)"|uncaught|unhandled/i);
  });
});
