export { type FindFluxPodOptions, findFluxPod, ListPodsError, NoPodLabelsError } from './find-pod.ts';
export { contextNamespace, KubeConfigError, loadKubeConfig } from './kubeconfig.ts';
export {
  type OpenPortForwardOptions,
  openPortForward,
  PortForwardError,
  type PortForwardHandle,
} from './port-forward.ts';
export {
  type ApiEndpoint,
  FLUXD_PORT,
  type ResolveApiUrlOptions,
  resolveApiUrl,
  WEAVE_CLOUD_URL,
} from './resolve-url.ts';
export {
  AmbiguousPodError,
  DEFAULT_FORWARD_LABELS,
  FALLBACK_SELECTOR,
  isRunningPod,
  labelSelector,
  NoFluxPodError,
  type PodLike,
  type PodsForSelector,
  selectFluxPod,
} from './select-pod.ts';
