import { ErrorKind, FluxError } from '@flux-ts/core';

/** Which request an error is about: never credentials, never tokens. */
export interface RegistryErrorContext {
  registry: string;
  repository?: string;
  /** Tag or digest. */
  reference?: string;
}

const where = (c: RegistryErrorContext): string =>
  `${c.registry}${c.repository ? `/${c.repository}` : ''}${c.reference ? (c.reference.startsWith('sha256:') ? `@${c.reference}` : `:${c.reference}`) : ''}`;

/** Base class of registry errors; `transient` ones are worth retrying later. */
export class RegistryError extends FluxError {
  readonly context: RegistryErrorContext;
  readonly status: number | undefined;
  readonly transient: boolean;

  constructor(
    message: string,
    options: {
      code: string;
      kind: ErrorKind;
      help: string;
      context: RegistryErrorContext;
      status?: number;
      transient?: boolean;
      cause?: unknown;
    },
  ) {
    super(`${where(options.context)}: ${message}`, options);
    this.context = options.context;
    this.status = options.status;
    this.transient = options.transient ?? false;
  }
}

/** The registry refused our credentials (or we had none and it wants some). */
export class RegistryAuthError extends RegistryError {
  constructor(context: RegistryErrorContext, status: number, detail: string) {
    super(`authentication failed (HTTP ${status}): ${detail}`, {
      code: 'registry.auth',
      kind: ErrorKind.User,
      help: 'Check the credentials for this registry (--docker-config, image pull secrets); for a private repository the scan needs pull access.',
      context,
      status,
    });
  }
}

/** HTTP 429: the registry asks us to slow down. */
export class RateLimitedError extends RegistryError {
  /** How long the registry asked us to wait, when it said (Retry-After). */
  readonly retryAfterMs: number | undefined;

  constructor(context: RegistryErrorContext, retryAfterMs: number | undefined) {
    super(
      `rate limited (HTTP 429)${retryAfterMs !== undefined ? `, retry after ${Math.ceil(retryAfterMs / 1000)}s` : ''}`,
      {
        code: 'registry.rate-limited',
        kind: ErrorKind.Server,
        help: 'flux-ts slows down for this host and resumes by itself; lower --registry-rps, or add credentials (authenticated pulls get a larger quota).',
        context,
        status: 429,
        transient: true,
      },
    );
    this.retryAfterMs = retryAfterMs;
  }
}

/** The repository, tag or digest does not exist. */
export class ManifestUnknownError extends RegistryError {
  constructor(context: RegistryErrorContext, status: number, detail: string) {
    super(`not found (HTTP ${status}): ${detail}`, {
      code: 'registry.not-found',
      kind: ErrorKind.Missing,
      help: 'Check the image name and tag; the tag may have been deleted from the registry.',
      context,
      status,
    });
  }
}

/** The registry could not be reached or failed (network error, timeout, 5xx). */
export class RegistryUnavailableError extends RegistryError {
  constructor(context: RegistryErrorContext, detail: string, status?: number, cause?: unknown) {
    super(`registry unavailable: ${detail}`, {
      code: 'registry.unavailable',
      kind: ErrorKind.Server,
      help: 'The scan retries with backoff; check the registry host name, network access, and --registry-insecure-host for plain-HTTP registries.',
      context,
      ...(status === undefined ? {} : { status }),
      transient: true,
      cause,
    });
  }
}

/** The registry answered with something that is not what the Distribution API promises. */
export class InvalidPayloadError extends RegistryError {
  constructor(context: RegistryErrorContext, what: string, detail: string) {
    super(`unexpected ${what}: ${detail}`, {
      code: 'registry.invalid-payload',
      kind: ErrorKind.Server,
      help: 'The registry returned a payload flux-ts cannot read; report it with the registry product and version.',
      context,
    });
  }
}

/** A manifest list or OCI index has no image for the platforms we run. */
export class NoSuitablePlatformError extends RegistryError {
  /** The configured platforms. */
  readonly platforms: readonly string[];
  /** The platforms the list has. */
  readonly available: readonly string[];
  /** The digest of the list or index (what a HEAD of the tag answers), when known. */
  readonly indexDigest: string | undefined;

  constructor(
    context: RegistryErrorContext,
    platforms: readonly string[],
    available: readonly string[],
    indexDigest?: string,
  ) {
    super(`no image for ${platforms.join(', ')} (the list has ${available.join(', ') || 'none'})`, {
      code: 'registry.no-platform',
      kind: ErrorKind.User,
      help: 'Publish the image for this platform, or set --registry-platform to the platforms your nodes run.',
      context,
    });
    this.platforms = platforms;
    this.available = available;
    this.indexDigest = indexDigest;
  }
}
