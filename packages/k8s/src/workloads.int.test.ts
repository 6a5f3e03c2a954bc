import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Logger, noopLogger } from '@flux-ts/core';
import { type KubeApis, kubeApis } from '@flux-ts/testkit';
import { RbacAuthorizationV1Api } from '@kubernetes/client-node';
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

describe('listWorkloads with restricted RBAC', () => {
  it('lists the kinds it may read and warns about the others (as Flux v1), instead of failing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rbac-'));
    try {
      await apis.core.createNamespacedServiceAccount({
        namespace: ns,
        body: { metadata: { name: 'reader' } },
      });
      const rbac = apis.config.makeApiClient(RbacAuthorizationV1Api);
      await rbac.createNamespacedRole({
        namespace: ns,
        body: {
          metadata: { name: 'deployments-only' },
          rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['list'] }],
        },
      });
      await rbac.createNamespacedRoleBinding({
        namespace: ns,
        body: {
          metadata: { name: 'reader' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'deployments-only' },
          subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: ns }],
        },
      });
      await apis.apps.createNamespacedDeployment({
        namespace: ns,
        body: {
          metadata: { name: 'visible' },
          spec: {
            selector: { matchLabels: { app: 'visible' } },
            template: {
              metadata: { labels: { app: 'visible' } },
              spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] },
            },
          },
        },
      });
      const token = await apis.core.createNamespacedServiceAccountToken({
        name: 'reader',
        namespace: ns,
        body: { spec: { audiences: [], expirationSeconds: 600 } },
      });
      const cluster = apis.config.getCurrentCluster();
      const kubeconfig = join(dir, 'kubeconfig');
      await writeFile(
        kubeconfig,
        `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${cluster?.server}\n    certificate-authority-data: ${cluster?.caData}\nusers:\n- name: reader\n  user:\n    token: ${token.status?.token}\ncontexts:\n- name: r\n  context: {cluster: c, user: reader}\ncurrent-context: r\n`,
      );
      const warnings: string[] = [];
      const logger: Logger = {
        ...noopLogger,
        warn: (fields: unknown, message?: string) => {
          warnings.push(`${(fields as { resource: string }).resource}: ${message}`);
        },
      };

      const listed = await listWorkloads(createKubeClient({ kubeconfigPath: kubeconfig }), {
        namespaces: [ns],
        logger,
      });

      expect(listed.map((w) => w.id)).toEqual([`${ns}:deployment/visible`]);
      expect(warnings.sort()).toEqual(
        ['cronjobs', 'daemonsets', 'helmreleases', 'statefulsets'].map(
          (r) => `${r}: not allowed to list workloads of this kind; left out`,
        ),
      );
      // Any other failure still fails: a token the API server does not accept is not "forbidden".
      await writeFile(
        kubeconfig,
        (await readFile(kubeconfig, 'utf8')).replace(/token: .*/, 'token: not-a-token'),
      );
      await expect(
        listWorkloads(createKubeClient({ kubeconfigPath: kubeconfig }), { namespaces: [ns], logger }),
      ).rejects.toThrow(/cannot list deployments in namespace .*401|401/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
