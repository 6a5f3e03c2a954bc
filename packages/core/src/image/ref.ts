import { ErrorKind, FluxError } from '../errors.ts';

/** Thrown when a string is not an image reference. */
export class InvalidImageRefError extends FluxError {
  constructor(input: string, reason: string) {
    super(`invalid image reference "${input}": ${reason}`, {
      code: 'image-ref.invalid',
      kind: ErrorKind.User,
      help: 'Write an image as [registry[:port]/]path[:tag][@sha256:digest], e.g. nginx:1.25 or ghcr.io/org/app:v1.2.3.',
    });
  }
}

/** Docker Hub's canonical domain. */
export const DOCKER_HUB = 'index.docker.io';

const domainPattern = /^(localhost|[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)+)(:[0-9]+)?$|^localhost(:[0-9]+)?$/;
const digestPattern = /^sha256:[0-9a-fA-F]{32,}$/;

/**
 * An image reference, parsed the way Flux v1 parses one. `toString()` gives back the original form
 * (no canonicalisation); {@link ImageRef.canonicalName} is what registry lookups, cache keys and
 * comparisons use.
 */
export class ImageRef {
  /** Registry host (with port) as written, or '' for Docker Hub shorthand. */
  readonly domain: string;
  /** Repository path as written, e.g. `nginx` or `weaveworks/helloworld`. */
  readonly path: string;
  /** Tag, or '' when the reference has none. */
  readonly tag: string;
  /** `sha256:…` digest, or '' when the reference has none. */
  readonly digest: string;

  constructor(parts: { domain?: string; path: string; tag?: string; digest?: string }) {
    this.domain = parts.domain ?? '';
    this.path = parts.path;
    this.tag = parts.tag ?? '';
    this.digest = parts.digest ?? '';
  }

  /** `[domain/]path` as written. */
  get name(): string {
    return this.domain ? `${this.domain}/${this.path}` : this.path;
  }

  /** Registry host after Docker Hub defaulting: `index.docker.io` for '' and `docker.io`. */
  get registry(): string {
    return this.domain === '' || this.domain === 'docker.io' ? DOCKER_HUB : this.domain;
  }

  /** Repository path after Docker Hub defaulting: `library/` before single-segment Hub paths. */
  get repository(): string {
    return this.registry === DOCKER_HUB && !this.path.includes('/') ? `library/${this.path}` : this.path;
  }

  /** `registry/repository`, e.g. `index.docker.io/library/nginx`. */
  get canonicalName(): string {
    return `${this.registry}/${this.repository}`;
  }

  /** The canonical name with the tag (or digest): the key for image metadata. */
  get canonicalRef(): string {
    return `${this.canonicalName}${this.suffix()}`;
  }

  /** The same reference with another tag, in the original form (and no digest). */
  withTag(tag: string): ImageRef {
    return new ImageRef({ domain: this.domain, path: this.path, tag });
  }

  /** True when both name the same repository once canonicalised. */
  sameRepository(other: ImageRef): boolean {
    return this.canonicalName === other.canonicalName;
  }

  toString(): string {
    return `${this.name}${this.suffix()}`;
  }

  toJSON(): string {
    return this.toString();
  }

  private suffix(): string {
    if (this.digest) return `${this.tag ? `:${this.tag}` : ''}@${this.digest}`;
    return this.tag ? `:${this.tag}` : '';
  }
}

/**
 * Parses an image reference: `[domain/]path[:tag][@sha256:digest]`. A first path element is a
 * domain when there are three or more elements, or when it contains a dot or a port or is
 * `localhost`.
 */
export function parseImageRef(input: string): ImageRef {
  if (input === '' || input.startsWith('/') || input.endsWith('/')) {
    throw new InvalidImageRefError(input, 'empty, or starts or ends with "/"');
  }
  let rest = input;
  let digest = '';
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!digestPattern.test(digest))
      throw new InvalidImageRefError(input, `"${digest}" is not a sha256 digest`);
  }
  const parts = rest.split('/');
  if (parts.some((p) => p === '')) throw new InvalidImageRefError(input, 'empty path element');
  let domain = '';
  if (parts.length >= 3 || (parts.length === 2 && domainPattern.test(parts[0] as string))) {
    domain = parts.shift() as string;
  }
  const last = parts.pop() as string;
  const pieces = last.split(':');
  if (pieces.length > 2) throw new InvalidImageRefError(input, 'more than one ":" in the last path element');
  const tag = pieces[1] ?? '';
  if (pieces.length === 2 && tag === '') throw new InvalidImageRefError(input, 'empty tag');
  if (pieces[0] === '') throw new InvalidImageRefError(input, 'empty image name');
  const path = [...parts, pieces[0] as string].join('/');
  return new ImageRef({ domain, path, tag, digest });
}
