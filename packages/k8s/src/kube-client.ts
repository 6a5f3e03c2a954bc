import { AppsV1Api, CoreV1Api, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';

/** Options of {@link createKubeClient}. */
export interface KubeClientOptions {
  /** A kubeconfig file (`--kube-config`); default `KUBECONFIG`, then in-cluster, then ~/.kube/config. */
  kubeconfigPath?: string;
  /** A context of the kubeconfig other than the current one. */
  context?: string;
}

/** The API clients flux-ts uses, made once from one configuration. */
export interface KubeClient {
  readonly config: KubeConfig;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly objects: KubernetesObjectApi;
  /** The namespace of the current context (`default` when it names none). */
  readonly contextNamespace: string;
}

/** Makes the API clients from a kubeconfig (or in-cluster configuration). */
export function createKubeClient(options: KubeClientOptions = {}): KubeClient {
  const config = new KubeConfig();
  if (options.kubeconfigPath) config.loadFromFile(options.kubeconfigPath);
  else config.loadFromDefault();
  if (options.context) config.setCurrentContext(options.context);
  const context = config.getContextObject(config.getCurrentContext());
  return {
    config,
    core: config.makeApiClient(CoreV1Api),
    apps: config.makeApiClient(AppsV1Api),
    objects: KubernetesObjectApi.makeApiClient(config),
    contextNamespace: context?.namespace || 'default',
  };
}
