import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';

/** Typed API clients of `@kubernetes/client-node`, for tests that set up or inspect cluster state. */
export interface KubeApis {
  config: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
}

/**
 * client-node's typed clients for a kubeconfig: tests arrange and check cluster state through an
 * independent client, not through the code under test.
 */
export function kubeApis(kubeconfigPath: string): KubeApis {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfigPath);
  return { config, core: config.makeApiClient(CoreV1Api), apps: config.makeApiClient(AppsV1Api) };
}
