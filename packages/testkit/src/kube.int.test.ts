import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  type V1Deployment,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last).slice(0, 2000)}` : ''}`);
}

describe('kube-apiserver from tools/kube-testenv', () => {
  const kube = inject('kube');
  const namespace = `testkit-${randomBytes(4).toString('hex')}`;
  const kc = new KubeConfig();
  let objects: KubernetesObjectApi;
  let core: CoreV1Api;
  let apps: AppsV1Api;
  const apply = <T extends KubernetesObject>(obj: T): Promise<T> =>
    objects.patch(obj, undefined, undefined, 'flux-ts-test', true, PatchStrategy.ServerSideApply);

  beforeAll(async () => {
    if (!kube) throw new Error('no API server: this is an integration test, run it without FLUX_TS_UNIT=1');
    kc.loadFromFile(kube.kubeconfigPath);
    objects = KubernetesObjectApi.makeApiClient(kc);
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
  });
  afterAll(async () => {
    await core?.deleteNamespace({ name: namespace }).catch(() => undefined);
  });

  it('is a real API server on loopback', async () => {
    expect(kube?.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const versionRes = await fetch(`${kube?.server}/version`).catch((err: Error) => err);
    // Self-signed CA: plain fetch refuses it, which shows TLS is real; the client trusts the kubeconfig's CA.
    expect(versionRes).toBeInstanceOf(Error);
    const ns = await core.readNamespace({ name: 'default' });
    expect(ns.status?.phase).toBe('Active');
  });

  it('server-side applies a Deployment, Service and ConfigMap, and the controller manager rolls the Deployment', async () => {
    const labels = { app: 'hello' };
    await apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'hello', namespace },
      data: { greeting: 'hi' },
    });
    await apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'hello', namespace },
      spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] },
    } as KubernetesObject);
    const deployment: V1Deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'hello', namespace },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: 'hello', image: 'nginx:1.25' }] } },
      },
    };
    await apply(deployment);

    const status = await eventually('deployment status', async () => {
      const d = await apps.readNamespacedDeployment({ name: 'hello', namespace });
      return d.status?.observedGeneration === 1 && d.status.updatedReplicas === 2 ? d.status : undefined;
    });
    const cm = await core.readNamespacedConfigMap({ name: 'hello', namespace });
    const svc = await core.readNamespacedService({ name: 'hello', namespace });

    expect(status.replicas).toBe(2);
    expect(cm.data).toEqual({ greeting: 'hi' });
    expect(cm.metadata?.managedFields?.[0]?.manager).toBe('flux-ts-test');
    expect(svc.spec?.clusterIP).toMatch(/^10\.0\.0\.\d+$/);
  });

  it('cascades deletion through owner references and creates default service accounts', async () => {
    const selector = 'app=hello';
    const replicaSets = await eventually('the ReplicaSet of the Deployment', async () => {
      const list = await apps.listNamespacedReplicaSet({ namespace, labelSelector: selector });
      return list.items.length > 0 ? list.items : undefined;
    });
    expect(replicaSets[0]?.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: 'Deployment',
      name: 'hello',
    });

    await apps.deleteNamespacedDeployment({ name: 'hello', namespace, propagationPolicy: 'Background' });

    await eventually('the garbage collector to delete the ReplicaSet', async () => {
      const list = await apps.listNamespacedReplicaSet({ namespace, labelSelector: selector });
      return list.items.length === 0 ? true : undefined;
    });
    const sa = await eventually('the default ServiceAccount', () =>
      core.readNamespacedServiceAccount({ name: 'default', namespace }),
    );
    expect(sa.metadata?.name).toBe('default');
  });

  it('serves a CRD and an instance of it', async () => {
    const group = `${namespace}.flux-ts.test`;
    await apply({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `widgets.${group}` },
      spec: {
        group,
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } },
              },
            },
          },
        ],
      },
    } as KubernetesObject);

    await eventually('the CRD to be established', async () => {
      const crd = (await objects.read({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: `widgets.${group}` },
      })) as { status?: { conditions?: { type: string; status: string }[] } };
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')
        ? true
        : undefined;
    });
    // A new client: KubernetesObjectApi caches each group's resource list.
    objects = KubernetesObjectApi.makeApiClient(kc);
    const widget = await eventually('the Widget kind to be served', () =>
      apply({
        apiVersion: `${group}/v1`,
        kind: 'Widget',
        metadata: { name: 'w1', namespace },
        spec: { size: 3 },
      } as KubernetesObject),
    );
    const read = (await objects.read({
      apiVersion: `${group}/v1`,
      kind: 'Widget',
      metadata: { name: 'w1', namespace },
    })) as {
      spec?: { size?: number };
    };

    expect(widget.metadata?.uid).toBeTruthy();
    expect(read.spec?.size).toBe(3);
    await objects.delete({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `widgets.${group}` },
    });
  });

  it('finishes deleting a namespace', async () => {
    const doomed = `${namespace}-gone`;
    await core.createNamespace({ body: { metadata: { name: doomed } } });
    await core.createNamespacedConfigMap({ namespace: doomed, body: { metadata: { name: 'x' } } });

    await core.deleteNamespace({ name: doomed });

    const status = await eventually('namespace deletion', async () => {
      try {
        await core.readNamespace({ name: doomed });
        return undefined;
      } catch (err) {
        return err instanceof ApiException ? err.code : undefined;
      }
    });
    expect(status).toBe(404);
  });

  it('refuses a wrong token with 401', async () => {
    const bad = new KubeConfig();
    bad.loadFromFile(kube?.kubeconfigPath ?? '');
    const user = bad.getCurrentUser();
    if (user) Object.assign(user, { token: 'not-the-token' });

    const err = await bad
      .makeApiClient(CoreV1Api)
      .listNamespace()
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ApiException);
    expect((err as ApiException<unknown>).code).toBe(401);
  });
});
