import { createHash } from 'node:crypto';

/**
 * Cache keys. Every key starts with {@link CACHE_KEY_PREFIX}; bump its version when the shape of
 * a stored value changes, so a new daemon never reads an old daemon's entries (and both can share
 * one memcached). Components are separated by `|`; a `|` or `%` inside a component is
 * percent-encoded so that two different argument lists never build the same key.
 *
 * The keys do not collide with Flux v1's (`registryhistoryv3|…`, `registryrepov4|…`), whose
 * values have a different encoding.
 */
export const CACHE_KEY_PREFIX = 'flux-ts:v1';

/** The platform scanned when none is configured; its tag keys carry no platform. */
export const DEFAULT_PLATFORM = 'linux/amd64';

const encodeComponent = (component: string): string =>
  component.replaceAll('%', '%25').replaceAll('|', '%7C');

const build = (kind: string, ...components: string[]): string =>
  [CACHE_KEY_PREFIX, kind, ...components.map(encodeComponent)].join('|');

/**
 * Key of a repository record (tag list, last update, last error), mutable.
 * @param canonicalRepo e.g. `index.docker.io/library/alpine` (no tag, no digest)
 */
export function repoKey(canonicalRepo: string): string {
  return build('repo', canonicalRepo);
}

/**
 * Key of one tag's current digest (plus its refresh interval), mutable: tags move. For a
 * multi-platform tag the digest is the platform's image, so daemons scanning for other platforms
 * (`--registry-platform`) keep their own records: `platforms` other than the default name the key.
 */
export function tagKey(canonicalRepo: string, tag: string, platforms?: readonly string[]): string {
  const which = platforms?.join(',') ?? DEFAULT_PLATFORM;
  return which === DEFAULT_PLATFORM
    ? build('tag', canonicalRepo, tag)
    : build('tag', canonicalRepo, tag, which);
}

/**
 * Key of the image metadata of a manifest digest (`sha256:…`), immutable: content-addressed, so
 * it is shared by every tag and repository that points at the same manifest. Store only what the
 * digest determines (created time, labels, config digest), not the repo or tag.
 */
export function imageKey(digest: string): string {
  return build('image', digest);
}

/** Memcached's key length limit in bytes. */
export const MEMCACHED_MAX_KEY_BYTES = 250;
const HASH_HEX_CHARS = 64;
/** Room for a readable prefix in front of `#<sha256 hex>`. */
const READABLE_PREFIX_CHARS = MEMCACHED_MAX_KEY_BYTES - 1 - HASH_HEX_CHARS;

// Printable ASCII except space and `#` (reserved to mark hashed keys). ASCII means chars = bytes.
const SAFE_KEY = /^[\x21-\x22\x24-\x7e]+$/;
const UNSAFE_CHAR = /[^\x21-\x22\x24-\x7e]/g;

/**
 * Maps any key onto a valid memcached key: at most 250 bytes of printable ASCII with no space or
 * control character. Safe keys pass unchanged; any other key becomes
 * `<readable prefix, unsafe chars as "_">#<sha256 hex of the whole key>`. Passed-through keys
 * never contain `#` and hashed keys always do, so the mapping stays one-to-one (up to sha256).
 */
export function memcachedKey(key: string): string {
  if (key.length <= MEMCACHED_MAX_KEY_BYTES && SAFE_KEY.test(key)) return key;
  const hash = createHash('sha256').update(key, 'utf8').digest('hex');
  const readable = key.slice(0, READABLE_PREFIX_CHARS).replace(UNSAFE_CHAR, '_');
  return `${readable}#${hash}`;
}

/**
 * The sha256 (hex) of a key, which names its file in the file store: fixed length, safe on
 * every filesystem, spread evenly over the 256 two-hex-digit subdirectories.
 */
export function keyDigest(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
