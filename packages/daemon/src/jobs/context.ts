import type { ImageInfo, Logger, Resource } from '@flux-ts/core';
import type { Mirror, VerifiedHead } from '@flux-ts/git';
import type { KubeClient, WorkloadStatus } from '@flux-ts/k8s';
import type { Scanner } from '@flux-ts/registry';

/** What jobs need of the daemon: git, the cluster, the registry scan, and the git flags. */
export interface JobContext {
  mirror: Mirror;
  kube: KubeClient;
  /** Undefined with `--registry-disable-scanning`. */
  scanner: Scanner | undefined;
  gitPaths: readonly string[];
  manifestGeneration: boolean;
  defaultNamespace?: string | undefined;
  commandTimeoutMs?: number;
  /** `--k8s-allow-namespace`. */
  namespaces?: readonly string[];
  /** `--git-user` / `--git-email` domain for `--git-set-author` authors. */
  logger: Logger;
  /** Workloads in the cluster (allowed namespaces). */
  listWorkloads(signal?: AbortSignal): Promise<WorkloadStatus[]>;
  /**
   * The workloads of the repo at `revision` when already loaded (by the last sync), so a job on
   * the same head does not read every manifest again; undefined otherwise.
   */
  workloadsAt?: (revision: string) => ReadonlyMap<string, Resource> | undefined;
  /** With `--git-verify-signatures`: the branch head and the newest verified revision. */
  verifyHead?: ((signal?: AbortSignal) => Promise<VerifiedHead>) | undefined;
}

/** Known images per canonical repository, read from the scanner before planning (planning is synchronous). */
export type ImageIndex = Map<string, ImageInfo[]>;
