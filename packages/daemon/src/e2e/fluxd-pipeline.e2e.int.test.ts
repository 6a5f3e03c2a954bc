import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { createGpgHome, type TestGpgHome, type TestSops, withSops } from '@flux-ts/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import {
  eventually,
  type FluxdEnv,
  getObject,
  type RunningFluxd,
  startFluxd,
  startFluxdEnv,
} from '../testing/fluxd-env.ts';

const kubeInfo = inject('kube');

describe('fluxd sync pipeline: --sops, --git-secret, --manifest-generation, several --git-path, --api-token-file', {
  timeout: 60_000,
}, () => {
  let env: FluxdEnv;
  let fluxd: RunningFluxd;
  let sops: TestSops;
  let gpg: TestGpgHome;
  const token = 'e2e-secret-token-4f1c';

  beforeAll(async () => {
    if (!kubeInfo) throw new Error('this test needs the kube-apiserver (run without FLUX_TS_UNIT=1)');
    env = await startFluxdEnv(kubeInfo, {});
    sops = await withSops();
    const ns = env.namespace;
    await env.user.write('app/ns.yaml', `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`);
    await env.user.write(
      'app/secret.yaml',
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n  namespace: ${ns}\ntype: Opaque\nstringData:\n  password: hunter2\n`,
    );
    await sops.encryptInPlace(join(env.user.dir, 'app/secret.yaml'));
    expect(await env.user.read('app/secret.yaml')).not.toContain('hunter2');
    await env.user.write(
      'gen/.flux.yaml',
      'version: 1\ncommandUpdated:\n  generators:\n    - command: cat configmap.tpl\n',
    );
    await env.user.write(
      'gen/configmap.tpl',
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: generated\n  namespace: ${ns}\ndata:\n  from: generator\n`,
    );
    await env.user.write(
      'ignored/cm.yaml',
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: outside\n  namespace: ${ns}\n`,
    );
    gpg = await createGpgHome({ name: 'Secret Keeper', email: 'keeper@example.com' });
    await env.user.write(
      'app/revealed.yaml',
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: revealed\n  namespace: ${ns}\nstringData:\n  token: swordfish\n`,
    );
    const gitSecret = (...args: string[]) =>
      promisify(execFile)('git', ['secret', ...args], {
        cwd: env.user.dir,
        env: { ...env.gitServer.env, ...gpg.env },
      });
    await gitSecret('init');
    await gitSecret('tell', gpg.email);
    await gitSecret('add', 'app/revealed.yaml');
    await gitSecret('hide', '-d');
    await env.user.commitAndPush('Encrypted secret, git-secret file, generated config');
    expect(await env.user.git('ls-files')).not.toContain('app/revealed.yaml\n');
    const tokenFile = join(env.tmp.path, 'api-token');
    await mkdir(dirname(tokenFile), { recursive: true });
    await writeFile(tokenFile, `${token}\n`, { mode: 0o600 });
    fluxd = await startFluxd(
      env,
      [
        '--sops',
        '--git-secret',
        '--manifest-generation',
        '--git-path=app,gen',
        `--api-token-file=${tokenFile}`,
        '--registry-disable-scanning',
      ],
      'pipeline',
      { env: { ...sops.env, ...gpg.env, PATH: `${dirname(sops.sops)}:${process.env.PATH ?? ''}` } },
    );
  }, 180_000);

  afterAll(async () => {
    await fluxd?.stop();
    await env?.close();
    await sops?.remove();
    await gpg?.remove();
  });

  it('decrypts sops files, runs .flux.yaml generators, and reads only the git paths', async () => {
    const ns = env.namespace;
    const secret = await eventually(
      'the decrypted secret',
      () => getObject(env.kube, `/api/v1/namespaces/${ns}/secrets/creds`),
      {
        fluxd,
      },
    );
    expect(Buffer.from((secret.data as Record<string, string>).password ?? '', 'base64').toString()).toBe(
      'hunter2',
    );
    const generated = await eventually(
      'the generated configmap',
      () => getObject(env.kube, `/api/v1/namespaces/${ns}/configmaps/generated`),
      { fluxd },
    );
    expect(generated.data).toEqual({ from: 'generator' });
    expect(await getObject(env.kube, `/api/v1/namespaces/${ns}/configmaps/outside`)).toBeUndefined();
    const revealed = await eventually(
      'the secret revealed by git-secret',
      () => getObject(env.kube, `/api/v1/namespaces/${ns}/secrets/revealed`),
      { fluxd },
    );
    expect(Buffer.from((revealed.data as Record<string, string>).token ?? '', 'base64').toString()).toBe(
      'swordfish',
    );
    const log = await fluxd.log();
    expect(log).not.toContain('hunter2');
    expect(log).not.toContain('swordfish');
  });

  it('requires the API token on every route but health', async () => {
    expect((await fetch(`${fluxd.url}/api/flux/v11/version`)).status).toBe(401);
    expect(
      (await fetch(`${fluxd.url}/api/flux/v11/version`, { headers: { Authorization: 'Bearer wrong' } }))
        .status,
    ).toBe(401);
    const ok = await fetch(`${fluxd.url}/api/flux/v11/version`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(ok.status).toBe(200);
    const fluxctlStyle = await fetch(`${fluxd.url}/api/flux/v6/services`, {
      headers: { Authorization: `Scope-Probe token=${token}` },
    });
    expect(fluxctlStyle.status).toBe(200);
    expect((await fetch(`${fluxd.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${fluxd.url}/healthz`)).status).toBe(200);
    expect(await fluxd.log()).not.toContain(token);
  });
});

describe('fluxd --registry-require ecr', { timeout: 120_000 }, () => {
  let env: FluxdEnv;

  afterAll(async () => {
    await env?.close();
  });

  it('exits 1 when ECR cannot be reached', async () => {
    if (!kubeInfo) throw new Error('this test needs the kube-apiserver (run without FLUX_TS_UNIT=1)');
    env = await startFluxdEnv(kubeInfo, {});
    const fluxd = await startFluxd(
      env,
      ['--registry-require=ecr', '--registry-ecr-region=eu-west-1'],
      'ecr',
      {
        waitForHealth: false,
        env: { AWS_EC2_METADATA_DISABLED: 'true', AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' },
      },
    );
    expect(await fluxd.process.exited).toBe(1);
    expect(await fluxd.log()).toMatch(/ECR/);
  });
});

describe('fluxd --connect (upstream websocket RPC and events)', { timeout: 120_000 }, () => {
  let env: FluxdEnv;
  let fluxd: RunningFluxd;
  const events: { auth: string | undefined; body: { type: string } }[] = [];
  let dial: IncomingMessage | undefined;
  let socket: WebSocket | undefined;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      if (req.url === '/v6/events') events.push({ auth: req.headers.authorization, body: JSON.parse(body) });
      res.writeHead(204).end();
    });
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, sock, head) => {
    dial = req;
    wss.handleUpgrade(req, sock, head, (ws) => {
      socket = ws;
    });
  });

  beforeAll(async () => {
    if (!kubeInfo) throw new Error('this test needs the kube-apiserver (run without FLUX_TS_UNIT=1)');
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    env = await startFluxdEnv(kubeInfo, {
      'cm.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: up\n  namespace: default\n`,
    });
    fluxd = await startFluxd(
      env,
      [`--connect=ws://127.0.0.1:${port}`, '--token=upstream-token-9d2', '--registry-disable-scanning'],
      'upstream',
    );
  }, 180_000);

  afterAll(async () => {
    await fluxd?.stop();
    socket?.terminate();
    wss.close();
    await new Promise((r) => server.close(r));
    await env?.close();
  });

  it('dials /v11/daemon with the token, answers RPC calls and posts its events', async () => {
    const ws = await eventually('the upstream dial', async () => socket, { fluxd });
    expect(dial?.url).toBe('/v11/daemon');
    expect(dial?.headers.authorization).toBe('Scope-Probe token=upstream-token-9d2');
    expect(dial?.headers['user-agent']).toMatch(/^fluxd\//);
    const replies: string[] = [];
    ws.on('message', (data: Buffer) => replies.push(data.toString()));
    ws.send(Buffer.from('{"method":"RPCServer.Version","params":[{}],"id":1}\n'));
    ws.send(Buffer.from('{"method":"RPCServer.ListServices","params":["default"],"id":2}\n'));
    await eventually('two RPC replies', async () => replies.length >= 2);
    const byId = new Map(replies.map((r) => [JSON.parse(r).id, JSON.parse(r)]));
    expect(byId.get(1)).toMatchObject({ error: null, result: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
    expect(byId.get(2)).toMatchObject({
      error: null,
      result: { Result: expect.any(Array), ApplicationError: null },
    });
    const sync = await eventually('a sync event', async () => events.find((e) => e.body.type === 'sync'), {
      fluxd,
    });
    expect(sync.auth).toBe('Scope-Probe token=upstream-token-9d2');
    expect(await fluxd.log()).not.toContain('upstream-token-9d2');
  });
});
