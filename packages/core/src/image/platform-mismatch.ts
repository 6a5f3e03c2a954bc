import type { ImageInfo, PlatformMismatch } from './info.ts';

/**
 * Why an image cannot run here, in words for `fluxctl why` and release errors:
 * `no image for linux/amd64 (it has linux/arm64/v8, linux/s390x)`.
 */
export function describePlatformMismatch(mismatch: PlatformMismatch): string {
  const wanted = `no image for ${mismatch.wanted.join(', ') || 'the configured platforms'}`;
  if (mismatch.available === undefined) return wanted;
  return `${wanted} (it has ${mismatch.available.join(', ') || 'no platform entries'})`;
}

/** True when the image can run on the configured platforms (or nothing says it cannot). */
export function runsHere(info: ImageInfo): boolean {
  return info.platformMismatch === undefined;
}
