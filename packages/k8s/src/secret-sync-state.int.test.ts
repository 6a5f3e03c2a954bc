import { randomBytes } from 'node:crypto';
import { syncStateStoreConformance } from '@flux-ts/core/testing';
import { type KubeApis, kubeApis } from '@flux-ts/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KubeApiError } from './errors.ts';
import { createKubeClient, type KubeClient } from './kube-client.ts';
import { createSecretSyncState } from './secret-sync-state.ts';

const namespace = `flux-sync-state-${randomBytes(4).toString('hex')}`;
let client: KubeClient;
let apis: KubeApis;
let count = 0;

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

// Against the real kube-apiserver: a fresh deploy-key Secret per test.
syncStateStoreConformance('secret annotation (real kube-apiserver)', async () => {
  count++;
  const secretName = `flux-git-deploy-${count}`;
  await apis.core.createNamespacedSecret({
    namespace,
    body: { metadata: { name: secretName }, type: 'Opaque', data: {} },
  });
  return {
    store: createSecretSyncState(client, { namespace, secretName }),
    revisions: ['a'.repeat(40), 'b'.repeat(40)],
  };
});

describe('secret sync state', () => {
  it('writes the annotation Flux v1 reads, and keeps the Secret’s data', async () => {
    await apis.core.createNamespacedSecret({
      namespace,
      body: {
        metadata: { name: 'keep-data' },
        type: 'Opaque',
        data: { identity: Buffer.from('key').toString('base64') },
      },
    });
    const store = createSecretSyncState(client, { namespace, secretName: 'keep-data' });

    await store.update('c'.repeat(40));

    const secret = await apis.core.readNamespacedSecret({ name: 'keep-data', namespace });
    expect(secret.metadata?.annotations?.['flux.weave.works/sync-hwm']).toBe('c'.repeat(40));
    expect(secret.data?.identity).toBe(Buffer.from('key').toString('base64'));
  });

  it('names the Secret when it does not exist', async () => {
    const store = createSecretSyncState(client, { namespace, secretName: 'missing' });

    const err = await store.get().then(
      () => undefined,
      (e: unknown) => e as KubeApiError,
    );

    expect(err).toBeInstanceOf(KubeApiError);
    expect(err?.status).toBe(404);
    expect(err?.message).toMatch(
      new RegExp(`^cannot read the sync marker from secret ${namespace}/missing: HTTP 404: `),
    );
  });
});
