export { syncChecksum } from './checksum.ts';
export type { ConnectionOptions } from './connection/from-kubeconfig.ts';
export { connectionFromKubeconfig } from './connection/from-kubeconfig.ts';
export { inClusterConnection, SERVICE_ACCOUNT_DIR } from './connection/in-cluster.ts';
export type { KubeConnection, RequestAuth } from './connection/kube-connection.ts';
export { KubeConfigError } from './connection/kubeconfig-error.ts';
export type {
  Kubeconfig,
  KubeconfigCluster,
  KubeconfigContext,
  KubeconfigExec,
  KubeconfigUser,
} from './connection/kubeconfig-file.ts';
export { readKubeconfigFiles } from './connection/kubeconfig-file.ts';
export type { LoadKubeConnectionOptions } from './connection/load.ts';
export { loadKubeConnection } from './connection/load.ts';
export type { ApiResource } from './discovery.ts';
export { Discovery } from './discovery.ts';
export { classifyApiError, KubeApiError } from './errors.ts';
export { GC_MARK_LABEL, gcMark, SYNC_CHECKSUM_ANNOTATION, syncSetName } from './gc-mark.ts';
export type { GcPlan, GcPlanOptions, LiveObject } from './gc-plan.ts';
export { planGarbageCollection } from './gc-plan.ts';
export { byApplyOrder, kindRank } from './kind-rank.ts';
export type { KubeClient, KubeClientOptions } from './kube-client.ts';
export { createKubeClient } from './kube-client.ts';
export type { KubectlResult } from './kubectl-applier.ts';
export { kubectlApply } from './kubectl-applier.ts';
export type { KubeRequestOptions, KubeResponse } from './rest.ts';
export { kubeRequest, requestCount } from './rest.ts';
export type { Rollout, RolloutStatus } from './rollout.ts';
export { rolloutStatus } from './rollout.ts';
export type { SecretObject } from './secret-api.ts';
export { createSecret, patchSecret, readSecret } from './secret-api.ts';
export type { SecretSyncStateOptions } from './secret-sync-state.ts';
export { createSecretSyncState, SYNC_HWM_ANNOTATION } from './secret-sync-state.ts';
export type { DeployKeySecret, PullSecret } from './secrets.ts';
export { exportCluster, imagePullSecrets, readDeployKey, writeDeployKey } from './secrets.ts';
export type { Change, ChangeSet, SyncOptions } from './sync.ts';
export { ChangeAction, DEFAULT_EXCLUDE_RESOURCES, excludedKind, syncResources } from './sync.ts';
export type { ListWorkloadsOptions, WorkloadStatus } from './workloads.ts';
export { listWorkloads } from './workloads.ts';
