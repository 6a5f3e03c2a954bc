import { randomBytes } from 'node:crypto';
import { type KubeApis, kubeApis } from '@flux-ts/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKubeClient, type KubeClient } from './kube-client.ts';
import { kubeRequest } from './rest.ts';
import { listWorkloads } from './workloads.ts';

const ns = `flux-workloads-${randomBytes(4).toString('hex')}`;
let client: KubeClient;
let apis: KubeApis;

// The helm-operator's CRD, reduced to what the API server needs (other tests may create it too).
const helmReleaseCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'helmreleases.helm.fluxcd.io' },
  spec: {
    group: 'helm.fluxcd.io',
    names: {
      kind: 'HelmRelease',
      listKind: 'HelmReleaseList',
      plural: 'helmreleases',
      singular: 'helmrelease',
    },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    ],
  },
};

beforeAll(async () => {
  const kube = inject('kube');
  if (!kube) throw new Error('no API server: this is an integration test, run it without FLUX_TS_UNIT=1');
  client = createKubeClient({ kubeconfigPath: kube.kubeconfigPath });
  apis = kubeApis(kube.kubeconfigPath);
  await apis.core.createNamespace({ body: { metadata: { name: ns } } });
  const crd = await kubeRequest(client.connection, {
    method: 'POST',
    path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
    body: helmReleaseCrd,
  });
  expect([201, 409]).toContain(crd.status);
});
afterAll(async () => {
  await apis?.core.deleteNamespace({ name: ns }).catch(() => undefined);
});

describe('listWorkloads: HelmReleases', () => {
  it('lists the images of a HelmRelease from its values, in each shape Flux v1 reads', async () => {
    const path = `/apis/helm.fluxcd.io/v1/namespaces/${ns}/helmreleases`;
    const body = {
      apiVersion: 'helm.fluxcd.io/v1',
      kind: 'HelmRelease',
      metadata: { name: 'redis', namespace: ns },
      spec: {
        chart: { repository: 'https://charts.example.com', name: 'redis', version: '1.0.0' },
        values: {
          image: { repository: 'bitnami/redis', tag: '6.0.1' },
          exporter: { image: 'oliver006/redis_exporter:v1.3.0' },
        },
      },
    };
    // The CRD may need a moment before it serves.
    let created = 0;
    for (let i = 0; i < 50 && created !== 201; i++) {
      created = (await kubeRequest(client.connection, { method: 'POST', path, body })).status;
      if (created !== 201) await new Promise((r) => setTimeout(r, 100));
    }
    expect(created).toBe(201);
    const redis = (await listWorkloads(client, { namespaces: [ns] })).find(
      (w) => w.id === `${ns}:helmrelease/redis`,
    );
    expect(redis?.containers).toEqual([
      { name: 'chart-image', image: 'bitnami/redis:6.0.1' },
      { name: 'exporter', image: 'oliver006/redis_exporter:v1.3.0' },
    ]);
  });
});
