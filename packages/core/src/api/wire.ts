import type { ImageInfoJson } from '../image/info.ts';

/**
 * Flux v1's HTTP API, as JSON on the wire (`flux-v1.md` §1.4). Field names are Flux v1's, PascalCase
 * where Go had no JSON tag. These types are the contract between fluxd and every client (ours and the
 * original Go fluxctl); the daemon builds them, fluxctl reads them.
 */

/** `ControllerStatus.ReadOnly`: why a workload cannot be changed through git. */
export const ReadOnlyReason = {
  None: '',
  NotInRepo: 'NotInRepo',
  System: 'System',
  NoRepo: 'NoRepo',
  NotReady: 'NotReady',
  ReadOnlyMode: 'ReadOnlyMode',
} as const;
export type ReadOnlyReason = (typeof ReadOnlyReason)[keyof typeof ReadOnlyReason];

/** A container of a workload listing: name and running image. */
export interface ContainerJson {
  Name: string;
  Current: ImageInfoJson;
  LatestFiltered: ImageInfoJson;
}

/** Rollout progress of a workload (`ControllerStatus.Rollout`). */
export interface RolloutJson {
  Desired: number;
  Updated: number;
  Ready: number;
  Available: number;
  Outdated: number;
  Messages: string[] | null;
}

/** One element of `GET /v6/services` and `/v11/services`. */
export interface ControllerStatusJson {
  ID: string;
  Containers: ContainerJson[];
  ReadOnly: ReadOnlyReason;
  Status: string;
  Rollout: RolloutJson;
  SyncError: string;
  Antecedent: string;
  Labels: Record<string, string> | null;
  Automated: boolean;
  Locked: boolean;
  Ignore: boolean;
  Policies: Record<string, string>;
}

/** One container of an images listing (`ImageStatus.Containers[]`). */
export interface ImageContainerJson {
  /** Omitted when `containerFields` leaves it out. */
  Name?: string;
  Current: ImageInfoJson;
  LatestFiltered: ImageInfoJson;
  Available?: ImageInfoJson[];
  AvailableError?: string;
  AvailableImagesCount?: number;
  NewAvailableImagesCount?: number;
  FilteredImagesCount?: number;
  NewFilteredImagesCount?: number;
}

/** The names `containerFields` may list (`GET /v10/images`). */
export const CONTAINER_FIELDS = [
  'Name',
  'Current',
  'LatestFiltered',
  'Available',
  'AvailableError',
  'AvailableImagesCount',
  'NewAvailableImagesCount',
  'FilteredImagesCount',
  'NewFilteredImagesCount',
] as const;
export type ContainerField = (typeof CONTAINER_FIELDS)[number];

/** One element of `GET /v6/images` and `/v10/images`. */
export interface ImageStatusJson {
  ID: string;
  Containers: ImageContainerJson[];
}

/** Who asked for a change, and why: the commit author and message. */
export interface CauseJson {
  Message: string;
  User: string;
}

/** `type: "image"`: Flux v1's ReleaseImageSpec. */
export interface ReleaseImageSpecJson {
  ServiceSpecs: string[];
  ImageSpec: string;
  Kind: 'plan' | 'execute';
  Excludes: string[] | null;
  Force: boolean;
}

/** One container target of a containers release. */
export interface ContainerUpdateSpecJson {
  Container: string;
  Current: string;
  Target: string;
}

/** `type: "containers"`: Flux v1's ReleaseContainersSpec. */
export interface ReleaseContainersSpecJson {
  Kind: 'plan' | 'execute';
  ContainerSpecs: Record<string, ContainerUpdateSpecJson[]>;
  SkipMismatches: boolean;
  Force: boolean;
}

/** The change of one workload's policies (`add` and `remove` map policy name to value). */
export interface PolicyUpdateJson {
  add?: Record<string, string>;
  remove?: Record<string, string>;
}

/** `type: "policy"`: policy changes by resource ID. */
export type PolicyUpdatesJson = Record<string, PolicyUpdateJson>;

/** One change found by automation. */
export interface AutomationChangeJson {
  WorkloadID: string;
  Container: { Name: string; Image: string };
  ImageID: string;
}

/** `type: "auto"`: the changes of one automation pass. */
export interface AutomatedSpecJson {
  Changes: AutomationChangeJson[];
}

/** The body of `POST /v9/update-manifests`: a tagged union on `type`. */
export type UpdateSpecJson =
  | { type: 'image'; cause: CauseJson; spec: ReleaseImageSpecJson }
  | { type: 'containers'; cause: CauseJson; spec: ReleaseContainersSpecJson }
  | { type: 'policy'; cause: CauseJson; spec: PolicyUpdatesJson }
  | { type: 'sync'; cause: CauseJson; spec: Record<string, never> }
  | { type: 'auto'; cause: CauseJson; spec: AutomatedSpecJson };

export type UpdateType = UpdateSpecJson['type'];

/** Per-workload outcome of a job (`Result.result[id]`). */
export interface WorkloadResultJson {
  Status: string;
  Error?: string;
  PerContainer: ContainerUpdateSpecJson[] | null;
}

/** The `Result` of a job: the commit it made, what was asked, and per-workload outcomes. */
export interface CommitEventMetadataJson {
  revision?: string;
  spec?: UpdateSpecJson;
  result?: Record<string, WorkloadResultJson>;
}

/** `StatusString` of a job. */
export const JobStatusString = {
  Queued: 'queued',
  Running: 'running',
  Failed: 'failed',
  Succeeded: 'succeeded',
} as const;
export type JobStatusString = (typeof JobStatusString)[keyof typeof JobStatusString];

/** `GET /v6/jobs?id=…`. */
export interface JobStatusJson {
  Result: CommitEventMetadataJson;
  Err: string;
  StatusString: JobStatusString;
}

/** One fingerprint of the deploy key. */
export interface FingerprintJson {
  hash: string;
  randomart: string;
}

/** The deploy key (`GET /v6/identity.pub`, `GitConfig.publicSSHKey`). */
export interface PublicKeyJson {
  key: string;
  fingerprints: Record<string, FingerprintJson> | null;
}

/** `POST /v9/git-repo-config`. */
export interface GitConfigJson {
  remote: { url: string; branch: string; path: string };
  publicSSHKey: PublicKeyJson;
  status: 'unconfigured' | 'new' | 'cloned' | 'ready' | 'unreachable';
  errors: string;
}

/** `POST /v11/notify`: something changed upstream. */
export type ChangeJson =
  | { Kind: 'git'; Source: { URL: string; Branch: string } }
  | { Kind: 'image'; Source: { Name: { Domain: string; Image: string } } };

/** A flux error on the wire: `{type, help, error}` (`error` omitted when empty). */
export interface FluxErrorJson {
  type: 'server' | 'missing' | 'user';
  help: string;
  error?: string;
}

/** One candidate tag of a container, and why it was or was not chosen (`fluxctl why`). */
export interface TagExplanationJson {
  Tag: string;
  /** RFC3339 UTC; omitted when unknown. */
  CreatedAt?: string;
  /** `chosen`, `current`, `filtered`, `platform`, `not-newer`, `superseded`, `no-timestamp`. */
  Verdict: string;
  Detail: string;
}

/** Why a container's image is (or is not) updated: `GET /v11/why` (beyond Flux v1). */
export interface ContainerExplanationJson {
  ID: string;
  Container: string;
  /** The image the container runs (the cluster's, else the manifest's). */
  Image: string;
  /** The container's tag filter, e.g. `semver:~1.2` (`glob:*` when none). */
  Filter: string;
  /** Why nothing moves at all (locked, ignored, not automated); omitted when automation applies. */
  Blocked?: string;
  /** An error that kept the tags from being known (repository not scanned yet…). */
  Error?: string;
  Tags: TagExplanationJson[];
}

/** A resource the last sync could not apply: `GET /v11/sync-errors` (beyond Flux v1). */
export interface ResourceErrorJson {
  ID: string;
  /** The file it came from, relative to the repository root ('' when unknown). */
  Path: string;
  Error: string;
  /** The revision that sync was of (an entry with no ID is a file that did not load: that revision is not applied). */
  Revision?: string;
  /**
   * What failed: a file that did not `load`, a resource that did not `apply`, or `gc` — garbage
   * collection refused (over `--sync-garbage-collection-max`; ID and Path empty). Absent from older
   * flux-ts daemons: then an entry with no ID is a load error.
   */
  Stage?: 'load' | 'apply' | 'gc';
}
