import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ControllerStatusJson, FluxErrorJson, PublicKeyJson } from '@flux-ts/core';
import { type KubeApis, kubeApis, makeTempDir, type TempDir } from '@flux-ts/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildExamples, exampleJs, fluxctlJs } from './testing/run.ts';

const run = promisify(execFile);
const ns = `ex-embed-${randomBytes(4).toString('hex')}`;

const deployment = {
  metadata: { name: 'app', namespace: ns, labels: { team: 'web' } },
  spec: {
    selector: { matchLabels: { app: 'app' } },
    template: {
      metadata: { labels: { app: 'app' } },
      spec: { containers: [{ name: 'app', image: 'ghcr.io/org/app:1.2.0' }] },
    },
  },
};
// The same workload in the folder, with Flux policies the listing reads from it.
const manifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  namespace: ${ns}
  annotations:
    fluxcd.io/automated: "true"
    fluxcd.io/tag.app: semver:~1.2
spec:
  template:
    spec:
      containers:
        - name: app
          image: ghcr.io/org/app:1.2.0
`;

describe('embed-api: the Flux API inside another express app', () => {
  let dir: TempDir;
  let apis: KubeApis;
  let kubeconfig: string;
  let server: ChildProcessWithoutNullStreams;
  let url = '';
  let fingerprint = '';

  beforeAll(async () => {
    const kube = inject('kube');
    if (!kube) throw new Error('no API server: this is an integration test, run it without FLUX_TS_UNIT=1');
    kubeconfig = kube.kubeconfigPath;
    apis = kubeApis(kubeconfig);
    await buildExamples(['examples', 'packages/fluxctl']);
    await apis.core.createNamespace({ body: { metadata: { name: ns } } });
    await apis.apps.createNamespacedDeployment({ namespace: ns, body: deployment });

    dir = await makeTempDir('example-embed');
    await writeFile(join(dir.path, 'app.yaml'), manifest);
    const key = join(dir.path, 'identity');
    await run('ssh-keygen', ['-q', '-N', '', '-t', 'ed25519', '-f', key]);
    const { stdout } = await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', key]);
    fingerprint = /SHA256:(\S+)/.exec(stdout)?.[1] ?? '';

    const args = [dir.path, '--port', '0', '--kubeconfig', kubeconfig, '--identity', key];
    server = spawn(process.execPath, [exampleJs('embed-api'), ...args], { stdio: 'pipe' });
    let out = '';
    server.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    for await (const chunk of server.stdout) {
      out += String(chunk);
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        url = m[1];
        break;
      }
    }
    if (!url) throw new Error(`embed-api did not start: ${out}`);
  });

  afterAll(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
    await apis?.core.deleteNamespace({ name: ns }).catch(() => undefined);
    await dir?.remove();
  });

  it("serves the host app's own route beside the API", async () => {
    const res = await fetch(`${url}/`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ app: 'embed-api-example', fluxApi: '/api/flux' });
  });

  it('lists the cluster workloads with the policies of their manifests (GET /v11/services)', async () => {
    const res = await fetch(`${url}/api/flux/v11/services?namespace=${ns}`);
    expect(res.status).toBe(200);
    const services = (await res.json()) as ControllerStatusJson[];
    expect(services).toHaveLength(1);
    expect(services[0]).toMatchObject({
      ID: `${ns}:deployment/app`,
      Containers: [{ Name: 'app', Current: { ID: 'ghcr.io/org/app:1.2.0' } }],
      ReadOnly: 'ReadOnlyMode',
      Labels: { team: 'web' },
      Automated: true,
      Locked: false,
      Policies: { automated: 'true', 'tag.app': 'semver:~1.2' },
    });
  });

  it('answers the deploy key (GET /v6/identity.pub) and the version', async () => {
    const key = (await (await fetch(`${url}/api/flux/v6/identity.pub`)).json()) as PublicKeyJson;
    expect(key.key).toMatch(/^ssh-ed25519 /);
    expect(key.fingerprints?.sha256?.hash).toBe(fingerprint);
    expect(await (await fetch(`${url}/api/flux/v11/version`)).json()).toBe('embed-api-example');
  });

  it("answers Flux's JSON errors for what it does not serve and for unknown routes", async () => {
    const images = await fetch(`${url}/api/flux/v10/images`, { headers: { Accept: 'application/json' } });
    expect(images.status).toBe(422); // a FluxError of kind `user`
    expect((await images.json()) as FluxErrorJson).toEqual({
      type: 'user',
      help: 'This example only lists workloads; run fluxd for syncs, jobs and releases.',
      error: 'listing images is not served by this read-only API',
    });

    const missing = await fetch(`${url}/api/flux/v99/nothing`);
    expect(missing.status).toBe(404);
  });

  it('works with fluxctl', async () => {
    const { stdout } = await run(process.execPath, [
      fluxctlJs,
      `--url=${url}/api/flux`,
      'list-workloads',
      '-n',
      ns,
    ]);
    expect(stdout).toMatch(new RegExp(`^${ns}:deployment/app\\s+app\\s+ghcr\\.io/org/app:1\\.2\\.0\\s`, 'm'));
  });

  it('stops on SIGTERM', async () => {
    server.kill('SIGTERM');
    const [code] = await once(server, 'exit');
    expect(code).toBe(0);
  });
});
