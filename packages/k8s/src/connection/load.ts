import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { type ConnectionOptions, connectionFromKubeconfig } from './from-kubeconfig.ts';
import { inClusterConnection } from './in-cluster.ts';
import type { KubeConnection } from './kube-connection.ts';
import { KubeConfigError } from './kubeconfig-error.ts';
import { readKubeconfigFiles } from './kubeconfig-file.ts';

/** Options of {@link loadKubeConnection}. */
export interface LoadKubeConnectionOptions extends ConnectionOptions {
  /** A kubeconfig file (`--kube-config`). Default: `KUBECONFIG`, then ~/.kube/config, then in-cluster. */
  kubeconfigPath?: string;
  /** Defaults to process.env (KUBECONFIG, KUBERNETES_SERVICE_HOST/PORT, HOME). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Finds the API server the way kubectl and client-node do: an explicit file; else the `KUBECONFIG`
 * list (merged, first definition wins); else `~/.kube/config`; else the pod's service account.
 */
export function loadKubeConnection(options: LoadKubeConnectionOptions = {}): KubeConnection {
  const env = options.env ?? process.env;
  const connection: ConnectionOptions = {
    ...(options.context ? { context: options.context } : {}),
    ...(options.now ? { now: options.now } : {}),
  };
  if (options.kubeconfigPath) {
    return connectionFromKubeconfig(readKubeconfigFiles([options.kubeconfigPath]), connection);
  }
  const list = (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  if (list.length > 0) return connectionFromKubeconfig(readKubeconfigFiles(list), connection);
  const home = join(env.HOME || homedir(), '.kube', 'config');
  if (existsSync(home)) return connectionFromKubeconfig(readKubeconfigFiles([home]), connection);
  const inCluster = inClusterConnection(env, undefined, options.now);
  if (inCluster) return inCluster;
  throw new KubeConfigError(
    'no Kubernetes configuration found: no --kube-config, no KUBECONFIG, no ~/.kube/config, and not in a pod',
    'Run fluxd in the cluster (it uses its service account), or point --kube-config or KUBECONFIG at a kubeconfig.',
  );
}
