import type { KubeConnection } from './connection/kube-connection.ts';
import { loadKubeConnection } from './connection/load.ts';

/** Options of {@link createKubeClient}. */
export interface KubeClientOptions {
  /** A kubeconfig file (`--kube-config`); default `KUBECONFIG`, then ~/.kube/config, then in-cluster. */
  kubeconfigPath?: string;
  /** A context of the kubeconfig other than the current one. */
  context?: string;
}

/**
 * What every function of this package takes to reach the API server. It sends raw JSON with
 * {@link kubeRequest}: manifests go out as written (a typed client would drop fields its models
 * lack), and fluxd does not load a client library's generated APIs (tens of MiB it would never use).
 */
export interface KubeClient {
  readonly connection: KubeConnection;
  /** The namespace of the current context (`default` when it names none). */
  readonly contextNamespace: string;
}

/** Connects to the cluster a kubeconfig (or the in-cluster configuration) names. */
export function createKubeClient(options: KubeClientOptions = {}): KubeClient {
  const connection = loadKubeConnection(options);
  return { connection, contextNamespace: connection.namespace };
}
