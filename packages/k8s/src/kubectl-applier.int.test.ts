import { randomBytes } from 'node:crypto';
import { type KubeApis, kubeApis, requireBinary } from '@flux-ts/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKubeClient, type KubeClient } from './kube-client.ts';
import { kubectlApply } from './kubectl-applier.ts';

const ns = `flux-kubectl-${randomBytes(4).toString('hex')}`;
let client: KubeClient;
let apis: KubeApis;
let kubectl: string;

beforeAll(async () => {
  const kube = inject('kube');
  if (!kube) throw new Error('no API server: this is an integration test, run it without FLUX_TS_UNIT=1');
  client = createKubeClient({ kubeconfigPath: kube.kubeconfigPath });
  apis = kubeApis(kube.kubeconfigPath);
  kubectl = await requireBinary('kubectl', 'install kubectl (scripts/setup does)');
  await apis.core.createNamespace({ body: { metadata: { name: ns } } });
});
afterAll(async () => {
  await apis?.core.deleteNamespace({ name: ns }).catch(() => undefined);
});

describe('kubectl applier (--kubernetes-kubectl)', () => {
  it('applies a batch, and isolates a failing object by applying one by one', async () => {
    const cm = (name: string): Record<string, unknown> => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: ns },
      data: { k: 'v' },
    });
    const bad = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'bad', namespace: ns },
      spec: { ports: [{ port: 99999 }] },
    };

    const ok = await kubectlApply(kubectl, client.connection, [cm('a'), cm('b')]);
    const mixed = await kubectlApply(kubectl, client.connection, [cm('c'), bad, cm('d')]);

    expect(ok).toEqual([{ ok: true }, { ok: true }]);
    expect(mixed.map((r) => r.ok)).toEqual([true, false, true]);
    expect(mixed[1]?.error).toMatch(/^running kubectl: 1, stderr: [\s\S]*port/i);
    const names = (await apis.core.listNamespacedConfigMap({ namespace: ns })).items.map(
      (c) => c.metadata?.name,
    );
    expect(names).toEqual(expect.arrayContaining(['a', 'b', 'c', 'd']));
    const a = await apis.core.readNamespacedConfigMap({ name: 'a', namespace: ns });
    expect(a.metadata?.managedFields?.[0]?.manager).toBe('flux');
  });
});

describe('syncResources with kubectl', () => {
  it('applies through kubectl, stamped the same way, with per-object failures', async () => {
    const { parseManifests } = await import('@flux-ts/core');
    const { syncResources } = await import('./sync.ts');
    const { GC_MARK_LABEL, gcMark } = await import('./gc-mark.ts');
    const text = [
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: via-kubectl\n  namespace: ${ns}\ndata: {k: v}\n`,
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: broken\n  namespace: ${ns}\nspec:\n  ports: [{port: 99999}]\n`,
    ].join('---\n');
    const { resources } = parseManifests(text, 'k.yaml');

    const result = await syncResources(client, resources, { syncSetName: 'kubectl-set', kubectl });

    expect(result.changes.map((c) => [c.id, c.action])).toEqual([
      [`${ns}:configmap/via-kubectl`, 'configured'],
      [`${ns}:service/broken`, 'failed'],
    ]);
    const cm = await apis.core.readNamespacedConfigMap({ name: 'via-kubectl', namespace: ns });
    expect(cm.metadata?.labels?.[GC_MARK_LABEL]).toBe(gcMark('kubectl-set', `${ns}:configmap/via-kubectl`));
  });
});
