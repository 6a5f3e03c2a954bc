/**
 * Where the sync "high-water mark" lives: the last revision fluxd applied to the cluster.
 *
 * This is an I/O seam with two implementations (Flux v1 `--sync-state`): the annotated sync tag in
 * the upstream git repository (`@flux-ts/git`'s `createGitSyncState`) and an annotation on the
 * deploy-key Secret (`@flux-ts/k8s`). The daemon depends only on this interface, so tests can use an
 * in-memory store and both real stores can share one conformance suite.
 */
export interface SyncStateStore {
  /**
   * The revision the marker points at (a full commit SHA), or `undefined` when nothing was ever
   * synced (no tag, or an empty annotation).
   */
  get(signal?: AbortSignal): Promise<string | undefined>;
  /** Moves the marker to `revision` (a full commit SHA). Idempotent. */
  update(revision: string, signal?: AbortSignal): Promise<void>;
  /** Removes the marker, when the store supports it; a later `get()` returns `undefined`. */
  delete?(signal?: AbortSignal): Promise<void>;
}
