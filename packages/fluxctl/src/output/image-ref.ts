import { parseImageRef } from '@flux-ts/core';

/** The parts of an image reference fluxctl prints: `[domain/]path` and the tag. */
export interface RefParts {
  domain: string;
  path: string;
  tag: string;
}

const none: RefParts = { domain: '', path: '', tag: '' };

/**
 * Splits an image reference from the wire into domain, path and tag, never throwing. Flux v1's
 * fluxctl decoded an unparsable reference (`""`, or the `":<tag>"` the daemon sends for a tag with no
 * cached manifest) as the empty reference; we do the same, except that `":<tag>"` keeps its tag.
 */
export function refParts(id: string): RefParts {
  if (id.startsWith(':') && id.length > 1 && !id.slice(1).includes(':')) return { ...none, tag: id.slice(1) };
  try {
    const ref = parseImageRef(id);
    return { domain: ref.domain, path: ref.path, tag: ref.tag };
  } catch {
    return none;
  }
}

/** `[domain/]path` of a reference, as the IMAGE column of `list-images` shows it. */
export function refName(parts: RefParts): string {
  return parts.domain ? `${parts.domain}/${parts.path}` : parts.path;
}

/** True when both name the same image as written (Flux v1 compares its parsed references field by field). */
export function sameRef(a: RefParts, b: RefParts): boolean {
  return a.domain === b.domain && a.path === b.path && a.tag === b.tag;
}
