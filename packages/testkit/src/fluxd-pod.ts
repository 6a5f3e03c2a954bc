import { setTimeout as sleep } from 'node:timers/promises';
import { ApiException, CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';

/** Annotation prefix the kube-testenv node stand-in reads on pods (tools/kube-testenv/README.md). */
export const TESTENV_ANNOTATION_PREFIX: string = 'kube-testenv.flux-ts.dev/';
/** `kube-testenv.flux-ts.dev/forward-<port>`: the local `host:port` a port-forward to the pod's `<port>` reaches. */
export function forwardAnnotation(port: number): string {
  return `${TESTENV_ANNOTATION_PREFIX}forward-${port}`;
}
/** `kube-testenv.flux-ts.dev/fail`: container names (comma separated, or `*`) that crash-loop. */
export const FAIL_ANNOTATION: string = `${TESTENV_ANNOTATION_PREFIX}fail`;

export interface FluxdPodOptions {
  /** Namespace of the pod; created when missing. */
  namespace: string;
  /** Where the running fluxd listens: `http://127.0.0.1:41234` or `127.0.0.1:41234`. */
  fluxdUrl: string;
  /** Pod name (default `flux`). */
  name?: string;
  /** Pod labels (default `app=flux`, what fluxctl looks for). */
  labels?: Record<string, string>;
  /** The pod port that forwards to fluxd (default 3030, fluxctl's). */
  port?: number;
  timeoutMs?: number;
}

export interface FluxdPod {
  namespace: string;
  name: string;
  /** Deletes the pod (not the namespace). */
  remove(): Promise<void>;
}

/**
 * Creates a "fluxd pod" in the kube-testenv cluster: a pod labelled like Flux's (`app=flux`) whose
 * port 3030 the node stand-in forwards to a fluxd process the test started, so `fluxctl` without
 * `--url` finds it and port-forwards to it through the API server. Resolves once the pod is Running
 * and ready. Needs the kube-testenv node stand-in (not an external cluster).
 */
export async function createFluxdPod(kubeconfigPath: string, options: FluxdPodOptions): Promise<FluxdPod> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const { namespace } = options;
  const name = options.name ?? 'flux';
  const port = options.port ?? 3030;
  const target = options.fluxdUrl.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  if (!/^[^:/]+:\d+$/.test(target))
    throw new Error(`createFluxdPod: fluxdUrl ${options.fluxdUrl} has no host:port`);

  await core.createNamespace({ body: { metadata: { name: namespace } } }).catch((err: unknown) => {
    if (!(err instanceof ApiException && err.code === 409)) throw err;
  });
  const body: V1Pod = {
    metadata: {
      name,
      labels: options.labels ?? { app: 'flux' },
      annotations: { [forwardAnnotation(port)]: target },
    },
    spec: {
      automountServiceAccountToken: false,
      containers: [
        {
          name: 'flux',
          image: 'docker.io/fluxcd/flux:1.25.4',
          ports: [{ containerPort: port, name: 'http' }],
        },
      ],
    },
  };
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  // A new namespace's default service account (needed by admission) appears shortly after it.
  for (;;) {
    try {
      await core.createNamespacedPod({ namespace, body });
      break;
    } catch (err) {
      if (Date.now() > deadline || !String(err).includes('serviceaccount')) throw err;
      await sleep(200);
    }
  }
  for (;;) {
    const pod = await core.readNamespacedPod({ name, namespace });
    const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    if (pod.status?.phase === 'Running' && ready) break;
    if (Date.now() > deadline)
      throw new Error(
        `pod ${namespace}/${name} is not Running and ready (phase ${pod.status?.phase ?? 'none'}, node ${pod.spec?.nodeName ?? 'none'}): is the kube-testenv node stand-in running?`,
      );
    await sleep(100);
  }
  return {
    namespace,
    name,
    remove: async () => {
      await core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 }).catch((err: unknown) => {
        if (!(err instanceof ApiException && err.code === 404)) throw err;
      });
    },
  };
}
