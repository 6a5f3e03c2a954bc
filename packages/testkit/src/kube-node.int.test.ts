import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer as createHttpServer, type Server } from 'node:http';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  KubeConfig,
  PortForward,
  type V1Deployment,
  type V1Pod,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createFluxdPod, FAIL_ANNOTATION, forwardAnnotation } from './fluxd-pod.ts';
import { requireBinary } from './which.ts';

async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
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

// The node stand-in of tools/kube-testenv: the real kube-scheduler binds pods to testenv-node, its
// agent reports them Running, the real controllers roll workloads out, and its kubelet server
// forwards ports through the real API server.
describe('the kube-testenv node stand-in', { timeout: 120_000 }, () => {
  const kube = inject('kube');
  const namespace = `testkit-node-${randomBytes(4).toString('hex')}`;
  const kc = new KubeConfig();
  let core: CoreV1Api;
  let apps: AppsV1Api;
  let http: Server;
  let httpPort: number;

  const deployment = (name: string, image: string, replicas: number, podAnnotations = {}): V1Deployment => ({
    metadata: { name, namespace },
    spec: {
      replicas,
      progressDeadlineSeconds: 3,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name }, annotations: podAnnotations },
        spec: { containers: [{ name: 'main', image }] },
      },
    },
  });
  const createPod = async (body: V1Pod): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        await core.createNamespacedPod({ namespace, body });
        return;
      } catch (err) {
        if (attempt >= 100 || !String(err).includes('serviceaccount')) throw err;
        await sleep(200);
      }
    }
  };
  const podsOf = async (app: string): Promise<V1Pod[]> =>
    (await core.listNamespacedPod({ namespace, labelSelector: `app=${app}` })).items;

  beforeAll(async () => {
    if (!kube) throw new Error('no API server: this is an integration test, run it without FLUX_TS_UNIT=1');
    kc.loadFromFile(kube.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    http = createHttpServer((req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.end(`hello from ${req.method} ${req.url}`);
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    httpPort = (http.address() as AddressInfo).port;
  });
  afterAll(async () => {
    http?.closeAllConnections();
    http?.close();
    await core?.deleteNamespace({ name: namespace }).catch(() => undefined);
  });

  it('registers testenv-node: Ready, at 127.0.0.1, with capacity and a kubelet endpoint', async () => {
    const node = await core.readNode({ name: 'testenv-node' });
    expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(node.status?.addresses).toContainEqual({ type: 'InternalIP', address: '127.0.0.1' });
    expect(node.status?.allocatable?.pods).toBe('500');
    expect(node.status?.daemonEndpoints?.kubeletEndpoint?.Port).toBeGreaterThan(0);
    expect(node.status?.nodeInfo?.kubeletVersion).toBe('v1.34.4');
  });

  it('rolls a Deployment of 3 replicas out: availableReplicas 3, pods Running with container statuses', async () => {
    await apps.createNamespacedDeployment({ namespace, body: deployment('web', 'nginx:1.25', 3) });
    const status = await eventually('availableReplicas 3', async () => {
      const d = await apps.readNamespacedDeployment({ name: 'web', namespace });
      return d.status?.availableReplicas === 3 ? d.status : undefined;
    });
    expect(status).toMatchObject({ replicas: 3, readyReplicas: 3, updatedReplicas: 3 });
    expect(status.conditions?.find((c) => c.type === 'Available')?.status).toBe('True');
    const pods = await podsOf('web');
    expect(pods).toHaveLength(3);
    for (const pod of pods) {
      expect(pod.spec?.nodeName).toBe('testenv-node');
      expect(pod.status?.phase).toBe('Running');
      expect(pod.status?.hostIP).toBe('127.0.0.1');
      expect(pod.status?.podIP).toMatch(/^10\.244\.\d+\.\d+$/);
      const [container] = pod.status?.containerStatuses ?? [];
      expect(container).toMatchObject({ name: 'main', image: 'nginx:1.25', ready: true, started: true });
      expect(container?.imageID).toMatch(/^nginx@sha256:[0-9a-f]{64}$/);
      expect(container?.state?.running?.startedAt).toBeDefined();
    }
    // The scheduler, not the stand-in, bound them: it records a Scheduled event.
    const events = await eventually('a Scheduled event', async () => {
      const list = await core.listNamespacedEvent({ namespace });
      const scheduled = list.items.filter((e) => e.reason === 'Scheduled');
      return scheduled.length >= 3 ? scheduled : undefined;
    });
    expect(events[0]?.message).toMatch(/Successfully assigned .* to testenv-node/);
  });

  it('completes a rolling image update: the old pods go, the new ones run', async () => {
    await apps.patchNamespacedDeployment({
      name: 'web',
      namespace,
      body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:1.27' }],
    });
    const status = await eventually('the rollout of nginx:1.27', async () => {
      const d = await apps.readNamespacedDeployment({ name: 'web', namespace });
      const s = d.status;
      const done =
        s?.observedGeneration === 2 &&
        s.updatedReplicas === 3 &&
        s.replicas === 3 &&
        s.availableReplicas === 3 &&
        (await podsOf('web')).length === 3;
      return done ? s : undefined;
    });
    expect(status.conditions?.find((c) => c.type === 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
    const pods = await podsOf('web');
    expect(pods.map((p) => p.status?.containerStatuses?.[0]?.image)).toEqual([
      'nginx:1.27',
      'nginx:1.27',
      'nginx:1.27',
    ]);
  });

  it('shows a failing container in the pod and in the Deployment conditions', async () => {
    await apps.createNamespacedDeployment({
      namespace,
      body: deployment('broken', 'busybox:1.36', 1, { [FAIL_ANNOTATION]: 'main' }),
    });
    const conditions = await eventually('Progressing=False', async () => {
      const d = await apps.readNamespacedDeployment({ name: 'broken', namespace });
      const c = d.status?.conditions ?? [];
      return c.some((x) => x.type === 'Progressing' && x.status === 'False') ? c : undefined;
    });
    expect(conditions.find((c) => c.type === 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
    });
    expect(conditions.find((c) => c.type === 'Progressing')?.message).toMatch(
      /^ReplicaSet "broken-[a-z0-9]+" has timed out progressing\.$/,
    );
    expect(conditions.find((c) => c.type === 'Available')).toMatchObject({
      status: 'False',
      reason: 'MinimumReplicasUnavailable',
    });
    const [pod] = await podsOf('broken');
    expect(pod?.status?.phase).toBe('Running');
    const container = pod?.status?.containerStatuses?.[0];
    expect(container).toMatchObject({ ready: false, restartCount: 1 });
    expect(container?.state?.waiting?.reason).toBe('CrashLoopBackOff');
    expect(container?.lastState?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(pod?.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotReady',
      message: 'containers with unready status: [main]',
    });
  });

  it('rolls out a StatefulSet and a DaemonSet, and completes a Job', async () => {
    const labels = (app: string) => ({
      selector: { matchLabels: { app } },
      template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'main', image: 'redis:7' }] } },
    });
    await apps.createNamespacedStatefulSet({
      namespace,
      body: { metadata: { name: 'db' }, spec: { replicas: 2, serviceName: 'db', ...labels('db') } },
    });
    await apps.createNamespacedDaemonSet({
      namespace,
      body: { metadata: { name: 'agent' }, spec: labels('agent') },
    });
    const batch = kc.makeApiClient(BatchV1Api);
    await batch.createNamespacedJob({
      namespace,
      body: {
        metadata: { name: 'once' },
        spec: {
          template: {
            spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36' }] },
          },
        },
      },
    });
    const sts = await eventually('StatefulSet readyReplicas 2', async () => {
      const s = (await apps.readNamespacedStatefulSet({ name: 'db', namespace })).status;
      return s?.readyReplicas === 2 && s.availableReplicas === 2 ? s : undefined;
    });
    expect(sts.currentReplicas).toBe(2);
    const ds = await eventually('DaemonSet numberAvailable 1', async () => {
      const s = (await apps.readNamespacedDaemonSet({ name: 'agent', namespace })).status;
      return s?.numberAvailable === 1 ? s : undefined;
    });
    expect(ds).toMatchObject({ desiredNumberScheduled: 1, numberReady: 1, updatedNumberScheduled: 1 });
    const job = await eventually('Job succeeded', async () => {
      const s = (await batch.readNamespacedJob({ name: 'once', namespace })).status;
      return s?.succeeded === 1 ? s : undefined;
    });
    expect(job.conditions?.find((c) => c.type === 'Complete')?.status).toBe('True');
  });

  describe('port-forward through the API server to the stand-in kubelet', () => {
    const pod = 'web-server';
    beforeAll(async () => {
      await createPod({
        metadata: { name: pod, annotations: { [forwardAnnotation(8080)]: `127.0.0.1:${httpPort}` } },
        spec: { automountServiceAccountToken: false, containers: [{ name: 'main', image: 'nginx:1.27' }] },
      });
      await eventually('the pod Running', async () => {
        const p = await core.readNamespacedPod({ name: pod, namespace });
        return p.status?.phase === 'Running' ? p : undefined;
      });
    });

    /** A local port whose connections client-node's PortForward (WebSocket) carries to the pod's port. */
    const clientNodeForward = async (
      port: number,
      errors: string[],
    ): Promise<{ port: number; close(): void }> => {
      const forwarder = new PortForward(kc);
      const sockets = new Set<Socket>();
      const server = createServer((socket) => {
        sockets.add(socket);
        socket.on('error', () => {});
        const err = new Writable({
          write(chunk: Buffer, _e, cb) {
            errors.push(chunk.toString());
            cb();
          },
        });
        void forwarder.portForward(namespace, pod, [port], socket, err, socket).then(
          (ws) => {
            const w = ws as unknown as { on(e: 'close', l: () => void): void; close(): void };
            w.on('close', () => socket.end());
            socket.on('close', () => w.close());
          },
          (e: unknown) => {
            errors.push(String(e));
            socket.destroy();
          },
        );
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      return {
        port: (server.address() as AddressInfo).port,
        close: () => {
          for (const s of sockets) s.destroy();
          server.close();
        },
      };
    };

    it("@kubernetes/client-node's PortForward (WebSocket) reaches a local HTTP server", async () => {
      const errors: string[] = [];
      const forward = await clientNodeForward(8080, errors);
      try {
        for (const path of ['/one', '/two']) {
          const res = await fetch(`http://127.0.0.1:${forward.port}${path}`);
          expect(res.status).toBe(200);
          expect(await res.text()).toBe(`hello from GET ${path}`);
        }
        // client-node passes the error channel's empty frames on: no error is no text.
        expect(errors.join('')).toBe('');
      } finally {
        forward.close();
      }
    });

    it('reports a port the pod does not forward on the error channel', async () => {
      const errors: string[] = [];
      const forward = await clientNodeForward(9999, errors);
      try {
        await fetch(`http://127.0.0.1:${forward.port}/`).catch(() => undefined);
        const text = await eventually(
          'an error',
          async () => (errors.length > 0 ? errors.join('') : undefined),
          10_000,
        );
        expect(text).toContain(`error forwarding port 9999 to pod ${namespace}/${pod}`);
        expect(text).toContain('annotation kube-testenv.flux-ts.dev/forward-9999 names no address');
      } finally {
        forward.close();
      }
    });

    for (const [protocol, env] of [
      ['WebSocket tunnelling, the default', {}],
      ['SPDY', { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' }],
    ] as const) {
      it(`kubectl port-forward (${protocol}) reaches a local HTTP server`, async () => {
        const kubectl = await requireBinary('kubectl', 'apt-get install kubernetes-client');
        const child = spawn(
          kubectl,
          [
            '--kubeconfig',
            kube?.kubeconfigPath ?? '',
            '-n',
            namespace,
            'port-forward',
            `pod/${pod}`,
            ':8080',
          ],
          { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
        );
        let stderr = '';
        child.stderr.on('data', (c: Buffer) => {
          stderr += c.toString();
        });
        try {
          const local = await new Promise<number>((resolve, reject) => {
            let out = '';
            child.stdout.on('data', (c: Buffer) => {
              out += c.toString();
              const m = /Forwarding from 127\.0\.0\.1:(\d+) -> 8080/.exec(out);
              if (m) resolve(Number(m[1]));
            });
            child.once('exit', (code) => reject(new Error(`kubectl exited ${code}: ${stderr}`)));
          });
          for (const path of ['/a', '/b']) {
            const res = await fetch(`http://127.0.0.1:${local}${path}`);
            expect(await res.text()).toBe(`hello from GET ${path}`);
          }
          expect(stderr).toBe('');
        } finally {
          child.kill('SIGTERM');
        }
      });
    }
  });

  it('createFluxdPod makes a Running app=flux pod whose port 3030 reaches the given address', async () => {
    const fluxNs = `${namespace}-flux`;
    const fluxdPod = await createFluxdPod(kube?.kubeconfigPath ?? '', {
      namespace: fluxNs,
      fluxdUrl: `http://127.0.0.1:${httpPort}`,
    });
    try {
      const p = await core.readNamespacedPod({ name: 'flux', namespace: fluxNs });
      expect(p.metadata?.labels).toEqual({ app: 'flux' });
      expect(p.status?.phase).toBe('Running');
      expect(p.metadata?.annotations?.[forwardAnnotation(3030)]).toBe(`127.0.0.1:${httpPort}`);
    } finally {
      await fluxdPod.remove();
      await core.deleteNamespace({ name: fluxNs }).catch(() => undefined);
    }
  });
});
