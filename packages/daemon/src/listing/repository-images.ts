import { type ImageInfo, ImageRef } from '@flux-ts/core';
import type { RepositoryMetadata } from '@flux-ts/registry';

/**
 * True when the scanner has the image's metadata (manifest fetched): it then carries labels, an image
 * ID or a creation time. A tag the scanner only listed, or one without an image for our platforms
 * (`platformMismatch`), has none of them.
 */
export function hasMetadata(info: ImageInfo): boolean {
  return info.labels !== undefined || info.imageId !== undefined || info.createdAt !== undefined;
}

/**
 * The images of a repository as the images listing shows them, one per tag in the scanner's tag
 * order: entries with metadata are renamed to the form the workload uses (`alpine:3.10`, not
 * `index.docker.io/library/alpine:3.10`); tags without metadata are bare `:<tag>` entries, as in
 * Flux v1. Tags without an image for the configured platforms are left out (they cannot run here;
 * Flux v1 listed them as bare entries, `fluxctl why` says why they are skipped). Empty when the
 * repository is not known.
 */
export function repositoryImages(metadata: RepositoryMetadata | undefined, as: ImageRef): ImageInfo[] {
  if (!metadata) return [];
  const byTag = new Map<string, ImageInfo>();
  const skipped = new Set<string>();
  for (const info of metadata.images) {
    if (info.platformMismatch) skipped.add(info.ref.tag);
    else if (hasMetadata(info)) byTag.set(info.ref.tag, info);
  }
  return metadata.tags
    .filter((tag) => !skipped.has(tag))
    .map((tag) => {
      const known = byTag.get(tag);
      return known ? { ...known, ref: as.withTag(tag) } : { ref: new ImageRef({ path: '', tag }) };
    });
}

/**
 * The running image's info (decisions.md 16): always the reference as the workload runs it, with the
 * cached metadata of its tag (or, for a reference by digest only, of the image with that digest) when
 * there is some.
 */
export function currentImage(running: ImageRef, metadata: RepositoryMetadata | undefined): ImageInfo {
  const known = metadata?.images.find(
    running.tag
      ? (i) => i.ref.tag === running.tag && hasMetadata(i)
      : (i) =>
          running.digest !== '' &&
          hasMetadata(i) &&
          (i.digest === running.digest || i.indexDigest === running.digest),
  );
  return known ? { ...known, ref: running } : { ref: running };
}
