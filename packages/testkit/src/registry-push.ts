import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { KeyedLocks } from './registry-push-locks.ts';

/** Media types the registry under test stores. */
export const MediaType = {
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  DockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  OciConfig: 'application/vnd.oci.image.config.v1+json',
  OciLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

export interface PushImageOptions {
  repo: string;
  tag: string;
  /** The image's creation time, written to the config blob and the OCI/label-schema labels. */
  created?: Date | string;
  labels?: Record<string, string>;
  /** e.g. `['linux/amd64', 'linux/arm64/v8']`: pushes one image per platform and a list/index over them. */
  platforms?: readonly string[];
  /** `docker` (schema 2, manifest list) or `oci` (OCI manifest, OCI index). Default `docker`. */
  format?: 'docker' | 'oci';
}

/** What {@link pushImage} pushed. */
export interface PushedImage {
  /** Digest of the manifest (or list/index) the tag points at. */
  digest: string;
  mediaType: string;
  /** Per-platform child manifests, when `platforms` was given. */
  children: { platform: string; digest: string }[];
}

export interface RegistryAccess {
  /** Base URL, e.g. `http://127.0.0.1:5099`. */
  url: string;
  username?: string;
  password?: string;
}

const sha256 = (data: Buffer | string): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

// An empty tar (two zero blocks), gzipped: every synthetic image shares this one layer.
const layerTar = Buffer.alloc(1024);
const layer = gzipSync(layerTar, { level: 9 });

/**
 * Writes of one digest to one registry, one at a time, across every `pushImage` of this process (see
 * {@link KeyedLocks} for the registry's race this avoids).
 */
const digestWrites = new KeyedLocks();

/**
 * What a manifest PUT answers when it read a file another write of the same digest was rewriting
 * (another process pushing the same content): worth another try after a short wait.
 */
const RACE_ERROR_CODES: ReadonlySet<string> = new Set(['DIGEST_INVALID', 'MANIFEST_BLOB_UNKNOWN']);
const RACE_RETRY_DELAYS_MS: readonly number[] = [50, 100, 200, 400, 800];

/** Sends authenticated requests to a registry: Basic credentials, or the Bearer token dance. */
class RegistrySession {
  readonly #access: RegistryAccess;
  readonly #tokens = new Map<string, string>();

  constructor(access: RegistryAccess) {
    this.#access = access;
  }

  /** The key of `digest`'s writes to this registry. */
  writeKey(digest: string): string {
    return `${new URL(this.#access.url).origin} ${digest}`;
  }

  async fetch(path: string, scope: string, init: RequestInit = {}): Promise<Response> {
    const url = path.startsWith('http') ? path : `${this.#access.url}${path}`;
    const send = (auth?: string): Promise<Response> =>
      fetch(url, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), ...(auth ? { Authorization: auth } : {}) },
      });
    const cached = this.#tokens.get(scope);
    let res = await send(cached);
    if (res.status !== 401) return res;
    await res.arrayBuffer();
    const auth = await this.#authorize(res.headers.get('www-authenticate') ?? '', scope);
    res = await send(auth);
    return res;
  }

  async #authorize(header: string, scope: string): Promise<string> {
    const { username = '', password = '' } = this.#access;
    const basic = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    // The test registry sends one challenge with quoted parameters; the product's parser lives in
    // @flux-ts/registry, which this package must not depend on.
    if (!/^bearer /i.test(header)) return basic;
    const params = Object.fromEntries([...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const realm = new URL(params.realm ?? '');
    if (params.service) realm.searchParams.set('service', params.service);
    realm.searchParams.set('scope', scope);
    const res = await fetch(realm, { headers: { Authorization: basic } });
    if (!res.ok) throw new Error(`token request to ${realm.origin} failed: ${res.status}`);
    const body = (await res.json()) as { token?: string; access_token?: string };
    const bearer = `Bearer ${body.token ?? body.access_token ?? ''}`;
    this.#tokens.set(scope, bearer);
    return bearer;
  }
}

async function expectStatus(res: Response, status: number, what: string): Promise<Response> {
  if (res.status !== status) {
    throw new Error(`${what}: registry answered ${res.status} (expected ${status}): ${await res.text()}`);
  }
  return res;
}

/**
 * Uploads a blob unless the repository has it. One upload of a digest at a time per registry: the
 * first writes it, the ones queued behind find it with HEAD and write nothing.
 */
async function uploadBlob(session: RegistrySession, repo: string, data: Buffer): Promise<string> {
  const digest = sha256(data);
  await digestWrites.run(session.writeKey(digest), () => uploadMissingBlob(session, repo, data, digest));
  return digest;
}

async function uploadMissingBlob(
  session: RegistrySession,
  repo: string,
  data: Buffer,
  digest: string,
): Promise<void> {
  const scope = `repository:${repo}:pull,push`;
  const head = await session.fetch(`/v2/${repo}/blobs/${digest}`, scope, { method: 'HEAD' });
  if (head.status === 200) return;
  // Distribution 2.8 ignores the body of a monolithic POST: always POST, then PUT.
  const post = await expectStatus(
    await session.fetch(`/v2/${repo}/blobs/uploads/`, scope, { method: 'POST' }),
    202,
    `start upload to ${repo}`,
  );
  const location = new URL(post.headers.get('location') ?? '', `${new URL(post.url).origin}/`);
  location.searchParams.set('digest', digest);
  await expectStatus(
    await session.fetch(location.toString(), scope, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: data,
    }),
    201,
    `upload blob to ${repo}`,
  );
}

/** The error codes of a registry error body (`{"errors":[{"code":…}]}`); none when it is not one. */
function errorCodes(body: string): string[] {
  try {
    const parsed = JSON.parse(body) as { errors?: { code?: unknown }[] };
    return (parsed.errors ?? []).map((e) => String(e.code));
  } catch {
    return [];
  }
}

async function putManifest(
  session: RegistrySession,
  repo: string,
  reference: string,
  mediaType: string,
  body: string,
): Promise<string> {
  const what = `put manifest ${repo}:${reference}`;
  return digestWrites.run(session.writeKey(sha256(body)), async () => {
    for (let attempt = 0; ; attempt++) {
      const res = await session.fetch(`/v2/${repo}/manifests/${reference}`, `repository:${repo}:pull,push`, {
        method: 'PUT',
        headers: { 'Content-Type': mediaType },
        body,
      });
      if (res.status === 201) return res.headers.get('docker-content-digest') ?? sha256(body);
      const text = await res.text();
      const codes = errorCodes(text);
      const delay = RACE_RETRY_DELAYS_MS[attempt];
      if (res.status === 400 && codes.length > 0 && codes.every((c) => RACE_ERROR_CODES.has(c)) && delay) {
        await sleep(delay);
        continue;
      }
      const tries = attempt + 1;
      throw new Error(
        `${what}: registry answered ${res.status} (expected 201)${tries > 1 ? ` after ${tries} tries` : ''}: ${text}`,
      );
    }
  });
}

function parsePlatform(platform: string): { os: string; architecture: string; variant?: string } {
  const [os = 'linux', architecture = 'amd64', variant] = platform.split('/');
  return variant ? { os, architecture, variant } : { os, architecture };
}

async function pushSingle(
  session: RegistrySession,
  options: PushImageOptions,
  platform: string,
  reference: string | undefined,
): Promise<{ digest: string; size: number; mediaType: string }> {
  const oci = options.format === 'oci';
  const created = new Date(options.created ?? Date.UTC(2020, 0, 1)).toISOString();
  const labels = {
    'org.opencontainers.image.created': created,
    'org.label-schema.build-date': created,
    ...options.labels,
  };
  const config = Buffer.from(
    JSON.stringify({
      ...parsePlatform(platform),
      created,
      config: { Labels: labels },
      rootfs: { type: 'layers', diff_ids: [sha256(layerTar)] },
      history: [{ created }],
    }),
  );
  const layerDigest = await uploadBlob(session, options.repo, layer);
  const configDigest = await uploadBlob(session, options.repo, config);
  const mediaType = oci ? MediaType.OciManifest : MediaType.DockerManifest;
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType,
    config: {
      mediaType: oci ? MediaType.OciConfig : MediaType.DockerConfig,
      size: config.length,
      digest: configDigest,
    },
    layers: [
      {
        mediaType: oci ? MediaType.OciLayer : MediaType.DockerLayer,
        size: layer.length,
        digest: layerDigest,
      },
    ],
  });
  // Without a tag, push by digest: a child of a list must not show up in tags/list.
  const digest = await putManifest(session, options.repo, reference ?? sha256(manifest), mediaType, manifest);
  return { digest, size: Buffer.byteLength(manifest), mediaType };
}

/**
 * Pushes a synthetic image over the registry's real HTTP API: a config blob carrying `created` and
 * `labels`, one shared empty layer, and a schema 2 or OCI manifest; with `platforms`, one image per
 * platform plus a manifest list or OCI index tagged `tag`.
 */
export async function pushImage(access: RegistryAccess, options: PushImageOptions): Promise<PushedImage> {
  const session = new RegistrySession(access);
  if (!options.platforms || options.platforms.length === 0) {
    const single = await pushSingle(session, options, 'linux/amd64', options.tag);
    return { digest: single.digest, mediaType: single.mediaType, children: [] };
  }
  const children: { platform: string; digest: string; size: number; mediaType: string }[] = [];
  for (const platform of options.platforms) {
    const child = await pushSingle(session, options, platform, undefined);
    children.push({ platform, ...child });
  }
  const mediaType = options.format === 'oci' ? MediaType.OciIndex : MediaType.DockerManifestList;
  const list = JSON.stringify({
    schemaVersion: 2,
    mediaType,
    manifests: children.map((c) => ({
      mediaType: c.mediaType,
      size: c.size,
      digest: c.digest,
      platform: parsePlatform(c.platform),
    })),
  });
  const digest = await putManifest(session, options.repo, options.tag, mediaType, list);
  return {
    digest,
    mediaType,
    children: children.map(({ platform, digest: d }) => ({ platform, digest: d })),
  };
}

/** Lists a repository's tags through the registry API (authenticating as needed). */
export async function listTags(access: RegistryAccess, repo: string): Promise<string[]> {
  const session = new RegistrySession(access);
  const res = await expectStatus(
    await session.fetch(`/v2/${repo}/tags/list`, `repository:${repo}:pull`),
    200,
    `list ${repo}`,
  );
  const body = (await res.json()) as { tags?: string[] | null };
  return [...(body.tags ?? [])].sort();
}
