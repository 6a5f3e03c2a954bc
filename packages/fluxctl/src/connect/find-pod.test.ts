import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { findFluxPod, ListPodsError, NoPodLabelsError } from './find-pod.ts';
import { AmbiguousPodError, FALLBACK_SELECTOR, NoFluxPodError } from './select-pod.ts';

// A stand-in API server that answers pod lists from a table, to check what findFluxPod asks for.
// The real API server is exercised in find-pod.int.test.ts.
type Pods = Record<string, { name: string; phase: string }[]>;
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

async function fakeApi(podsBySelector: Pods, status = 200): Promise<{ kc: KubeConfig; requests: URL[] }> {
  const requests: URL[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(url);
    if (status === 0) return; // never answers
    if (status !== 200) {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'Status',
          status: 'Failure',
          message:
            'pods is forbidden: User "dev" cannot list resource "pods" in API group "" in the namespace "flux"',
          code: status,
        }),
      );
      return;
    }
    const items = (podsBySelector[url.searchParams.get('labelSelector') ?? ''] ?? []).map((p) => ({
      metadata: { name: p.name },
      status: { phase: p.phase },
    }));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items }));
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser(
    { name: 'fake', server: `http://127.0.0.1:${port}`, skipTLSVerify: true },
    { name: 'u' },
  );
  return { kc, requests };
}

describe('findFluxPod', () => {
  it('lists Running pods with the label selector in the namespace', async () => {
    const { kc, requests } = await fakeApi({ 'app=flux': [{ name: 'flux-abc', phase: 'Running' }] });
    await expect(findFluxPod(kc, { namespace: 'flux', labels: { app: 'flux' } })).resolves.toBe('flux-abc');
    expect(requests).toHaveLength(1);
    expect(requests[0]?.pathname).toBe('/api/v1/namespaces/flux/pods');
    expect(requests[0]?.searchParams.get('labelSelector')).toBe('app=flux');
    expect(requests[0]?.searchParams.get('fieldSelector')).toBe('status.phase=Running');
  });

  it('falls back to name in (flux,fluxd,weave-flux-agent)', async () => {
    const { kc, requests } = await fakeApi({ [FALLBACK_SELECTOR]: [{ name: 'flux-7d9', phase: 'Running' }] });
    await expect(findFluxPod(kc, { namespace: 'default', labels: { app: 'flux' } })).resolves.toBe(
      'flux-7d9',
    );
    expect(requests.map((r) => r.searchParams.get('labelSelector'))).toEqual(['app=flux', FALLBACK_SELECTOR]);
  });

  it('filters out pods that are not Running even if the server returns them', async () => {
    const { kc } = await fakeApi({
      'app=flux,release=x': [
        { name: 'old', phase: 'Failed' },
        { name: 'new', phase: 'Running' },
      ],
    });
    await expect(
      findFluxPod(kc, { namespace: 'default', labels: { release: 'x', app: 'flux' } }),
    ).resolves.toBe('new');
  });

  it('throws NoFluxPodError naming both selectors', async () => {
    const { kc } = await fakeApi({ 'app=flux': [{ name: 'p', phase: 'Pending' }] });
    const err = await findFluxPod(kc, { namespace: 'ns1', labels: { app: 'flux' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoFluxPodError);
    expect((err as Error).message).toMatch(
      /^No pod found in namespace "ns1" using the following selectors:\n {2}app=flux\n {2}name in \(flux,fluxd,weave-flux-agent\)\n\n/,
    );
  });

  it('throws AmbiguousPodError without trying the fallback', async () => {
    const { kc, requests } = await fakeApi({
      'app=flux': [
        { name: 'a', phase: 'Running' },
        { name: 'b', phase: 'Running' },
      ],
    });
    await expect(findFluxPod(kc, { namespace: 'default', labels: { app: 'flux' } })).rejects.toThrow(
      AmbiguousPodError,
    );
    expect(requests).toHaveLength(1);
  });

  it('refuses an empty label map as fluxctl 1.25 does', async () => {
    const { kc, requests } = await fakeApi({});
    await expect(findFluxPod(kc, { namespace: 'default', labels: {} })).rejects.toThrow(NoPodLabelsError);
    expect(requests).toHaveLength(0);
  });

  it('reports API errors with the server message', async () => {
    const { kc } = await fakeApi({}, 403);
    const err = await findFluxPod(kc, { namespace: 'flux', labels: { app: 'flux' } }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ListPodsError);
    expect((err as Error).message).toBe(
      'Listing pods in kubernetes: pods is forbidden: User "dev" cannot list resource "pods" in API group "" in the namespace "flux"',
    );
  });

  it('reports an unreachable API server', async () => {
    const kc = new KubeConfig();
    kc.loadFromClusterAndUser(
      { name: 'gone', server: 'http://127.0.0.1:1', skipTLSVerify: true },
      { name: 'u' },
    );
    await expect(findFluxPod(kc, { namespace: 'flux', labels: { app: 'flux' } })).rejects.toThrow(
      /^Listing pods in kubernetes: .*ECONNREFUSED/,
    );
  });

  it('stops when the signal is aborted', async () => {
    const { kc } = await fakeApi({});
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    await expect(
      findFluxPod(kc, { namespace: 'flux', labels: { app: 'flux' }, signal: controller.signal }),
    ).rejects.toThrow('cancelled');
  });

  it('aborts a list in flight', async () => {
    const { kc, requests } = await fakeApi({}, 0);
    const controller = new AbortController();
    const found = findFluxPod(kc, { namespace: 'flux', labels: { app: 'flux' }, signal: controller.signal });
    await expect.poll(() => requests.length).toBe(1);
    controller.abort(new Error('cancelled in flight'));
    await expect(found).rejects.toThrow('cancelled in flight');
  });
});
