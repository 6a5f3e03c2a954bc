import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createFluxdPod } from '@flux-ts/testkit';
import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findFluxPod } from './find-pod.ts';
import { loadKubeConfig } from './kubeconfig.ts';
import { openPortForward } from './port-forward.ts';
import { resolveApiUrl } from './resolve-url.ts';
import { AmbiguousPodError, NoFluxPodError } from './select-pod.ts';

// Against the run's real kube-apiserver (tools/kube-testenv). Its one node (the stand-in
// testenv-node) would run every pod; these pods select a node that does not exist, so the real
// scheduler leaves them Pending and unbound until a test patches their status, and no port-forward
// can reach them. The last tests forward to a pod the node does run.
describe('finding fluxd through a real API server', () => {
  const kube = inject('kube');
  const namespace = `fluxctl-connect-${randomBytes(4).toString('hex')}`;
  const kc = new KubeConfig();
  let core: CoreV1Api;

  const createPod = async (name: string, labels: Record<string, string>): Promise<V1Pod> => {
    const body: V1Pod = {
      metadata: { name, labels },
      spec: {
        automountServiceAccountToken: false,
        nodeSelector: { 'kubernetes.io/hostname': 'no-such-node' },
        containers: [{ name: 'flux', image: 'fluxcd/flux:1.25.4' }],
      },
    };
    // The namespace's default service account (needed by admission) appears shortly after the namespace.
    for (let attempt = 0; ; attempt++) {
      try {
        return await core.createNamespacedPod({ namespace, body });
      } catch (err) {
        if (attempt >= 50 || !String(err).includes('serviceaccount')) throw err;
        await sleep(200);
      }
    }
  };
  const setPhase = async (name: string, phase: string): Promise<void> => {
    await core.patchNamespacedPodStatus(
      { name, namespace, body: { status: { phase } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  };
  const find = (labels: Record<string, string> = { app: 'flux' }): Promise<string> =>
    findFluxPod(kc, { namespace, labels });

  beforeAll(async () => {
    if (!kube) throw new Error('no API server: this is an integration test, run it without FLUX_TS_UNIT=1');
    kc.loadFromFile(kube.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
  });
  afterAll(async () => {
    await core?.deleteNamespace({ name: namespace }).catch(() => undefined);
  });

  it('reports no pod while the matching pods are not Running', async () => {
    await createPod('helm-flux', { app: 'flux' });
    await createPod('flux', { name: 'flux' });
    const err = await find().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoFluxPodError);
    expect((err as Error).message).toBe(
      `No pod found in namespace "${namespace}" using the following selectors:\n` +
        '  app=flux\n' +
        '  name in (flux,fluxd,weave-flux-agent)\n' +
        '\n' +
        `Make sure Flux is running in namespace "${namespace}".\n` +
        'If Flux is running in another different namespace, please supply it to --k8s-fwd-ns.',
    );
  });

  it('finds the fallback-labelled pod once it is Running', async () => {
    await setPhase('flux', 'Running');
    await expect(find()).resolves.toBe('flux');
  });

  it('prefers the --k8s-fwd-labels pod once it is Running', async () => {
    await setPhase('helm-flux', 'Running');
    await expect(find()).resolves.toBe('helm-flux');
  });

  it('uses custom labels, and names them when nothing matches', async () => {
    await createPod('custom', { app: 'fluxd', team: 'ops' });
    await setPhase('custom', 'Running');
    await expect(find({ team: 'ops', app: 'fluxd' })).resolves.toBe('custom');
    // The fallback still finds `flux` for a selector that matches nothing.
    await expect(find({ app: 'nothing' })).resolves.toBe('flux');
  });

  it('reports two Running pods for a selector as ambiguous', async () => {
    await createPod('helm-flux-2', { app: 'flux' });
    await setPhase('helm-flux-2', 'Running');
    const err = await find().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AmbiguousPodError);
    expect((err as Error).message).toBe(
      'Ambiguous pod: found more than one pod for selector: labels "app=flux"',
    );
  });

  it('reports ambiguity on the fallback selector', async () => {
    await createPod('fluxd', { name: 'fluxd' });
    await setPhase('fluxd', 'Running');
    await expect(find({ app: 'nothing' })).rejects.toThrow(
      'Ambiguous pod: found more than one pod for selector: labels "name in (flux,fluxd,weave-flux-agent)"',
    );
  });

  it('reports no pod in a namespace without flux', async () => {
    await expect(findFluxPod(kc, { namespace: 'kube-public', labels: { app: 'flux' } })).rejects.toThrow(
      /^No pod found in namespace "kube-public"/,
    );
  });

  // A pod on no node: the API server has no kubelet to connect the port-forward to, so a forwarded
  // connection must fail, and say why.
  it('forwards through the API server, which refuses a pod that runs on no node', async () => {
    const handle = await openPortForward(kc, { namespace, pod: 'custom', port: 3030 });
    try {
      const socket = connect(handle.localPort, '127.0.0.1');
      socket.on('error', () => {});
      socket.write('GET /api/flux/v11/ping HTTP/1.1\r\nHost: x\r\n\r\n');
      const received: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => received.push(chunk));
      await new Promise((resolve) => socket.once('close', resolve));
      expect(Buffer.concat(received).length).toBe(0);
      // The API server answers the upgrade with 400 (the pod has no node); client-node hides the body.
      expect(handle.lastError()?.message).toBe(
        `port-forward to pod ${namespace}/custom:3030: Unexpected server response: 400`,
      );
    } finally {
      await handle.close();
    }
  });

  it('resolveApiUrl finds the pod and serves a local URL for it', async () => {
    const endpoint = await resolveApiUrl({
      namespace,
      labels: { team: 'ops' },
      kubeconfigPath: kube?.kubeconfigPath ?? '',
    });
    try {
      expect(endpoint.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/flux$/);
      // The pod runs on no node: the request fails, and the endpoint can say why.
      await expect(fetch(`${endpoint.baseUrl}/v11/ping`)).rejects.toThrow();
      expect(endpoint.lastError()?.code).toBe('fluxctl.connect.port-forward');
    } finally {
      await endpoint.close();
    }
  });

  it('loadKubeConfig applies --context to the real kubeconfig', async () => {
    const current = kc.getCurrentContext();
    const loaded = loadKubeConfig(kube?.kubeconfigPath, current);
    expect(loaded.getCurrentCluster()?.server).toBe(kube?.server);
    await expect(findFluxPod(loaded, { namespace, labels: { team: 'ops' } })).resolves.toBe('custom');
    await expect(
      resolveApiUrl({
        namespace,
        labels: { app: 'flux' },
        kubeconfigPath: kube?.kubeconfigPath ?? '',
        context: 'nope',
      }),
    ).rejects.toThrow('context was not found for specified context: nope');
  });

  it('resolveApiUrl reaches fluxd through a pod the node stand-in runs (a real tunnel)', async () => {
    // A local HTTP server stands in for fluxd; the pod's port 3030 forwards to it.
    const server = createServer((req, res) => res.end(`fluxd saw ${req.url}`));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const fluxdPort = (server.address() as AddressInfo).port;
    const forwardNs = `${namespace}-run`;
    const pod = await createFluxdPod(kube?.kubeconfigPath ?? '', {
      namespace: forwardNs,
      fluxdUrl: `http://127.0.0.1:${fluxdPort}`,
    });
    const endpoint = await resolveApiUrl({
      namespace: forwardNs,
      labels: { app: 'flux' },
      kubeconfigPath: kube?.kubeconfigPath ?? '',
    });
    try {
      for (const path of ['/v11/ping', '/v6/identity.pub']) {
        const res = await fetch(`${endpoint.baseUrl}${path}`);
        expect(await res.text()).toBe(`fluxd saw /api/flux${path}`);
      }
      expect(endpoint.lastError()).toBeUndefined();
    } finally {
      await endpoint.close();
      await pod.remove();
      server.closeAllConnections();
      server.close();
      await core.deleteNamespace({ name: forwardNs }).catch(() => undefined);
    }
  });
});
