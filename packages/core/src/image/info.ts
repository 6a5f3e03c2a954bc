import type { ImageRef } from './ref.ts';

/**
 * What is known of one image (a tag of a repository): the answer of the registry scanner, and the
 * `Current` / `Available` entries of the Flux API.
 */
export interface ImageInfo {
  /** The image reference (repository and tag) this describes. */
  ref: ImageRef;
  /** Manifest digest as fetched (`sha256:…`); for a multi-platform image, the chosen platform's manifest. */
  digest?: string;
  /** For a multi-platform image, the digest of the list or index the tag points at (what a HEAD returns). */
  indexDigest?: string;
  /** Config digest (schema 2 / OCI) or v1 ID (schema 1). */
  imageId?: string;
  labels?: Record<string, string>;
  /** Creation time; undefined when unknown (not yet fetched, or none recorded). */
  createdAt?: Date;
  lastFetched?: Date;
  /**
   * Set when the tag cannot run here: a manifest list or OCI index without an image for the
   * configured platforms (`--registry-platform`). Such a tag is never a candidate for automation or
   * a release, and has no other metadata (decisions.md 11).
   */
  platformMismatch?: PlatformMismatch;
}

/** A multi-platform tag without an image for the platforms fluxd was told its nodes run. */
export interface PlatformMismatch {
  /** The configured platforms (`os/arch[/variant]`), in order of preference. */
  wanted: readonly string[];
  /** The platforms the list has; undefined when not recorded (metadata cached by an older fluxd). */
  available?: readonly string[];
}

/** Flux v1's JSON form of an image: keys in Flux v1's order, empty ones left out, `Labels` always present. */
export interface ImageInfoJson {
  ID: string;
  Digest?: string;
  ImageID?: string;
  Labels: Record<string, string>;
  CreatedAt?: string;
  LastFetched?: string;
}

/** Formats a time as Go's RFC3339Nano does: UTC, fractional seconds without trailing zeros. */
export function formatGoTime(date: Date): string {
  return date.toISOString().replace(/\.?0+Z$/, 'Z');
}

/** The two labels Flux v1's `image.Labels` struct holds, in its field order (not the image's). */
const LABEL_ORDER = ['org.label-schema.build-date', 'org.opencontainers.image.created'] as const;

function labelsJson(labels: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of LABEL_ORDER) {
    const value = labels?.[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** Encodes an {@link ImageInfo} exactly as Flux v1's API does. */
export function imageInfoToJson(info: ImageInfo | undefined): ImageInfoJson {
  if (!info) return { ID: '', Labels: {} };
  // Built in order: JSON keeps insertion order, and clients compare Flux v1's bytes.
  return {
    ID: info.ref.toString(),
    ...(info.digest ? { Digest: info.digest } : {}),
    ...(info.imageId ? { ImageID: info.imageId } : {}),
    Labels: labelsJson(info.labels),
    ...(info.createdAt && info.createdAt.getTime() > 0 ? { CreatedAt: formatGoTime(info.createdAt) } : {}),
    ...(info.lastFetched && info.lastFetched.getTime() > 0
      ? { LastFetched: formatGoTime(info.lastFetched) }
      : {}),
  };
}
