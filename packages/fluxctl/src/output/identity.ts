import type { PublicKeyJson } from '@flux-ts/core';

/** Flags of `fluxctl identity` that shape its output. */
export interface IdentityOutputOptions {
  /** `-l/--fingerprint`: the md5 fingerprint instead of the key. */
  fingerprint?: boolean;
  /** `-v/--visual`: the md5 fingerprint and its randomart (implies `fingerprint`). */
  visual?: boolean;
}

/**
 * What `fluxctl identity` prints: the public key as the daemon sent it (it ends in a newline), or
 * with `-l` the md5 fingerprint and a newline, or with `-v` that and the randomart verbatim. Like
 * Flux v1, a key without fingerprints (HTTPS git, out-of-cluster) prints an empty line for `-l`.
 */
export function formatIdentity(key: PublicKeyJson, options: IdentityOutputOptions = {}): string {
  if (!options.fingerprint && !options.visual) return key.key;
  const md5 = key.fingerprints?.md5;
  return `${md5?.hash ?? ''}\n${options.visual ? (md5?.randomart ?? '') : ''}`;
}
