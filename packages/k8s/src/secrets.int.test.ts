import { randomBytes } from 'node:crypto';
import { type KubeApis, kubeApis } from '@flux-ts/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { createKubeClient, type KubeClient } from './kube-client.ts';
import { exportCluster, imagePullSecrets, readDeployKey, writeDeployKey } from './secrets.ts';

const namespace = `flux-secrets-${randomBytes(4).toString('hex')}`;
let client: KubeClient;
let apis: KubeApis;
const b64 = (s: string): string => Buffer.from(s).toString('base64');

beforeAll(async () => {
  const kube = inject('kube');
  if (!kube) throw new Error('no API server: this is an integration test, run it without FLUX_TS_UNIT=1');
  client = createKubeClient({ kubeconfigPath: kube.kubeconfigPath });
  apis = kubeApis(kube.kubeconfigPath);
  await apis.core.createNamespace({ body: { metadata: { name: namespace } } });
});
afterAll(async () => {
  await apis?.core.deleteNamespace({ name: namespace }).catch(() => undefined);
});

describe('secrets against the real kube-apiserver', () => {
  it('stores and reads back the deploy key, keeping the sync marker annotation', async () => {
    await apis.core.createNamespacedSecret({
      namespace,
      body: {
        metadata: { name: 'flux-git-deploy', annotations: { 'flux.weave.works/sync-hwm': 'abc' } },
        type: 'Opaque',
      },
    });

    expect(await readDeployKey(client, { namespace })).toBeUndefined();
    await writeDeployKey(client, { namespace }, 'PRIVATE KEY\n', 'ssh-ed25519 AAAA\n');

    expect(await readDeployKey(client, { namespace })).toBe('PRIVATE KEY\n');
    const secret = await apis.core.readNamespacedSecret({ name: 'flux-git-deploy', namespace });
    expect(secret.data?.['identity.pub']).toBe(b64('ssh-ed25519 AAAA\n'));
    expect(secret.metadata?.annotations?.['flux.weave.works/sync-hwm']).toBe('abc');
  });

  it("finds a pod spec's own image pull secrets and its service account's", async () => {
    const dockerconfig = b64(JSON.stringify({ auths: { 'ghcr.io': { auth: b64('u:p') } } }));
    for (const name of ['own', 'from-sa']) {
      await apis.core.createNamespacedSecret({
        namespace,
        body: {
          metadata: { name },
          type: 'kubernetes.io/dockerconfigjson',
          data: { '.dockerconfigjson': dockerconfig },
        },
      });
    }
    await apis.core.createNamespacedServiceAccount({
      namespace,
      body: { metadata: { name: 'builder' }, imagePullSecrets: [{ name: 'from-sa' }] },
    });

    const secrets = await imagePullSecrets(client, namespace, {
      serviceAccountName: 'builder',
      imagePullSecrets: [{ name: 'own' }, { name: 'missing' }],
    });

    expect(secrets.map((s) => [s.metadata.name, s.type, s.data?.['.dockerconfigjson']])).toEqual([
      ['own', 'kubernetes.io/dockerconfigjson', dockerconfig],
      ['from-sa', 'kubernetes.io/dockerconfigjson', dockerconfig],
    ]);
  });

  it('exports namespaces and workloads as YAML without server-set fields', async () => {
    await apis.apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'web' },
        spec: {
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] },
          },
        },
      },
    });

    const text = await exportCluster(client, { namespaces: [namespace] });
    const docs = parseAllDocuments(text).map(
      (d) => d.toJS() as { kind: string; metadata: Record<string, unknown>; status?: unknown },
    );

    expect(docs.map((d) => `${d.kind}/${String(d.metadata.name)}`)).toEqual([
      `Namespace/${namespace}`,
      'Deployment/web',
    ]);
    for (const d of docs) {
      expect(d.status).toBeUndefined();
      expect(d.metadata.managedFields).toBeUndefined();
      expect(d.metadata.uid).toBeUndefined();
    }
    expect(parse(text.split('---\n')[2] ?? '')).toMatchObject({
      apiVersion: 'apps/v1',
      spec: { template: { spec: { containers: [{ image: 'nginx:1.25' }] } } },
    });
  });
});
