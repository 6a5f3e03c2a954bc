import { createHash, timingSafeEqual } from 'node:crypto';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;
// Flux v1 fluxctl's `--token` header.
const SCOPE_PROBE = /^Scope-Probe[ \t]+token=(\S+)[ \t]*$/i;

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * True when an `Authorization` header carries `token`, as `Bearer <token>` or fluxctl's
 * `Scope-Probe token=<token>`. Compares digests in constant time (no length leak).
 */
export function authorizationMatches(header: string | undefined, token: string): boolean {
  if (!header) return false;
  const presented = (BEARER.exec(header) ?? SCOPE_PROBE.exec(header))?.[1];
  if (presented === undefined) return false;
  return timingSafeEqual(digest(presented), digest(token));
}
