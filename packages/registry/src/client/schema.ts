import { z } from 'zod';

/** Media types of the Distribution API that the client asks for and reads. */
export const MediaType = {
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  DockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciIndex: 'application/vnd.oci.image.index.v1+json',
} as const;

/** Every manifest type we read, most wanted first: the `Accept` of a manifest request. */
export const MANIFEST_ACCEPT: string = [
  MediaType.OciIndex,
  MediaType.DockerManifestList,
  MediaType.OciManifest,
  MediaType.DockerManifest,
  MediaType.DockerSchema1Signed,
  MediaType.DockerSchema1,
].join(', ');

const digest = z.string().regex(/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/);

const tagListSchema = z.object({
  name: z.string(),
  tags: z.array(z.string()).nullable().optional(),
});

const descriptor = z.object({
  mediaType: z.string().optional(),
  digest,
  size: z.number().int().nonnegative(),
});

const imageManifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  config: descriptor,
  layers: z.array(descriptor).optional(),
});

const platform = z.object({ os: z.string(), architecture: z.string(), variant: z.string().optional() });

const manifestIndexSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  manifests: z.array(descriptor.extend({ platform: platform.optional() })),
});

const schema1ManifestSchema = z.object({
  schemaVersion: z.literal(1),
  history: z.array(z.object({ v1Compatibility: z.string() })).min(1),
});

/** The config blob fields flux-ts reads; everything else passes. */
const imageConfigSchema = z.object({
  created: z.string().optional(),
  architecture: z.string().optional(),
  os: z.string().optional(),
  config: z
    .object({ Labels: z.record(z.string(), z.string()).nullable().optional() })
    .nullable()
    .optional(),
  container_config: z
    .object({ Labels: z.record(z.string(), z.string()).nullable().optional() })
    .nullable()
    .optional(),
});

const v1CompatibilitySchema = z.object({
  id: z.string().optional(),
  created: z.string().optional(),
  config: z
    .object({ Labels: z.record(z.string(), z.string()).nullable().optional() })
    .nullable()
    .optional(),
});

const tokenResponseSchema = z.object({
  token: z.string().optional(),
  access_token: z.string().optional(),
  expires_in: z.number().optional(),
});

type Labels = Record<string, string> | null | undefined;

/** A tags/list answer. */
export interface TagList {
  name: string;
  tags?: string[] | null | undefined;
}
/** A blob or manifest reference. */
export interface Descriptor {
  mediaType?: string | undefined;
  digest: string;
  size: number;
}
/** A Docker schema 2 or OCI image manifest. */
export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string | undefined;
  config: Descriptor;
  layers?: Descriptor[] | undefined;
}
/** A Docker manifest list or OCI index. */
export interface ManifestIndex {
  schemaVersion: 2;
  mediaType?: string | undefined;
  manifests: (Descriptor & {
    platform?: { os: string; architecture: string; variant?: string | undefined } | undefined;
  })[];
}
/** A legacy schema 1 manifest (only its history is read). */
export interface Schema1Manifest {
  schemaVersion: 1;
  history: { v1Compatibility: string }[];
}
/** The fields of an image config blob flux-ts reads. */
export interface ImageConfig {
  created?: string | undefined;
  architecture?: string | undefined;
  os?: string | undefined;
  config?: { Labels?: Labels } | null | undefined;
  container_config?: { Labels?: Labels } | null | undefined;
}
/** The fields of a schema 1 `v1Compatibility` entry flux-ts reads. */
export interface V1Compatibility {
  id?: string | undefined;
  created?: string | undefined;
  config?: { Labels?: Labels } | null | undefined;
}
/** A token server's answer. */
export interface TokenResponse {
  token?: string | undefined;
  access_token?: string | undefined;
  expires_in?: number | undefined;
}

/** A decoded payload, or why it is not one. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; error: string };

function decode<T>(schema: z.ZodType<T>, value: unknown): Decoded<T> {
  const r = schema.safeParse(value);
  return r.success
    ? { ok: true, value: r.data }
    : {
        ok: false,
        error: r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '),
      };
}

export const decodeTagList = (v: unknown): Decoded<TagList> => decode(tagListSchema, v);
export const decodeImageManifest = (v: unknown): Decoded<ImageManifest> => decode(imageManifestSchema, v);
export const decodeManifestIndex = (v: unknown): Decoded<ManifestIndex> => decode(manifestIndexSchema, v);
export const decodeSchema1 = (v: unknown): Decoded<Schema1Manifest> => decode(schema1ManifestSchema, v);
export const decodeImageConfig = (v: unknown): Decoded<ImageConfig> => decode(imageConfigSchema, v);
export const decodeV1Compatibility = (v: unknown): Decoded<V1Compatibility> =>
  decode(v1CompatibilitySchema, v);
export const decodeTokenResponse = (v: unknown): Decoded<TokenResponse> => decode(tokenResponseSchema, v);
