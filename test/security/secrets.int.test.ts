import { randomBytes } from 'node:crypto';
import { readFile, realpath, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { API_ROUTES } from '@flux-ts/daemon';
import {
  dockerConfigJson,
  eventually,
  type FluxdEnv,
  getObject,
  type RunningFluxd,
  seedPrivateApp,
  startFluxd,
  startFluxdEnv,
} from '@flux-ts/daemon/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runFluxctl } from '../support/fluxctl.ts';
import {
  collectLogs,
  expectNoSecretsIn,
  expectNoSecretsInLogs,
  privateKeySecrets,
  type Secret,
} from '../support/secrets.ts';

// fluxd with every secret a deployment has: a registry behind basic auth (--docker-config), an API
// token (--api-token-file) and a deploy key read from its Secret. It lists images, releases, and
// meets errors (a wrong registry password, wrong and missing API tokens); then no log file, API
// response or fluxctl output may hold any of the secrets, and the key file fluxd writes is 0600.

const kubeInfo = inject('kube');

describe('secrets stay secret', { timeout: 120_000 }, () => {
  let env: FluxdEnv;
  let fluxd: RunningFluxd;
  let ns: string;
  let token: string;
  let privateKey: string;
  const secrets: Secret[] = [];
  /** Everything fluxd and fluxctl answered: scanned at the end. */
  const answers: { where: string; text: string }[] = [];
  const started: RunningFluxd[] = [];

  async function call(path: string, init: RequestInit = {}, auth = true): Promise<Response> {
    const headers = new Headers(init.headers);
    if (auth) headers.set('Authorization', `Bearer ${token}`);
    const res = await fluxd.api(path, { ...init, headers });
    const text = await res.clone().text();
    answers.push({ where: `${init.method ?? 'GET'} ${path} (${res.status})`, text });
    return res;
  }

  async function fluxctl(...args: string[]) {
    const out = await runFluxctl(fluxd.url, args, { env: { FLUX_SERVICE_TOKEN: token } });
    answers.push({ where: `fluxctl ${args.join(' ')}`, text: `${out.stdout}\n${out.stderr}` });
    return out;
  }

  beforeAll(async () => {
    if (!kubeInfo) throw new Error('this test needs the kube-apiserver (run without FLUX_TS_UNIT=1)');
    env = await startFluxdEnv(kubeInfo, {}, { registryAuth: 'basic' });
    ns = env.namespace;
    const { host, username, password } = env.registry;
    await seedPrivateApp(env);

    // The deploy key lives in its Secret (as in a cluster); fluxd reads it from there, no mount.
    privateKey = await readFile(env.gitServer.clientKeyFile, 'utf8');
    await env.apis.core.createNamespace({ body: { metadata: { name: ns } } });
    await env.apis.core.createNamespacedSecret({
      namespace: ns,
      body: {
        metadata: { name: 'flux-git-deploy' },
        type: 'Opaque',
        data: { identity: Buffer.from(privateKey).toString('base64') },
      },
    });

    token = randomBytes(24).toString('base64url');
    const wrongPassword = `wrong-${randomBytes(8).toString('hex')}`;
    secrets.push(
      { name: 'registry password', value: password },
      {
        name: 'registry auth (base64 user:password)',
        value: Buffer.from(`${username}:${password}`).toString('base64'),
      },
      { name: 'wrong registry password', value: wrongPassword },
      {
        name: 'wrong registry auth (base64)',
        value: Buffer.from(`${username}:${wrongPassword}`).toString('base64'),
      },
      { name: 'API token', value: token },
      ...privateKeySecrets('deploy key', privateKey),
    );
    const tokenFile = join(env.tmp.path, 'api-token');
    await writeFile(tokenFile, `${token}\n`, { mode: 0o600 });
    const goodConfig = join(env.tmp.path, 'docker-config.json');
    await writeFile(goodConfig, dockerConfigJson(host, username, password), { mode: 0o600 });
    const wrongConfig = join(env.tmp.path, 'docker-config-wrong.json');
    await writeFile(wrongConfig, dockerConfigJson(host, username, wrongPassword), { mode: 0o600 });

    // First a fluxd with a wrong registry password: the registry answers 401, fluxd says so.
    const wrong = await startFluxd(
      env,
      [
        `--k8s-allow-namespace=${env.namespace}`,
        `--docker-config=${wrongConfig}`,
        `--api-token-file=${tokenFile}`,
        '--git-readonly',
        '--automation-interval=10m',
      ],
      'wrong-password',
      { mountDeployKey: false },
    );
    started.push(wrong);
    await eventually(
      'the registry to refuse the wrong password',
      async () => /401|unauthori[sz]ed|authenticat/i.test(await wrong.log()),
      { fluxd: wrong },
    );
    await wrong.stop();

    fluxd = await startFluxd(
      env,
      [
        `--k8s-allow-namespace=${env.namespace}`,
        `--docker-config=${goodConfig}`,
        `--api-token-file=${tokenFile}`,
        '--automation-interval=10m',
      ],
      'fluxd',
      { mountDeployKey: false },
    );
    started.push(fluxd);
    await eventually(
      'the first sync',
      () => getObject(env.kube, `/apis/apps/v1/namespaces/${ns}/deployments/app`),
      {
        fluxd,
      },
    );
  }, 240_000);

  afterAll(async () => {
    for (const f of started) await f.stop();
    await env?.close();
  });

  it('lists the private images and releases one with the token (fluxctl)', async () => {
    const listed = await eventually(
      'the private tags',
      async () => {
        const out = await fluxctl('list-images', '-n', ns, '-w', 'deployment/app');
        return out.code === 0 && out.stdout.includes('1.1.0') ? out : undefined;
      },
      { fluxd },
    );
    expect(listed.stdout).toContain('private/app');
    const released = await fluxctl(
      'release',
      '-n',
      ns,
      '--workload',
      'deployment/app',
      '--update-image',
      `${env.registry.host}/private/app:1.1.0`,
    );
    expect(released.code, released.stderr).toBe(0);
    await env.user.pull();
    expect(await env.user.read('app.yaml')).toContain('private/app:1.1.0');
  });

  it('answers 401 on every route but /healthz and /readyz without the right token', async () => {
    const requests = [
      ...API_ROUTES.flatMap((route) =>
        route.methods.map((method) => ({
          method,
          path: `/api/flux${route.path}${route.query ? `?${route.query.map((q) => `${q}=x`).join('&')}` : ''}`,
        })),
      ),
      { method: 'GET', path: '/metrics' },
      { method: 'GET', path: '/api/flux/v4/anything' },
      { method: 'GET', path: '/no/such/path' },
    ];
    const statuses: string[] = [];
    for (const { method, path } of requests) {
      for (const authorization of [
        undefined,
        'Bearer not-the-token',
        `Bearer ${token}x`,
        token,
        `Basic ${token}`,
      ]) {
        const headers: Record<string, string> = { Accept: 'application/json' };
        if (authorization) headers.Authorization = authorization;
        const res = await fetch(`${fluxd.url}${path}`, {
          method,
          headers,
          ...(method === 'POST' || method === 'PATCH' ? { body: '{}' } : {}),
        });
        const text = method === 'HEAD' ? '' : await res.text();
        answers.push({ where: `${method} ${path} (${res.status})`, text });
        if (res.status !== 401)
          statuses.push(`${method} ${path} [${authorization ?? 'none'}]: ${res.status}`);
        else if (method !== 'HEAD')
          expect(JSON.parse(text)).toMatchObject({ type: 'user', error: 'request failed authentication' });
      }
    }
    expect(statuses).toEqual([]);
    expect(requests.length).toBeGreaterThan(20);
    for (const path of ['/healthz', '/readyz']) expect((await fetch(`${fluxd.url}${path}`)).status).toBe(200);
    // With the token (either form fluxctl sends), the same routes answer.
    expect((await call('/v11/version')).status).toBe(200);
    const probe = await fluxd.api('/v11/version', {
      headers: { Authorization: `Scope-Probe token=${token}` },
    });
    expect(probe.status).toBe(200);
    // fluxctl without the token is refused and says why, without echoing anything secret.
    const refused = await runFluxctl(fluxd.url, ['list-workloads', '-n', ns]);
    answers.push({
      where: 'fluxctl list-workloads without token',
      text: `${refused.stdout}\n${refused.stderr}`,
    });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/authentication|token/i);
  });

  it('errors, identity, export and listings carry no secret', async () => {
    await call('/v9/update-manifests', {
      method: 'POST',
      body: '{"type":',
      headers: { Accept: 'application/json' },
    });
    await call('/v6/jobs?id=nope', { headers: { Accept: 'application/json' } });
    const identity = await call('/v6/identity.pub');
    expect(((await identity.json()) as { key: string }).key).toMatch(/^ssh-ed25519 /);
    await call('/v6/export');
    await call(`/v10/images?service=${encodeURIComponent(`${ns}:deployment/app`)}`);
    await call('/v11/services');
    await call('/v11/sync-errors');
    await call('/v9/git-repo-config', { method: 'POST', body: 'false' });
    await fluxctl('list-workloads', '-n', ns);
    await fluxctl('identity');
    expect(answers.length).toBeGreaterThan(50);
  });

  it('keeps the deploy key file it writes 0600 (in a 0700 directory)', async () => {
    const home = join(env.tmp.path, 'fluxd-home');
    const key = await realpath(join(home, 'keygen', 'identity'));
    expect(key).not.toBe(join(home, 'keygen', 'identity')); // written from the Secret, linked
    expect(await readFile(key, 'utf8')).toBe(privateKey.endsWith('\n') ? privateKey : `${privateKey}\n`);
    expect((await stat(key)).mode & 0o777).toBe(0o600);
    expect((await stat(join(home, 'keygen'))).mode & 0o077).toBe(0);
  });

  it('no log file, API answer or fluxctl output holds a secret', async () => {
    for (const f of started) await f.stop();
    const logs = await expectNoSecretsInLogs(env.tmp.path, secrets);
    expect(logs.map((l) => l.path)).toEqual(expect.arrayContaining(['fluxd.log', 'wrong-password.log']));
    // The logs are real: the sync, the release and the refused registry login are in them.
    const all = (await collectLogs(env.tmp.path)).map((l) => l.text).join('\n');
    expect(all).toContain('sync done');
    expect(all).toMatch(/401|unauthori[sz]ed/i);
    for (const answer of answers) expectNoSecretsIn(answer.text, secrets, answer.where);
    expect(secrets.length).toBeGreaterThanOrEqual(9);
  });
});
