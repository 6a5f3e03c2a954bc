import { ErrorKind, FluxError } from '../errors.ts';
import type { ImageInfo, PlatformMismatch } from '../image/info.ts';
import { describePlatformMismatch, runsHere } from '../image/platform-mismatch.ts';
import { type ImageRef, parseImageRef } from '../image/ref.ts';
import {
  type ClusterWorkload,
  type ContainerUpdate,
  type ImageLookup,
  type ReleaseImageSpec,
  type ReleasePlan,
  ReleaseReason,
  type ReleaseResult,
  type ReleaseWorkload,
  type TagFilter,
  type WorkloadResult,
  WorkloadStatus,
} from './types.ts';

/** `serviceSpecs` entry meaning every workload. */
export const ALL_WORKLOADS = '<all>';
/** `imageSpec` meaning the latest allowed image of every container. */
export const ALL_LATEST = '<all latest>';

/** Options of the planners. */
export interface PlanOptions {
  /** Workloads found in the cluster by ID; absent to plan from git alone. */
  cluster?: ReadonlyMap<string, ClusterWorkload> | undefined;
}

/** A release named an image the registry scan has not seen: the whole release fails. */
export class ImageNotFoundError extends FluxError {
  constructor(image: string) {
    super(`image "${image}" does not exist: invalid image ID`, {
      code: 'release.image-not-found',
      kind: ErrorKind.User,
      help: 'Check the image reference and tag; if it was pushed just now, wait for the next registry scan (or ask for one) and retry.',
    });
  }
}

/** A release named an image whose tag has no image for the configured platforms: the release fails. */
export class ImageWrongPlatformError extends FluxError {
  readonly mismatch: PlatformMismatch;

  constructor(image: string, mismatch: PlatformMismatch) {
    const message = `image "${image}" cannot run here: ${describePlatformMismatch(mismatch)}`;
    super(message, {
      code: 'release.image-platform',
      kind: ErrorKind.User,
      // fluxctl prints the help alone, so it carries the reason too.
      help: `${message}. Release a tag published for the platforms your nodes run, or set --registry-platform to them.`,
    });
    this.mismatch = mismatch;
  }
}

/** Sorts a result's keys, so output never depends on map order. */
export function sortResult(result: ReleaseResult): ReleaseResult {
  return Object.fromEntries(Object.entries(result).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function safeRef(image: string): ImageRef | undefined {
  try {
    return parseImageRef(image);
  } catch {
    return undefined;
  }
}

/**
 * The newest image of `images` that passes `filter` and runs on the configured platforms, with the
 * filter's own order.
 */
export function latestAllowed(images: readonly ImageInfo[], filter: TagFilter): ImageInfo | undefined {
  return images
    .filter((i) => i.ref.tag !== '' && filter.matches(i.ref.tag) && runsHere(i))
    .sort((a, b) => filter.compare(a, b))[0];
}

type Pending = 'ignored' | 'skipped' | 'unknown';

function finish(updates: ContainerUpdate[], pending: Pending): WorkloadResult {
  if (updates.length > 0) return { status: WorkloadStatus.Success, perContainer: updates };
  if (pending === 'unknown') return { status: WorkloadStatus.Unknown, error: ReleaseReason.ImageNotFound };
  if (pending === 'skipped') return { status: WorkloadStatus.Skipped, error: ReleaseReason.ImageUpToDate };
  return { status: WorkloadStatus.Ignored, error: ReleaseReason.DoesNotUseImage };
}

/**
 * Plans a release of images (Flux v1's `image` release spec), purely: which workloads change, to
 * what, and why the others do not. Differences from Flux v1 (decisions.md): an explicit image is
 * released whatever the containers' tag filters say (Flux v1's docs promised this; its code applied
 * the filter unless `--force`); locked workloads still need `force`. Results carry Flux v1's status
 * and reason strings.
 *
 * Tags without an image for the configured platforms are never released (decisions.md 11).
 *
 * @throws {ImageNotFoundError} when a named image is not among the scanned images.
 * @throws {ImageWrongPlatformError} when a named image has no image for the configured platforms.
 */
export function planRelease(
  spec: ReleaseImageSpec,
  workloads: readonly ReleaseWorkload[],
  images: ImageLookup,
  options: PlanOptions = {},
): ReleasePlan {
  const cluster = options.cluster;
  const all = spec.serviceSpecs.includes(ALL_WORKLOADS);
  const included = all ? undefined : new Set(spec.serviceSpecs);
  const excluded = new Set(spec.excludes ?? []);
  const target = spec.imageSpec === ALL_LATEST ? undefined : parseImageRef(spec.imageSpec);
  const namedAndForced = !all && spec.force === true;
  if (target) {
    const known = images(target.canonicalName)?.find((i) => i.ref.tag === target.tag && target.tag !== '');
    if (!known) throw new ImageNotFoundError(spec.imageSpec);
    if (known.platformMismatch) throw new ImageWrongPlatformError(spec.imageSpec, known.platformMismatch);
  }

  const result: ReleaseResult = {};
  const updates: ReleasePlan['updates'] = [];
  for (const workload of [...workloads].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const { id } = workload;
    if (included && !included.has(id)) {
      result[id] = { status: WorkloadStatus.Ignored, error: ReleaseReason.NotIncluded };
      continue;
    }
    if (excluded.has(id)) {
      result[id] = { status: WorkloadStatus.Ignored, error: ReleaseReason.Excluded };
      continue;
    }
    const live = cluster?.get(id);
    if (cluster && !live) {
      result[id] = { status: WorkloadStatus.Skipped, error: ReleaseReason.NotInCluster };
      continue;
    }
    if (workload.containers.length === 0) {
      result[id] = { status: WorkloadStatus.Ignored, error: ReleaseReason.NotInCluster };
      continue;
    }
    if (target && !workload.containers.some((c) => c.ref?.sameRepository(target))) {
      result[id] = { status: WorkloadStatus.Ignored, error: ReleaseReason.DifferentImage };
      continue;
    }
    if (!namedAndForced && workload.locked) {
      result[id] = { status: WorkloadStatus.Skipped, error: ReleaseReason.Locked };
      continue;
    }
    if (!namedAndForced && (live?.ignored || workload.ignored)) {
      result[id] = { status: WorkloadStatus.Skipped, error: ReleaseReason.Ignore };
      continue;
    }

    const changes: ContainerUpdate[] = [];
    let pending: Pending = 'ignored';
    for (const container of workload.containers) {
      const current = container.ref ?? safeRef(container.image);
      if (!current) continue;
      let next: ImageRef | undefined;
      if (target) {
        if (!current.sameRepository(target)) continue;
        next = target;
      } else {
        const known = images(current.canonicalName);
        if (!known) {
          pending = 'unknown';
          continue;
        }
        next = latestAllowed(known, workload.tagFilter(container.name))?.ref;
        if (!next) continue;
      }
      if (next.tag === current.tag && !current.digest) {
        if (pending === 'ignored') pending = 'skipped';
        continue;
      }
      // The manifest keeps its own way of naming the repository; only the tag changes.
      changes.push({
        container: container.name,
        current: container.image,
        target: current.withTag(next.tag).toString(),
      });
    }
    result[id] = finish(changes, pending);
    if (changes.length > 0) updates.push({ id, updates: changes });
  }
  for (const id of included ?? []) {
    if (!(id in result)) result[id] = { status: WorkloadStatus.Skipped, error: ReleaseReason.NotInRepo };
  }
  return { result: sortResult(result), updates };
}
