import { createHash } from 'node:crypto';

/** Label that marks objects created by a sync, so garbage collection can find them. */
export const GC_MARK_LABEL = 'fluxcd.io/sync-gc-mark';
/** Annotation holding the SHA-1 of the manifest an object was last applied from. */
export const SYNC_CHECKSUM_ANNOTATION = 'fluxcd.io/sync-checksum';

function sha256Base64Url(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/**
 * The name of a sync set, as Flux v1 derives it: base64url (no padding) of
 * sha256(safe git URL + branch + each git path in order).
 */
export function syncSetName(safeGitUrl: string, branch: string, paths: readonly string[]): string {
  return sha256Base64Url(safeGitUrl + branch + paths.join(''));
}

/**
 * The value of {@link GC_MARK_LABEL} for a resource: `sha256.` + base64url(sha256(syncSet + id)).
 * It must equal Flux v1's byte for byte, or objects created by Flux v1 are no longer ours.
 */
export function gcMark(syncSet: string, resourceId: string): string {
  return `sha256.${sha256Base64Url(syncSet + resourceId)}`;
}
