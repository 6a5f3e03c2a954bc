import { randomBytes } from 'node:crypto';
import { parseManifests, type Resource } from '@flux-ts/core';
import { type KubeApis, kubeApis } from '@flux-ts/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Discovery } from './discovery.ts';
import { GC_MARK_LABEL, gcMark, SYNC_CHECKSUM_ANNOTATION } from './gc-mark.ts';
import { createKubeClient, type KubeClient } from './kube-client.ts';
import { kubeRequest } from './rest.ts';
import { syncResources } from './sync.ts';

const suffix = randomBytes(4).toString('hex');
const ns = `flux-sync-${suffix}`;
const group = `s${suffix}.flux-ts.test`;
let client: KubeClient;
let apis: KubeApis;

const configMap = (name: string, value = 'v'): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${ns}\ndata:\n  k: ${value}\n`;
const manifests = (...docs: string[]): Resource[] => {
  const parsed = parseManifests(docs.join('---\n'), 'test.yaml', {
    isNamespaced: (_v, kind) => kind !== 'Namespace' && kind !== 'CustomResourceDefinition',
  });
  expect(parsed.errors).toEqual([]);
  return parsed.resources;
};
const base = [
  `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`,
  configMap('one'),
  `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.${group}\nspec:\n  group: ${group}\n  scope: Namespaced\n  names: {plural: widgets, singular: widget, kind: Widget}\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}\n`,
  `apiVersion: ${group}/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: ${ns}\nspec: {size: 3, anything: [goes]}\n`,
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: ${ns}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - {name: app, image: 'nginx:1.25'}\n`,
];

beforeAll(() => {
  const kube = inject('kube');
  if (!kube) throw new Error('no API server: this is an integration test, run it without FLUX_TS_UNIT=1');
  client = createKubeClient({ kubeconfigPath: kube.kubeconfigPath });
  apis = kubeApis(kube.kubeconfigPath);
});
afterAll(async () => {
  await apis?.core.deleteNamespace({ name: ns }).catch(() => undefined);
  if (client) {
    await kubeRequest(client.connection, {
      method: 'DELETE',
      path: `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.${group}`,
    }).catch(() => undefined);
  }
});

describe('syncResources against the real kube-apiserver', () => {
  const syncSetName = `set-${suffix}`;

  it('creates a namespace, a CRD and its custom resource, and the rest, in one sync, stamped as Flux v1 does', async () => {
    const result = await syncResources(client, manifests(...base), { syncSetName });

    expect(result.changes.map((c) => [c.id, c.action])).toEqual([
      [`<cluster>:customresourcedefinition/widgets.${group}`, 'created'],
      [`<cluster>:namespace/${ns}`, 'created'],
      [`${ns}:configmap/one`, 'created'],
      [`${ns}:deployment/web`, 'created'],
      [`${ns}:widget/w`, 'created'],
    ]);
    const cm = await apis.core.readNamespacedConfigMap({ name: 'one', namespace: ns });
    expect(cm.metadata?.labels?.[GC_MARK_LABEL]).toBe(gcMark(syncSetName, `${ns}:configmap/one`));
    expect(cm.metadata?.annotations?.[SYNC_CHECKSUM_ANNOTATION]).toMatch(/^[0-9a-f]{40}$/);
    expect(cm.metadata?.managedFields?.[0]?.manager).toBe('flux');
  });

  it('leaves unchanged objects alone, and applies what changed', async () => {
    const changed = base.map((d) => (d === configMap('one') ? configMap('one', 'v2') : d));

    const again = await syncResources(client, manifests(...base), { syncSetName });
    const next = await syncResources(client, manifests(...changed), { syncSetName });
    const forced = await syncResources(client, manifests(...changed), { syncSetName, force: true });

    expect(again.changes.every((c) => c.action === 'unchanged')).toBe(true);
    expect(next.changes.filter((c) => c.action !== 'unchanged')).toEqual([
      { id: `${ns}:configmap/one`, action: 'configured' },
    ]);
    expect(forced.changes.every((c) => c.action === 'configured')).toBe(true);
  });

  it('applies the other 199 objects when one of 200 is invalid, and says why the bad one failed', async () => {
    const many = Array.from({ length: 199 }, (_, i) => configMap(`many-${i}`));
    const invalid = `apiVersion: v1\nkind: Service\nmetadata:\n  name: broken\n  namespace: ${ns}\nspec:\n  ports:\n  - port: 99999\n`;

    const result = await syncResources(client, manifests(...base, ...many, invalid), {
      syncSetName: `${syncSetName}-many`,
    });

    const failed = result.changes.filter((c) => c.action === 'failed');
    expect(failed).toEqual([
      { id: `${ns}:service/broken`, action: 'failed', reason: expect.stringMatching(/port/i) },
    ]);
    expect(result.changes.filter((c) => c.id.includes('many-') && c.action === 'created')).toHaveLength(199);
  });

  it('collects what git no longer holds: dry run, refusal after a load error, budget, then for real', async () => {
    const set = `${syncSetName}-gc`;
    const docs = [configMap('gc-a'), configMap('gc-b'), configMap('gc-c')];
    await syncResources(client, manifests(...docs), { syncSetName: set });
    const discovery = new Discovery(client.connection);
    const kept = manifests(docs[0] as string);

    const dry = await syncResources(client, kept, { syncSetName: set, gc: { dryRun: true }, discovery });
    const afterLoadError = await syncResources(client, kept, {
      syncSetName: set,
      gc: {},
      loadErrors: 1,
      discovery,
    });
    const overBudget = await syncResources(client, kept, {
      syncSetName: set,
      gc: { maxDeletions: 1 },
      discovery,
    });
    const stillThere = (await apis.core.listNamespacedConfigMap({ namespace: ns })).items.map(
      (c) => c.metadata?.name,
    );
    const real = await syncResources(client, kept, { syncSetName: set, gc: {}, discovery });
    const left = (await apis.core.listNamespacedConfigMap({ namespace: ns })).items.map(
      (c) => c.metadata?.name,
    );

    expect(dry.gc?.delete.map((o) => o.id)).toEqual([`${ns}:configmap/gc-c`, `${ns}:configmap/gc-b`]);
    expect(dry.changes.some((c) => c.action === 'deleted')).toBe(false);
    expect(afterLoadError.gc?.refused).toBe('garbage collection skipped: 1 manifest(s) failed to load');
    expect(overBudget.gc?.refused).toMatch(
      /^garbage collection refused: 2 objects to delete, over the budget of 1/,
    );
    expect(stillThere).toEqual(expect.arrayContaining(['gc-a', 'gc-b', 'gc-c']));
    expect(real.changes.filter((c) => c.action === 'deleted').map((c) => c.id)).toEqual([
      `${ns}:configmap/gc-b`,
      `${ns}:configmap/gc-c`,
    ]);
    expect(left).toContain('gc-a');
    expect(left).not.toContain('gc-b');
    // Objects of the other sync sets in the namespace are not ours to collect.
    expect(left).toEqual(expect.arrayContaining(['one', 'many-0']));
  });
});

describe('ignore annotations and garbage collection', () => {
  it('never collects a resource git still holds with fluxcd.io/ignore, in the file or on the live object', async () => {
    const set = `ignore-${suffix}`;
    const ignored = (name: string, value: string) =>
      configMap(name, value).replace(
        `  namespace: ${ns}\n`,
        `  namespace: ${ns}\n  annotations:\n    fluxcd.io/ignore: "true"\n`,
      );
    await syncResources(client, manifests(configMap('ign-file'), configMap('ign-live')), {
      syncSetName: set,
    });
    await apis.core.patchNamespacedConfigMap({
      name: 'ign-live',
      namespace: ns,
      body: [{ op: 'add', path: '/metadata/annotations/fluxcd.io~1ignore', value: 'true' }],
    });

    const result = await syncResources(
      client,
      manifests(ignored('ign-file', 'changed'), configMap('ign-live', 'changed')),
      {
        syncSetName: set,
        gc: {},
      },
    );

    expect(result.changes.map((c) => [c.id, c.action, c.reason])).toEqual([
      [`${ns}:configmap/ign-file`, 'skipped', 'ignore annotation in file'],
      [`${ns}:configmap/ign-live`, 'skipped', 'ignore annotation in cluster resource'],
    ]);
    expect(result.gc?.delete).toEqual([]);
    const file = await apis.core.readNamespacedConfigMap({ name: 'ign-file', namespace: ns });
    const live = await apis.core.readNamespacedConfigMap({ name: 'ign-live', namespace: ns });
    expect([file.data?.k, live.data?.k]).toEqual(['v', 'v']);
  });
});

describe('listWorkloads against the real kube-apiserver', () => {
  it('lists the synced Deployment with its containers and its completed rollout', async () => {
    const { listWorkloads } = await import('./workloads.ts');
    let web: Awaited<ReturnType<typeof listWorkloads>>[number] | undefined;
    for (let i = 0; i < 300; i++) {
      web = (await listWorkloads(client, { namespaces: [ns] })).find((w) => w.id === `${ns}:deployment/web`);
      if (web?.status === 'ready') break;
      await new Promise((r) => setTimeout(r, 100));
    }

    expect(web).toMatchObject({
      kind: 'Deployment',
      containers: [{ name: 'app', image: 'nginx:1.25' }],
      rollout: { desired: 1, updated: 1, ready: 1, available: 1, outdated: 0 },
    });
    // The test cluster's node stand-in runs the pod, so the rollout completes: ready.
    expect(web?.status).toBe('ready');
    expect(await listWorkloads(client, { namespaces: ['kube-system'] })).toEqual([]);
  });
});

describe('namespace constraints and excluded kinds', () => {
  it('refuses to write outside the allowed namespaces, and collects only inside them', async () => {
    const set = `set-${suffix}-allow`;
    const other = `${ns}-other`;
    await apis.core.createNamespace({ body: { metadata: { name: other } } });
    try {
      const outside = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: outside\n  namespace: ${other}\ndata: {}\n`;
      const otherNs = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${other}\n`;

      const result = await syncResources(client, manifests(configMap('inside'), outside, otherNs), {
        syncSetName: set,
        allowNamespaces: [ns],
      });

      expect(result.changes.map((c) => [c.id, c.action, c.reason])).toEqual([
        [
          `<cluster>:namespace/${other}`,
          'skipped',
          'not applying resources; excluded by namespace constraints',
        ],
        [
          `${other}:configmap/outside`,
          'skipped',
          'not applying resources; excluded by namespace constraints',
        ],
        [`${ns}:configmap/inside`, 'created', undefined],
      ]);
      await expect(
        apis.core.readNamespacedConfigMap({ name: 'outside', namespace: other }),
      ).rejects.toMatchObject({ code: 404 });
    } finally {
      await apis.core.deleteNamespace({ name: other }).catch(() => undefined);
    }
  });

  it.each`
    apiVersion                  | kind            | excluded
    ${'metrics.k8s.io/v1beta1'} | ${'PodMetrics'} | ${true}
    ${'v1'}                     | ${'Event'}      | ${true}
    ${'v1'}                     | ${'Endpoints'}  | ${true}
    ${'v1'}                     | ${'ConfigMap'}  | ${false}
    ${'apps/v1'}                | ${'Deployment'} | ${false}
  `('$apiVersion $kind excluded: $excluded', async ({ apiVersion, kind, excluded }) => {
    const { excludedKind } = await import('./sync.ts');

    expect(excludedKind(apiVersion, kind)).toBe(excluded);
  });
});
