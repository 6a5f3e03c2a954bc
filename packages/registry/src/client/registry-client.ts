import { createHash } from 'node:crypto';
import {
  type Clock,
  type ImageInfo,
  type ImageRef,
  type Logger,
  noopLogger,
  parseImageRef,
  systemClock,
} from '@flux-ts/core';
import { HostLimiters } from '../rate-limit/host-limiter.ts';
import { parseWwwAuthenticate } from '../www-authenticate.ts';
import {
  InvalidPayloadError,
  ManifestUnknownError,
  NoSuitablePlatformError,
  RateLimitedError,
  RegistryAuthError,
  type RegistryErrorContext,
  RegistryUnavailableError,
} from './errors.ts';
import { nextLink } from './link-header.ts';
import { formatPlatform, parsePlatform, platformMatches } from './platform.ts';
import {
  type Decoded,
  decodeImageConfig,
  decodeImageManifest,
  decodeManifestIndex,
  decodeSchema1,
  decodeTagList,
  decodeTokenResponse,
  decodeV1Compatibility,
  MANIFEST_ACCEPT,
  MediaType,
} from './schema.ts';

/** Username and password (or token) for a registry. Never logged, never in an error. */
export interface Credentials {
  username: string;
  password: string;
}

/** Counts what the client does, for metrics; every method is optional. */
export interface RegistryMetrics {
  request?(event: {
    host: string;
    kind: 'tags' | 'manifest' | 'blob' | 'token' | 'head';
    status: number;
    durationMs: number;
  }): void;
  remainingQuota?(host: string, remaining: number): void;
}

/** Options of {@link createRegistryClient}. */
export interface RegistryClientOptions {
  /** The registry host as image references name it: `index.docker.io`, `ghcr.io`, `127.0.0.1:5000`. */
  host: string;
  credentials?: Credentials | undefined;
  /** Plain HTTP (`--registry-insecure-host`). */
  insecure?: boolean;
  /** Platforms to resolve manifest lists for, in order of preference. Default `['linux/amd64']`. */
  platforms?: readonly string[];
  /** Whether a repository's creation time comes from its image labels (`--registry-use-labels`). */
  useLabels?: (canonicalRepository: string) => boolean;
  /** Shared per-host limits; one is made for this client when absent. */
  limiter?: HostLimiters;
  /** Per-request timeout. Default 60 s. */
  timeoutMs?: number;
  /** How many times a 5xx or network failure is retried (with backoff). Default 2. */
  retries?: number;
  fetch?: typeof fetch;
  clock?: Clock;
  logger?: Logger;
  metrics?: RegistryMetrics;
}

/** A fetched manifest: its digest, media type and parsed body. */
export interface FetchedManifest {
  digest: string;
  mediaType: string;
  body: unknown;
}

/** Reads one registry through the Distribution v2 API. */
export interface RegistryClient {
  readonly host: string;
  /** Every tag of a repository (path within the registry, e.g. `library/nginx`), following pagination. */
  tags(repository: string, signal?: AbortSignal): Promise<string[]>;
  /** A manifest by tag or digest, as the registry serves it (a list stays a list). */
  manifest(repository: string, reference: string, signal?: AbortSignal): Promise<FetchedManifest>;
  /** The digest a tag points at now, by HEAD (cheap: for re-checking mutable tags). */
  headDigest(repository: string, reference: string, signal?: AbortSignal): Promise<string>;
  /** What is known of an image: digest, image ID, creation time and timestamp labels. */
  imageInfo(ref: ImageRef | string, signal?: AbortSignal): Promise<ImageInfo>;
}

const TIMESTAMP_LABELS = ['org.opencontainers.image.created', 'org.label-schema.build-date'] as const;
const SINGLE_MANIFEST_ACCEPT = [
  MediaType.OciManifest,
  MediaType.DockerManifest,
  MediaType.DockerSchema1Signed,
  MediaType.DockerSchema1,
].join(', ');

function apiBase(host: string, insecure: boolean): string {
  const h = host === 'index.docker.io' || host === 'docker.io' ? 'registry-1.docker.io' : host;
  return `${insecure ? 'http' : 'https'}://${h}`;
}

/** Retry-After as milliseconds: delay-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function validDate(text: string | undefined): Date | undefined {
  if (!text) return undefined;
  const d = new Date(text);
  return Number.isNaN(d.getTime()) || d.getTime() <= 0 ? undefined : d;
}

interface TokenEntry {
  header: string;
  expiresAt: number;
}

class Client implements RegistryClient {
  readonly host: string;
  readonly #base: string;
  readonly #credentials: Credentials | undefined;
  readonly #platforms: ReturnType<typeof parsePlatform>[];
  readonly #useLabels: (repo: string) => boolean;
  readonly #limiter: HostLimiters;
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #fetch: typeof fetch;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #metrics: RegistryMetrics;
  readonly #tokens = new Map<string, TokenEntry>();
  /** The auth scheme the registry asked for, once known: requests then send credentials up front. */
  #scheme: 'basic' | 'bearer' | undefined;

  constructor(options: RegistryClientOptions) {
    this.host = options.host;
    this.#base = apiBase(options.host, options.insecure ?? false);
    this.#credentials = options.credentials;
    this.#platforms = (options.platforms ?? ['linux/amd64']).map(parsePlatform);
    this.#useLabels = options.useLabels ?? (() => false);
    this.#clock = options.clock ?? systemClock;
    this.#logger = (options.logger ?? noopLogger).child({ registry: options.host });
    this.#limiter = options.limiter ?? new HostLimiters({ clock: this.#clock, logger: this.#logger });
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#retries = options.retries ?? 2;
    this.#fetch = options.fetch ?? fetch;
    this.#metrics = options.metrics ?? {};
  }

  #basic(): string | undefined {
    const c = this.#credentials;
    return c ? `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}` : undefined;
  }

  #authHeader(scope: string): string | undefined {
    if (this.#scheme === 'basic') return this.#basic();
    const token = this.#tokens.get(scope);
    return token && token.expiresAt > this.#clock.now() ? token.header : undefined;
  }

  async #fetchToken(
    challenge: Record<string, string>,
    scope: string,
    context: RegistryErrorContext,
    signal?: AbortSignal,
  ): Promise<void> {
    const realm = challenge.realm;
    if (!realm) throw new RegistryAuthError(context, 401, 'Bearer challenge without a realm');
    const url = new URL(realm);
    if (challenge.service) url.searchParams.set('service', challenge.service);
    url.searchParams.set('scope', scope);
    const basic = this.#basic();
    const started = this.#clock.now();
    let res: Response;
    try {
      res = await this.#fetch(url, {
        headers: basic ? { Authorization: basic } : {},
        signal: this.#signal(signal),
      });
    } catch (err) {
      throw new RegistryUnavailableError(
        context,
        `token server ${url.origin} unreachable: ${(err as Error).message}`,
        undefined,
        err,
      );
    }
    this.#metrics.request?.({
      host: url.host,
      kind: 'token',
      status: res.status,
      durationMs: this.#clock.now() - started,
    });
    if (res.status === 401 || res.status === 403) {
      await res.arrayBuffer();
      throw new RegistryAuthError(context, res.status, `token server ${url.origin} refused the credentials`);
    }
    if (!res.ok) {
      await res.arrayBuffer();
      throw new RegistryUnavailableError(
        context,
        `token server ${url.origin} answered HTTP ${res.status}`,
        res.status,
      );
    }
    const decoded = decodeTokenResponse(await res.json().catch(() => undefined));
    const token = decoded.ok ? (decoded.value.token ?? decoded.value.access_token) : undefined;
    if (!token)
      throw new InvalidPayloadError(
        context,
        'token response',
        decoded.ok ? 'no token in the answer' : decoded.error,
      );
    const lifetime = decoded.ok && decoded.value.expires_in ? decoded.value.expires_in * 1000 : 60_000;
    // Renew a little before the token runs out.
    this.#tokens.set(scope, {
      header: `Bearer ${token}`,
      expiresAt: this.#clock.now() + Math.max(1_000, lifetime - 10_000),
    });
  }

  #signal(signal?: AbortSignal): AbortSignal {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    return signal ? AbortSignal.any([signal, timeout]) : timeout;
  }

  /** One API request with auth, rate limits, retries and error classification. */
  async #request(
    url: string,
    init: {
      method?: string;
      accept?: string;
      kind: 'tags' | 'manifest' | 'blob' | 'head';
      scope: string;
      context: RegistryErrorContext;
    },
    signal?: AbortSignal,
  ): Promise<Response> {
    let authRetried = false;
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = {};
      if (init.accept) headers.Accept = init.accept;
      const auth = this.#authHeader(init.scope);
      if (auth) headers.Authorization = auth;
      const started = this.#clock.now();
      let res: Response;
      try {
        res = await this.#limiter.schedule(
          this.host,
          () =>
            this.#fetch(url, {
              method: init.method ?? 'GET',
              headers,
              signal: this.#signal(signal),
              redirect: 'follow',
            }),
          signal,
        );
      } catch (err) {
        if (signal?.aborted) throw err;
        if (attempt < this.#retries) {
          await this.#clock.sleep(500 * 2 ** attempt, signal);
          continue;
        }
        throw new RegistryUnavailableError(init.context, (err as Error).message, undefined, err);
      }
      this.#metrics.request?.({
        host: this.host,
        kind: init.kind,
        status: res.status,
        durationMs: this.#clock.now() - started,
      });
      const remaining = res.headers.get('ratelimit-remaining');
      if (remaining) {
        // Docker Hub: `ratelimit-remaining: 95;w=21600`. An exhausted quota slows the host before it 429s.
        const n = Number.parseInt(remaining, 10);
        if (!Number.isNaN(n)) {
          this.#metrics.remainingQuota?.(this.host, n);
          if (n <= 0) this.#limiter.backOff(this.host);
        }
      }
      if (res.status === 401 && !authRetried) {
        authRetried = true;
        await res.arrayBuffer();
        const challenge = parseWwwAuthenticate(res.headers.get('www-authenticate') ?? '')[0];
        if (challenge?.scheme === 'bearer') {
          this.#scheme = 'bearer';
          await this.#fetchToken(challenge.params, init.scope, init.context, signal);
          continue;
        }
        if (challenge?.scheme === 'basic' && this.#credentials) {
          this.#scheme = 'basic';
          continue;
        }
        throw new RegistryAuthError(
          init.context,
          401,
          this.#credentials
            ? 'credentials refused'
            : 'the registry wants credentials and none are configured',
        );
      }
      if (res.status === 401 || res.status === 403) {
        await res.arrayBuffer();
        this.#tokens.delete(init.scope);
        throw new RegistryAuthError(
          init.context,
          res.status,
          res.status === 403 ? 'access denied' : 'credentials refused',
        );
      }
      if (res.status === 429) {
        await res.arrayBuffer();
        const retryAfter = parseRetryAfter(res.headers.get('retry-after'), this.#clock.now());
        this.#limiter.backOff(this.host, retryAfter);
        throw new RateLimitedError(init.context, retryAfter);
      }
      if (res.status >= 500) {
        await res.arrayBuffer();
        if (attempt < this.#retries) {
          await this.#clock.sleep(500 * 2 ** attempt, signal);
          continue;
        }
        throw new RegistryUnavailableError(init.context, `HTTP ${res.status}`, res.status);
      }
      if (res.status === 404) {
        const body = (await res.json().catch(() => undefined)) as
          | { errors?: { code?: string; message?: string }[] }
          | undefined;
        const e = body?.errors?.[0];
        throw new ManifestUnknownError(
          init.context,
          404,
          e ? `${e.code ?? ''} ${e.message ?? ''}`.trim() : 'not found',
        );
      }
      if (!res.ok) {
        await res.arrayBuffer();
        throw new RegistryUnavailableError(init.context, `HTTP ${res.status}`, res.status);
      }
      return res;
    }
  }

  async tags(repository: string, signal?: AbortSignal): Promise<string[]> {
    const context = { registry: this.host, repository };
    const scope = `repository:${repository}:pull`;
    const tags: string[] = [];
    let url: string | undefined = `${this.#base}/v2/${repository}/tags/list`;
    for (let page = 0; url && page < 1000; page++) {
      const res = await this.#request(url, { kind: 'tags', scope, context }, signal);
      const decoded = decodeTagList(await res.json().catch(() => undefined));
      if (!decoded.ok) throw new InvalidPayloadError(context, 'tag list', decoded.error);
      tags.push(...(decoded.value.tags ?? []));
      const next = nextLink(res.headers.get('link'));
      url = next ? new URL(next, this.#base).toString() : undefined;
    }
    return [...new Set(tags)];
  }

  async manifest(
    repository: string,
    reference: string,
    signal?: AbortSignal,
    accept = MANIFEST_ACCEPT,
  ): Promise<FetchedManifest> {
    const context = { registry: this.host, repository, reference };
    const res = await this.#request(
      `${this.#base}/v2/${repository}/manifests/${reference}`,
      { kind: 'manifest', accept, scope: `repository:${repository}:pull`, context },
      signal,
    );
    const bytes = Buffer.from(await res.arrayBuffer());
    const digest =
      res.headers.get('docker-content-digest') ??
      `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    let body: unknown;
    try {
      body = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      throw new InvalidPayloadError(context, 'manifest', `not JSON (${(err as Error).message})`);
    }
    const declared = (body as { mediaType?: unknown }).mediaType;
    const mediaType =
      (res.headers.get('content-type') ?? (typeof declared === 'string' ? declared : ''))
        .split(';')[0]
        ?.trim() ?? '';
    return { digest, mediaType, body };
  }

  async headDigest(repository: string, reference: string, signal?: AbortSignal): Promise<string> {
    const context = { registry: this.host, repository, reference };
    const res = await this.#request(
      `${this.#base}/v2/${repository}/manifests/${reference}`,
      {
        method: 'HEAD',
        kind: 'head',
        accept: MANIFEST_ACCEPT,
        scope: `repository:${repository}:pull`,
        context,
      },
      signal,
    );
    const digest = res.headers.get('docker-content-digest');
    if (!digest) throw new InvalidPayloadError(context, 'HEAD answer', 'no Docker-Content-Digest header');
    return digest;
  }

  async #config(
    repository: string,
    digest: string,
    context: RegistryErrorContext,
    signal?: AbortSignal,
  ): Promise<ReturnType<typeof decodeImageConfig>> {
    const res = await this.#request(
      `${this.#base}/v2/${repository}/blobs/${digest}`,
      { kind: 'blob', scope: `repository:${repository}:pull`, context },
      signal,
    );
    return decodeImageConfig(await res.json().catch(() => undefined));
  }

  async imageInfo(input: ImageRef | string, signal?: AbortSignal): Promise<ImageInfo> {
    const ref = typeof input === 'string' ? parseImageRef(input) : input;
    const repository = ref.repository;
    const reference = ref.digest || ref.tag || 'latest';
    const context = { registry: this.host, repository, reference };
    let fetched = await this.manifest(repository, reference, signal);
    let indexDigest: string | undefined;
    if (fetched.mediaType === MediaType.DockerManifestList || fetched.mediaType === MediaType.OciIndex) {
      indexDigest = fetched.digest;
      const index = this.#decoded(decodeManifestIndex(fetched.body), context, 'manifest list');
      const available = index.manifests
        .filter((m) => m.platform)
        .map((m) => formatPlatform(m.platform as { os: string; architecture: string }));
      const child = this.#platforms
        .map((wanted) =>
          index.manifests.find(
            (m) =>
              m.platform &&
              platformMatches(wanted, {
                ...m.platform,
                ...(m.platform.variant ? { variant: m.platform.variant } : {}),
              }),
          ),
        )
        .find((m) => m !== undefined);
      if (!child)
        throw new NoSuitablePlatformError(
          context,
          this.#platforms.map(formatPlatform),
          available,
          indexDigest,
        );
      fetched = await this.manifest(repository, child.digest, signal, SINGLE_MANIFEST_ACCEPT);
    }
    let imageId: string | undefined;
    let created: string | undefined;
    let rawLabels: Record<string, string> = {};
    const schema1 = decodeSchema1(fetched.body);
    if (schema1.ok) {
      const v1 = this.#decoded(
        decodeV1Compatibility(this.#json(schema1.value.history[0]?.v1Compatibility, context)),
        context,
        'schema 1 history',
      );
      imageId = v1.id;
      created = v1.created;
      rawLabels = v1.config?.Labels ?? {};
    } else {
      const manifest = this.#decoded(
        decodeImageManifest(fetched.body),
        context,
        `manifest (${fetched.mediaType || 'no media type'})`,
      );
      imageId = manifest.config.digest;
      const config = this.#decoded(
        await this.#config(repository, manifest.config.digest, context, signal),
        context,
        'image config',
      );
      created = config.created;
      rawLabels = { ...config.container_config?.Labels, ...config.config?.Labels };
    }
    const labels: Record<string, string> = {};
    for (const name of TIMESTAMP_LABELS) if (rawLabels[name]) labels[name] = rawLabels[name];
    let createdAt = validDate(created);
    if (this.#useLabels(ref.canonicalName)) {
      createdAt =
        validDate(labels['org.opencontainers.image.created']) ??
        validDate(labels['org.label-schema.build-date']) ??
        createdAt;
    }
    this.#logger.debug({ repository, reference, digest: fetched.digest }, 'fetched image metadata');
    return {
      ref: ref.digest ? ref : ref.withTag(reference),
      digest: fetched.digest,
      ...(indexDigest ? { indexDigest } : {}),
      ...(imageId ? { imageId } : {}),
      labels,
      ...(createdAt ? { createdAt } : {}),
      lastFetched: new Date(this.#clock.now()),
    };
  }

  #json(text: string | undefined, context: RegistryErrorContext): unknown {
    try {
      return JSON.parse(text ?? '');
    } catch {
      throw new InvalidPayloadError(context, 'schema 1 history', 'v1Compatibility is not JSON');
    }
  }

  #decoded<T>(decoded: Decoded<T>, context: RegistryErrorContext, what: string): T {
    if (!decoded.ok) throw new InvalidPayloadError(context, what, decoded.error);
    return decoded.value;
  }
}

/** Creates a client for one registry host. */
export function createRegistryClient(options: RegistryClientOptions): RegistryClient {
  return new Client(options);
}
