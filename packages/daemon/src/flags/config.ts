/**
 * fluxd's configuration as the rest of the daemon sees it: every flag resolved (defaults applied,
 * deprecated spellings folded in, `--git-label` and `--git-readonly` applied), durations in
 * milliseconds and lists as arrays.
 */

export const LogFormat = { Fmt: 'fmt', Json: 'json' } as const;
export type LogFormat = (typeof LogFormat)[keyof typeof LogFormat];

export const VerifySignaturesMode = { None: 'none', All: 'all', FirstParent: 'first-parent' } as const;
export type VerifySignaturesMode = (typeof VerifySignaturesMode)[keyof typeof VerifySignaturesMode];

export const SyncStateMode = { Git: 'git', Secret: 'secret' } as const;
export type SyncStateMode = (typeof SyncStateMode)[keyof typeof SyncStateMode];

/** The suffix `--git-ci-skip` appends to commit messages when `--git-ci-skip-message` is empty. */
export const DEFAULT_CI_SKIP_MESSAGE = '\n\n[ci skip]';

export interface FluxdConfig {
  // Server
  readonly listen: string;
  /** `''`: /metrics stays on `listen`. */
  readonly listenMetrics: string;
  /** `''`: the API needs no token. */
  readonly apiTokenFile: string;

  // Logging
  readonly logFormat: LogFormat;

  // Git
  /** `''`: no repository configured. */
  readonly gitUrl: string;
  readonly gitBranch: string;
  readonly gitPath: readonly string[];
  readonly gitReadonly: boolean;
  readonly gitUser: string;
  readonly gitEmail: string;
  readonly gitSetAuthor: boolean;
  /** As given; already applied to `gitSyncTag` and `gitNotesRef`. */
  readonly gitLabel: string;
  readonly gitSyncTag: string;
  readonly gitNotesRef: string;
  readonly gitCiSkip: boolean;
  /**
   * The suffix to append to commit messages: `--git-ci-skip-message` when given, else
   * `DEFAULT_CI_SKIP_MESSAGE` with `--git-ci-skip`, else `''`.
   */
  readonly gitCiSkipMessage: string;
  readonly gitPollIntervalMs: number;
  readonly gitTimeoutMs: number;
  readonly gitSecret: boolean;
  readonly gitGpgKeyImport: readonly string[];
  /** `''`: do not sign. */
  readonly gitSigningKey: string;
  /** Resolved from `--git-verify-signatures-mode` and the deprecated `--git-verify-signatures`. */
  readonly gitVerifySignaturesMode: VerifySignaturesMode;
  readonly sops: boolean;

  // Sync
  readonly syncIntervalMs: number;
  readonly syncTimeoutMs: number;
  readonly syncGarbageCollection: boolean;
  readonly syncGarbageCollectionDry: boolean;
  /** `0`: no limit. */
  readonly syncGarbageCollectionMax: number;
  /** Forced to `secret` by `gitReadonly`. */
  readonly syncState: SyncStateMode;

  // Manifests
  readonly manifestGeneration: boolean;

  // Automation
  /** `--automation-interval`, or the deprecated `--registry-poll-interval` when only that is given. */
  readonly automationIntervalMs: number;
  readonly automationSettleMs: number;

  // Registry
  readonly registryDisableScanning: boolean;
  readonly registryRps: number;
  readonly registryBurst: number;
  readonly registryTrace: boolean;
  readonly registryInsecureHost: readonly string[];
  readonly registryExcludeImage: readonly string[];
  /** `[]`: include every image. */
  readonly registryIncludeImage: readonly string[];
  readonly registryUseLabels: readonly string[];
  /** `[]`: the cluster's region, when it can be detected. */
  readonly registryEcrRegion: readonly string[];
  /** `[]`: every account not excluded. */
  readonly registryEcrIncludeId: readonly string[];
  readonly registryEcrExcludeId: readonly string[];
  readonly registryRequire: readonly 'ecr'[];
  readonly registryPlatform: readonly string[];
  /** `''`: no default registry credentials. */
  readonly dockerConfig: string;
  /** How long cached image metadata is kept (deprecated flag, still honoured). */
  readonly registryCacheExpiryMs: number;

  // Memcached
  readonly memcachedHostname: string;
  readonly memcachedPort: number;
  /** `''`: use `memcachedHostname:memcachedPort` directly rather than SRV discovery. */
  readonly memcachedService: string;
  readonly memcachedTimeoutMs: number;

  // Kubernetes
  /** `''`: `kubectl` from PATH. */
  readonly kubernetesKubectl: string;
  /** Only when the deprecated `--kube-config` was given; otherwise KUBECONFIG / in-cluster rules apply. */
  readonly kubeConfig?: string;
  /** `''`: the service account namespace file, else `default`. */
  readonly k8sNamespace: string;
  readonly k8sSecretName: string;
  readonly k8sSecretVolumeMountPath: string;
  readonly k8sSecretDataKey: string;
  /** `--k8s-namespace-whitelist` and `--k8s-allow-namespace` merged, without duplicates; `[]`: all. */
  readonly k8sAllowNamespace: readonly string[];
  /** `''`: namespaced manifests without a namespace go to `default`. */
  readonly k8sDefaultNamespace: string;
  readonly k8sUnsafeExcludeResource: readonly string[];
  readonly k8sVerbosity: number;

  // SSH key
  readonly sshKeygenBits?: number;
  readonly sshKeygenType?: string;
  readonly sshKeygenFormat?: string;
  /** `''`: generate keys in `k8sSecretVolumeMountPath`. */
  readonly sshKeygenDir: string;

  // Upstream
  /** `''`: no upstream connection. */
  readonly connect: string;
  readonly token: string;
  readonly rpcTimeoutMs: number;
}
