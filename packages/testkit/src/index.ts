export type { DaemonProcess, SpawnDaemonOptions } from './daemon-process.ts';
export { spawnDaemon, waitUntilReady } from './daemon-process.ts';
export type { Fault, FaultProxy, RecordedRequest } from './fault-proxy.ts';
export { startFaultProxy } from './fault-proxy.ts';
export type { FluxdPod, FluxdPodOptions } from './fluxd-pod.ts';
export {
  createFluxdPod,
  FAIL_ANNOTATION,
  forwardAnnotation,
  TESTENV_ANNOTATION_PREFIX,
} from './fluxd-pod.ts';
export type { TestGitServer, TestRepo } from './git-server.ts';
export { createGitServer } from './git-server.ts';
export type { TestGpgHome } from './gpg.ts';
export { createGpgHome } from './gpg.ts';
export type { KubeInfo, TestKube } from './kube.ts';
export { kubeTestenvBinary, startKube } from './kube.ts';
export type { KubeApis } from './kube-apis.ts';
export { kubeApis } from './kube-apis.ts';
export type { TestMemcached } from './memcached.ts';
export { memcachedCommand, startMemcached } from './memcached.ts';
export type { PodProcess, PodProcessOptions } from './pod-process.ts';
export { runPodProcess, UnsupportedPodVolumeError } from './pod-process.ts';
export { freePort } from './ports.ts';
export type { RegistryAuth, StartRegistryOptions, TestRegistry } from './registry.ts';
export { startRegistry } from './registry.ts';
export type { PushedImage, PushImageOptions, RegistryAccess } from './registry-push.ts';
export { listTags, MediaType, pushImage } from './registry-push.ts';
export type { TokenServer, TokenServerOptions } from './registry-token-server.ts';
export { libtrustKeyId, startTokenServer } from './registry-token-server.ts';
export type { TestSops } from './sops.ts';
export { withSops } from './sops.ts';
export type { TempDir } from './temp-dir.ts';
export { makeTempDir } from './temp-dir.ts';
export { MissingComponentError, requireBinary } from './which.ts';
