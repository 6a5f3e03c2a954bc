import type { ImageInfo } from '../image/info.ts';
import { describePlatformMismatch, runsHere } from '../image/platform-mismatch.ts';
import { type ImageRef, parseImageRef } from '../image/ref.ts';
import type { PlanOptions } from './plan-release.ts';
import type { ImageLookup, ReleaseWorkload, TagFilter } from './types.ts';

/** An automated update: Flux v1's `auto` change (workload, container, new image). */
export interface AutomationChange {
  id: string;
  container: string;
  /** The image in git. */
  current: string;
  /** The new image, in the manifest's own form with the new tag. */
  target: string;
}

/** Why a container of an automated workload was left alone. */
export interface AutomationSkip {
  id: string;
  container: string;
  reason: string;
}

export interface AutomationPlan {
  /** Sorted by workload ID, then container order. One automation run is one commit. */
  changes: AutomationChange[];
  skipped: AutomationSkip[];
}

function parse(image: string): ImageRef | undefined {
  try {
    return parseImageRef(image);
  } catch {
    return undefined;
  }
}

/** The image info for `ref` among `images`, or a bare one (no metadata) when it was not scanned. */
function infoFor(ref: ImageRef, images: readonly ImageInfo[]): { info: ImageInfo; known: boolean } {
  const found = images.find((i) => i.ref.tag === ref.tag);
  return found ? { info: found, known: true } : { info: { ref }, known: false };
}

/**
 * Plans one automation run, purely. Candidates are workloads with `automated` and neither `locked`
 * nor `ignore` (in git or, when known, in the cluster) that run in the cluster. For each container the
 * newest image its filter allows is taken — and, unlike Flux v1, only when it sorts **newer** than
 * the image running now under that filter (semver order for `semver:`, creation time otherwise):
 * automation never moves an image backwards. Time-ordered filters need both creation times. Tags
 * without an image for the configured platforms are never candidates (decisions.md 11).
 */
export function planAutomation(
  workloads: readonly ReleaseWorkload[],
  images: ImageLookup,
  options: PlanOptions = {},
): AutomationPlan {
  const cluster = options.cluster;
  const changes: AutomationChange[] = [];
  const skipped: AutomationSkip[] = [];
  for (const workload of [...workloads].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    if (!workload.automated || workload.locked || workload.ignored) continue;
    const live = cluster?.get(workload.id);
    if (cluster && (!live || live.ignored)) continue;
    for (const container of workload.containers) {
      const skip = (reason: string): void => {
        skipped.push({ id: workload.id, container: container.name, reason });
      };
      const inGit = container.ref ?? parse(container.image);
      if (!inGit) {
        skip(`image "${container.image}" is not a valid reference`);
        continue;
      }
      const running = parse(live?.containers.find((c) => c.name === container.name)?.image ?? '') ?? inGit;
      const known = images(inGit.canonicalName);
      if (!known) {
        skip(`no image metadata for ${inGit.canonicalName} yet`);
        continue;
      }
      const filter: TagFilter = workload.tagFilter(container.name);
      const matching = known.filter((i) => i.ref.tag !== '' && filter.matches(i.ref.tag));
      const allowed = matching.filter(runsHere).sort((a, b) => filter.compare(a, b));
      const latest = allowed[0];
      if (!latest) {
        const [unusable] = matching.sort((a, b) => filter.compare(a, b));
        skip(
          unusable?.platformMismatch
            ? `no image matching ${filter.source} runs here: ${unusable.ref.tag} has ${describePlatformMismatch(unusable.platformMismatch)}`
            : `no image matches ${filter.source}`,
        );
        continue;
      }
      const target = inGit.withTag(latest.ref.tag);
      if (target.canonicalRef === running.canonicalRef && target.canonicalRef === inGit.canonicalRef)
        continue;
      const current = infoFor(running, known);
      if (filter.requiresTimestamp && (!latest.createdAt || !current.info.createdAt)) {
        skip(
          `${filter.source} orders by creation time, and ${!latest.createdAt ? latest.ref.tag : running.tag || running.toString()} has none`,
        );
        continue;
      }
      if (running.tag !== '' && filter.compare(latest, current.info) >= 0 && latest.ref.tag !== running.tag) {
        skip(`${latest.ref.tag} is not newer than the running ${running.tag} under ${filter.source}`);
        continue;
      }
      if (target.canonicalRef === inGit.canonicalRef) continue; // git already says so; the sync will apply it
      changes.push({
        id: workload.id,
        container: container.name,
        current: container.image,
        target: target.toString(),
      });
    }
  }
  return { changes, skipped };
}
