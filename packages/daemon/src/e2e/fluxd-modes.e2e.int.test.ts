import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { kubeRequest } from '@flux-ts/k8s';
import { createGpgHome, type TestGpgHome } from '@flux-ts/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  eventually,
  type FluxdEnv,
  finishedJob,
  getObject,
  type RunningFluxd,
  startFluxd,
  startFluxdEnv,
} from '../testing/fluxd-env.ts';

const run = promisify(execFile);
const kubeInfo = inject('kube');

function need(): NonNullable<typeof kubeInfo> {
  if (!kubeInfo) throw new Error('this test needs the kube-apiserver (run without FLUX_TS_UNIT=1)');
  return kubeInfo;
}

const manifests = (ns: string): Record<string, string> => ({
  'ns.yaml': `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`,
  'app.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  namespace: ${ns}
spec:
  selector:
    matchLabels: {app: app}
  template:
    metadata:
      labels: {app: app}
    spec:
      containers:
      - name: app
        image: nginx:1.25
`,
});

async function createNamespace(env: FluxdEnv, ns: string): Promise<void> {
  await kubeRequest(env.kube.connection, {
    path: '/api/v1/namespaces',
    method: 'POST',
    body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
  });
}

describe('fluxd --git-readonly', { timeout: 120_000 }, () => {
  let env: FluxdEnv;
  let fluxd: RunningFluxd;

  beforeAll(async () => {
    env = await startFluxdEnv(need(), {});
    for (const [path, text] of Object.entries(manifests(env.namespace))) await env.user.write(path, text);
    await env.user.commitAndPush('Add app');
    // As `fluxctl install` does: the namespace and the deploy-key Secret exist before fluxd starts.
    await createNamespace(env, env.namespace);
    await env.apis.core.createNamespacedSecret({
      namespace: env.namespace,
      body: { metadata: { name: 'flux-git-deploy' }, type: 'Opaque' },
    });
    fluxd = await startFluxd(env, ['--git-readonly', '--registry-disable-scanning'], 'readonly');
  }, 180_000);

  afterAll(async () => {
    await fluxd?.stop();
    await env?.close();
  });

  it('syncs with the marker in the Secret, never pushes, and refuses writes', async () => {
    const head = (await env.user.git('rev-parse', 'HEAD')).trim();
    await eventually(
      'the deployment',
      () => getObject(env.kube, `/apis/apps/v1/namespaces/${env.namespace}/deployments/app`),
      { fluxd },
    );
    const marker = await eventually(
      'the marker in the secret',
      async () => {
        const secret = await env.apis.core.readNamespacedSecret({
          name: 'flux-git-deploy',
          namespace: env.namespace,
        });
        return secret.metadata?.annotations?.['flux.weave.works/sync-hwm'] || undefined;
      },
      { fluxd },
    );
    expect(marker).toBe(head);
    expect((await env.user.git('ls-remote', 'origin')).trim().split('\n')).toEqual([
      `${head}\tHEAD`,
      `${head}\trefs/heads/main`,
    ]);
    const services = (await (await fluxd.api(`/v6/services?namespace=${env.namespace}`)).json()) as {
      ReadOnly: string;
    }[];
    expect(services.map((s) => s.ReadOnly)).toEqual(['ReadOnlyMode']);
    const res = await fluxd.api('/v9/update-manifests', {
      method: 'POST',
      headers: { Accept: 'application/json' },
      body: JSON.stringify({
        type: 'policy',
        cause: { Message: '', User: '' },
        spec: { [`${env.namespace}:deployment/app`]: { add: { locked: 'true' } } },
      }),
    });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({
      type: 'user',
      error: 'cannot make a working clone of a read-only git repo',
    });
    expect(await fluxd.log()).toContain('--sync-state');
  });
});

describe('fluxd --git-signing-key', { timeout: 120_000 }, () => {
  let env: FluxdEnv;
  let fluxd: RunningFluxd;
  let gpg: TestGpgHome;

  beforeAll(async () => {
    env = await startFluxdEnv(need(), {});
    gpg = await createGpgHome({ name: 'Flux Signer', email: 'signer@example.com' });
    for (const [path, text] of Object.entries(manifests(env.namespace))) await env.user.write(path, text);
    await env.user.commitAndPush('Add app');
    fluxd = await startFluxd(
      env,
      [`--git-signing-key=${gpg.fingerprint}`, '--registry-disable-scanning'],
      'signed',
      {
        env: gpg.env,
      },
    );
  }, 180_000);

  afterAll(async () => {
    await fluxd?.stop();
    await env?.close();
    await gpg?.remove();
  });

  it('signs its commits and the sync tag with the key', async () => {
    await eventually(
      'the deployment',
      () => getObject(env.kube, `/apis/apps/v1/namespaces/${env.namespace}/deployments/app`),
      { fluxd },
    );
    const res = await fluxd.api('/v9/update-manifests', {
      method: 'POST',
      body: JSON.stringify({
        type: 'policy',
        cause: { Message: '', User: '' },
        spec: { [`${env.namespace}:deployment/app`]: { add: { automated: 'true' } } },
      }),
    });
    const jobId = (await res.json()) as string;
    const status = await finishedJob(fluxd, jobId, 'the policy job');
    expect(status.Err).toBe('');
    const revision = status.Result.revision as string;
    await env.user.pull();
    const gitEnv = { ...env.gitServer.env, ...gpg.env };
    const { stdout } = await run('git', ['log', '-1', '--format=%G? %GF', revision], {
      cwd: env.user.dir,
      env: gitEnv,
    });
    expect(stdout.trim()).toBe(`G ${gpg.fingerprint}`);
    await run('git', ['verify-commit', revision], { cwd: env.user.dir, env: gitEnv });
    await eventually(
      'the sync tag at the signed commit',
      async () => (await env.user.git('ls-remote', 'origin', 'refs/tags/flux-sync^{}')).startsWith(revision),
      { fluxd },
    );
    await env.user.git('fetch', '--quiet', '--force', 'origin', '+refs/tags/flux-sync:refs/tags/flux-sync');
    await run('git', ['verify-tag', 'flux-sync'], { cwd: env.user.dir, env: gitEnv });
  });
});

describe('fluxd deploy key generation', { timeout: 120_000 }, () => {
  let env: FluxdEnv;
  let fluxd: RunningFluxd;

  beforeAll(async () => {
    env = await startFluxdEnv(need(), {});
    await createNamespace(env, env.namespace);
    fluxd = await startFluxd(
      env,
      ['--ssh-keygen-type=ed25519', '--registry-disable-scanning', '--k8s-secret-name=deploy-key'],
      'keygen',
      { mountDeployKey: false },
    );
  }, 180_000);

  afterAll(async () => {
    await fluxd?.stop();
    await env?.close();
  });

  it('generates a key when the Secret holds none, stores it, and regenerates it on request', async () => {
    const secret = await env.apis.core.readNamespacedSecret({ name: 'deploy-key', namespace: env.namespace });
    const stored = Buffer.from(secret.data?.['identity.pub'] ?? '', 'base64').toString('utf8');
    expect(stored).toMatch(/^ssh-ed25519 /);
    const first = (await (await fluxd.api('/v6/identity.pub')).json()) as {
      key: string;
      fingerprints: { sha256: { hash: string } };
    };
    expect(first.key).toBe(stored);
    const keygenDir = join(env.tmp.path, 'keygen-home', 'keygen');
    for (const entry of await readdir(keygenDir)) {
      if (!entry.startsWith('..weave-keygen')) continue;
      const mode = (await stat(join(keygenDir, entry, 'identity'))).mode & 0o777;
      expect(mode & 0o077).toBe(0);
    }
    const regenerated = (await (
      await fluxd.api('/v9/git-repo-config', { method: 'POST', body: 'true' })
    ).json()) as {
      publicSSHKey: { key: string };
    };
    expect(regenerated.publicSSHKey.key).toMatch(/^ssh-ed25519 /);
    expect(regenerated.publicSSHKey.key).not.toBe(first.key);
    const after = await env.apis.core.readNamespacedSecret({ name: 'deploy-key', namespace: env.namespace });
    expect(Buffer.from(after.data?.['identity.pub'] ?? '', 'base64').toString('utf8')).toBe(
      regenerated.publicSSHKey.key,
    );
    const log = await fluxd.log();
    expect(log).not.toContain('PRIVATE KEY');
  });
});
