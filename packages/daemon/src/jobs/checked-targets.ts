import { type ImageInfo, type ImageLookup, type Logger, parseImageRef } from '@flux-ts/core';
import type { Scanner } from '@flux-ts/registry';
import { imageLookup } from './planning-inputs.ts';

/** True when the scan has read the image's manifest: it has metadata, or knows it cannot run here. */
function manifestRead(info: ImageInfo | undefined): boolean {
  return info !== undefined && (info.labels !== undefined || info.platformMismatch !== undefined);
}

/** What {@link planCheckingTargets} needs besides the scanner. */
export interface CheckedPlanning<P> {
  /** Canonical names of the repositories the plan reads. */
  repositories: readonly string[];
  /** Images to add to the scan's (a named image fetched for a release). */
  extra?: readonly ImageInfo[];
  /** Plans purely over what is known. */
  plan: (images: ImageLookup) => P;
  /** The images a plan would write. */
  targets: (plan: P) => readonly string[];
  logger: Logger;
  signal?: AbortSignal | undefined;
}

/**
 * Plans over what the scanner knows, never waiting for the metadata of every tag (decisions.md 9),
 * but reading, before it is written, each chosen image whose manifest the scan has not read yet (a
 * `semver:` filter chooses by the tag alone): when one turns out to have no image for the configured
 * platforms, the plan is made again without it (decisions.md 11). One manifest per unread target;
 * when the registry cannot answer, the plan stands (the tag is all a `semver:` decision needs).
 */
export async function planCheckingTargets<P>(
  scanner: Scanner | undefined,
  o: CheckedPlanning<P>,
): Promise<P> {
  const scanned = await imageLookup(scanner, o.repositories, o.extra);
  // Images read here, by canonical reference: they replace the scan's placeholders.
  const read = new Map<string, ImageInfo>();
  const images: ImageLookup = (name) => scanned(name)?.map((i) => read.get(i.ref.canonicalRef) ?? i);
  const find = (target: string): ImageInfo | undefined => {
    const ref = parseImageRef(target);
    return images(ref.canonicalName)?.find((i) => i.ref.tag === ref.tag);
  };
  for (;;) {
    const planned = o.plan(images);
    const unread = [...new Set(o.targets(planned))].filter((t) => !manifestRead(find(t)));
    if (!scanner || unread.length === 0) return planned;
    let skipped = false;
    for (const target of unread) {
      const ref = parseImageRef(target);
      const info = await scanner.imageInfo(ref, o.signal).catch((err: unknown) => {
        o.logger.warn(
          { image: target, err: (err as Error).message },
          'cannot read the chosen image before writing it',
        );
        return undefined;
      });
      if (info?.platformMismatch) {
        read.set(ref.canonicalRef, info);
        skipped = true;
      }
    }
    // Each pass marks at least one more chosen image as not runnable here, so this ends.
    if (!skipped) return planned;
  }
}
