import { createHash } from 'node:crypto';

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/**
 * The `fluxcd.io/sync-checksum` of a manifest: SHA-1 (hex) of its normalised form — the parsed object
 * with keys sorted, as JSON — so formatting and comments never count. Flux v1 hashed Go's YAML
 * serialisation instead; the only effect of the difference is one "not updated; skipping" pass of
 * garbage collection after switching, never a deletion.
 */
export function syncChecksum(object: unknown): string {
  return createHash('sha1')
    .update(JSON.stringify(sortKeys(object)))
    .digest('hex');
}
