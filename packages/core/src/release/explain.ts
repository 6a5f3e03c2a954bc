import type { ImageInfo } from '../image/info.ts';
import { describePlatformMismatch } from '../image/platform-mismatch.ts';
import { parseImageRef } from '../image/ref.ts';
import type { ReleaseWorkload } from './types.ts';

/** The verdict on one candidate tag. */
export const TagVerdict = {
  /** The image automation (or `<all latest>`) would move to. */
  Chosen: 'chosen',
  /** The image the container runs now. */
  Current: 'current',
  /** The tag does not pass the container's filter. */
  Filtered: 'filtered',
  /** Allowed, but not newer than the current image (automation never moves backwards). */
  NotNewer: 'not-newer',
  /** Allowed and newer, but another allowed image is newer still. */
  Superseded: 'superseded',
  /** The filter orders by creation time and this image has none (yet). */
  NoTimestamp: 'no-timestamp',
  /** Allowed, but the tag has no image for the configured platforms (`--registry-platform`). */
  Platform: 'platform',
} as const;
export type TagVerdict = (typeof TagVerdict)[keyof typeof TagVerdict];

export interface TagExplanation {
  tag: string;
  createdAt?: Date;
  verdict: TagVerdict;
  detail: string;
}

/** Why a container is (or is not) updated, tag by tag: the data behind `fluxctl why`. */
export interface ContainerExplanation {
  id: string;
  container: string;
  image: string;
  filter: string;
  /** Workload-level reason nothing moves (locked, ignored, not automated), if any. */
  blocked?: string;
  tags: TagExplanation[];
}

/**
 * Explains, for each known tag of a container's repository, why it was or was not chosen. Tags come
 * newest first under the container's filter (then the filtered-out ones, newest first by time). A tag
 * the filter allows but that has no image for the configured platforms says so (decisions.md 11, 19);
 * a tag the filter rejects is `filtered` whatever its platforms.
 */
export function explainContainer(
  workload: ReleaseWorkload,
  container: string,
  images: readonly ImageInfo[],
  runningImage?: string,
): ContainerExplanation {
  const c = workload.containers.find((x) => x.name === container);
  const image = runningImage ?? c?.image ?? '';
  const filter = workload.tagFilter(container);
  const blocked = workload.locked
    ? 'the workload is locked'
    : workload.ignored
      ? 'the workload is ignored'
      : !workload.automated
        ? 'the workload is not automated'
        : undefined;
  let currentTag = '';
  try {
    currentTag = parseImageRef(image).tag;
  } catch {
    // a placeholder image: no tag is current
  }
  const current =
    images.find((i) => i.ref.tag === currentTag) ?? (currentTag ? { ref: parseImageRef(image) } : undefined);
  const allowed = images
    .filter((i) => i.ref.tag !== '' && filter.matches(i.ref.tag))
    .sort((a, b) => filter.compare(a, b));
  const rejected = images
    .filter((i) => !allowed.includes(i))
    .sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
  let chosenSeen = false;
  let newerSkipped = false; // an allowed tag sorted before this one has no image for our platforms
  const tags: TagExplanation[] = [];
  for (const info of allowed) {
    const base = { tag: info.ref.tag, ...(info.createdAt ? { createdAt: info.createdAt } : {}) };
    if (info.ref.tag === currentTag) {
      const running = chosenSeen
        ? 'running now'
        : newerSkipped
          ? 'running now, and the newest allowed that runs here'
          : 'running now, and the newest allowed';
      tags.push({
        ...base,
        verdict: TagVerdict.Current,
        detail: info.platformMismatch
          ? `${running}, though the registry has ${describePlatformMismatch(info.platformMismatch)}`
          : running,
      });
      chosenSeen = true;
    } else if (info.platformMismatch) {
      newerSkipped = true;
      tags.push({
        ...base,
        verdict: TagVerdict.Platform,
        detail: describePlatformMismatch(info.platformMismatch),
      });
    } else if (filter.requiresTimestamp && !info.createdAt) {
      tags.push({
        ...base,
        verdict: TagVerdict.NoTimestamp,
        detail: `${filter.source} orders by creation time; this image has none yet`,
      });
    } else if (current && filter.compare(info, current) >= 0) {
      tags.push({
        ...base,
        verdict: TagVerdict.NotNewer,
        detail: `not newer than ${currentTag} under ${filter.source}`,
      });
    } else if (!chosenSeen) {
      chosenSeen = true;
      tags.push({
        ...base,
        verdict: TagVerdict.Chosen,
        detail: blocked
          ? `newest allowed${newerSkipped ? ' that runs here' : ''}, but ${blocked}`
          : `newest allowed by the filter${newerSkipped ? ' that runs here' : ''}`,
      });
    } else {
      tags.push({ ...base, verdict: TagVerdict.Superseded, detail: 'a newer allowed image exists' });
    }
  }
  for (const info of rejected) {
    tags.push({
      tag: info.ref.tag,
      ...(info.createdAt ? { createdAt: info.createdAt } : {}),
      verdict: TagVerdict.Filtered,
      detail: `does not match ${filter.source}`,
    });
  }
  return { id: workload.id, container, image, filter: filter.source, ...(blocked ? { blocked } : {}), tags };
}
