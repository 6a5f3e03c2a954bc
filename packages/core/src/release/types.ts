import type { ImageInfo } from '../image/info.ts';
import type { Container } from '../resource/types.ts';

/** The outcome of a release for one workload, with Flux v1's names. */
export const WorkloadStatus = {
  Success: 'success',
  Failed: 'failed',
  Skipped: 'skipped',
  Ignored: 'ignored',
  Unknown: 'unknown',
} as const;
export type WorkloadStatus = (typeof WorkloadStatus)[keyof typeof WorkloadStatus];

/** Flux v1's fixed reason strings (the `Error` of a workload result). */
export const ReleaseReason = {
  Locked: 'locked',
  Ignore: 'ignore',
  NotIncluded: 'not included',
  Excluded: 'excluded',
  DifferentImage: 'a different image',
  NotInCluster: 'not accessible in cluster',
  NotInRepo: 'not found in repository',
  ImageNotFound: 'cannot find one or more images',
  ImageUpToDate: 'image(s) up to date',
  DoesNotUseImage: 'does not use image(s)',
  ContainerNotFound: 'container(s) not found',
  ContainerTagMismatch: 'container(s) tag mismatch',
} as const;

/** One container change of a release. */
export interface ContainerUpdate {
  container: string;
  current: string;
  target: string;
}

/** The result for one workload (the `result` map of a job, keyed by resource ID). */
export interface WorkloadResult {
  status: WorkloadStatus;
  error?: string;
  perContainer?: ContainerUpdate[];
}

/** Results by resource ID, keys sorted. */
export type ReleaseResult = Record<string, WorkloadResult>;

/** How a tag filter orders and admits images: what release planning needs of a tag pattern. */
export interface TagFilter {
  /** The pattern as written, e.g. `semver:~1.2` (for explanations). */
  readonly source: string;
  matches(tag: string): boolean;
  /** Negative when `a` is newer than `b` (sorts newest first). */
  compare(a: ImageInfo, b: ImageInfo): number;
  /** Time-ordered filters (glob, regexp) need creation timestamps to decide. */
  readonly requiresTimestamp: boolean;
}

/** A workload as defined in git: its containers and the policies that bear on releases. */
export interface ReleaseWorkload {
  id: string;
  containers: readonly Container[];
  automated: boolean;
  locked: boolean;
  /** `ignore: "true"` in git. */
  ignored: boolean;
  /** The tag filter of a container (`tag.<name>`, default `glob:*`). */
  tagFilter(container: string): TagFilter;
}

/** What the cluster says of a workload; absent from the map = not in the cluster (or not readable). */
export interface ClusterWorkload {
  id: string;
  /** Running containers (name and image), for automation's "is it already running this?". */
  containers: readonly { name: string; image: string }[];
  /** `fluxcd.io/ignore: "true"` on the live object. */
  ignored: boolean;
}

/** Known images of a repository (by canonical name), any order; undefined when never scanned. */
export type ImageLookup = (canonicalName: string) => readonly ImageInfo[] | undefined;

/** A release of images (`fluxctl release`): Flux v1's ReleaseImageSpec. */
export interface ReleaseImageSpec {
  /** Resource IDs, or `<all>`. */
  serviceSpecs: readonly string[];
  /** An image reference, or `<all latest>`. */
  imageSpec: string;
  kind: 'plan' | 'execute';
  excludes?: readonly string[];
  force?: boolean;
}

/** One container target of a containers release (`fluxctl release --interactive`). */
export interface ContainerSpec {
  container: string;
  /** Expected current image; '' skips the check. */
  current: string;
  target: string;
}

/** A release of explicit container targets: Flux v1's ReleaseContainersSpec. */
export interface ReleaseContainersSpec {
  kind: 'plan' | 'execute';
  containerSpecs: Readonly<Record<string, readonly ContainerSpec[]>>;
  skipMismatches?: boolean;
  force?: boolean;
}

/** The outcome of planning: per-workload results and the edits to make. */
export interface ReleasePlan {
  result: ReleaseResult;
  /** Every container image to write, by workload ID (sorted), for `execute`. */
  updates: { id: string; updates: ContainerUpdate[] }[];
}
