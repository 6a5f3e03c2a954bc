import { createKubeClient, KubeApiError, kubeRequest } from '@flux-ts/k8s';

/** Reads objects from the API server, for the demo's checks of what the cluster holds. */
export interface KubeReader {
  /** GET `path` (e.g. `/apis/apps/v1/namespaces/demo/deployments/podinfo`); undefined on 404. */
  get(path: string): Promise<Record<string, unknown> | undefined>;
}

/** A read-only view of the cluster, as `kubectl get` gives, through @flux-ts/k8s's connection. */
export async function kubeReader(kubeconfigPath: string): Promise<KubeReader> {
  const { connection } = createKubeClient({ kubeconfigPath });
  return {
    async get(path) {
      const res = await kubeRequest(connection, { path, signal: AbortSignal.timeout(10_000) });
      if (res.status === 404) return undefined;
      if (res.status !== 200) {
        const reason = (res.body as { message?: string } | undefined)?.message ?? 'no message';
        throw new KubeApiError(`GET ${path}`, res.status, reason);
      }
      return res.body as Record<string, unknown>;
    },
  };
}
