import { ErrorKind, FluxError, type ImageStatusJson } from '@flux-ts/core';
import { formatTable } from '../tabwriter.ts';
import { compareStrings } from './compare.ts';
import { goJsonLine } from './go-json.ts';
import { formatGoRFC822 } from './go-time.ts';
import { refName, refParts, sameRef } from './image-ref.ts';

/** Options of `fluxctl list-images` that shape its output. */
export interface ImagesOutputOptions {
  /** `--no-headers`. */
  noHeaders?: boolean;
  /** `-l/--limit`: available images shown per container; 0 (or negative, in the table) for all. */
  limit: number;
}

/** What Flux v1 prints for a container whose available images are unknown. */
export const NO_IMAGE_DATA = 'image data not available';

/** `list-images -o json --limit` below zero (Flux v1's message, kept for scripts). */
export class NegativeLimitError extends FluxError {
  constructor(limit: number) {
    super('opts.limit cannot be less than 0', {
      code: 'fluxctl.limit.negative',
      kind: ErrorKind.User,
      help: `--limit was ${limit}; give 0 for all images, or a positive number.`,
    });
  }
}

/** The images `list-images` shows, sorted by workload ID. */
export function sortImages(images: readonly ImageStatusJson[]): ImageStatusJson[] {
  return [...images].sort((a, b) => compareStrings(a.ID, b.ID));
}

/**
 * The `list-images` table (`-o tab`), byte for byte as Flux v1's fluxctl prints it: per container
 * the image name, then each available tag marked `|  ` (newer than the running one), `'->` (the
 * running one) or blank (older), with its creation time in Go's RFC822 layout; tags beyond the limit
 * are left out except the running one, after a `: (<n> image(s) omitted)` line; a running tag not
 * among the available ones is printed last with `?`.
 */
export function formatImages(images: readonly ImageStatusJson[], options: ImagesOutputOptions): string {
  const { limit } = options;
  const lines: string[] = [];
  if (!options.noHeaders) lines.push('WORKLOAD\tCONTAINER\tIMAGE\tCREATED');
  for (const image of sortImages(images)) {
    if (image.Containers.length === 0) {
      lines.push(`${image.ID}\t\t\t`);
      continue;
    }
    let workloadCell = image.ID;
    for (const container of image.Containers) {
      const current = refParts(container.Current.ID);
      const available = container.Available ?? [];
      const status = available.length === 0 ? container.AvailableError || NO_IMAGE_DATA : '';
      lines.push(`${workloadCell}\t${container.Name ?? ''}\t${refName(current)}\t${status}`);

      let foundRunning = false;
      let lineCount = 0;
      for (const info of available) {
        const parts = refParts(info.ID);
        let marker = '|  ';
        if (parts.tag === current.tag) {
          marker = "'->";
          foundRunning = true;
        } else if (foundRunning) {
          marker = '   ';
        }
        lineCount++;
        const withinLimit = limit <= 0 || lineCount <= limit;
        if (!withinLimit && !sameRef(current, parts)) continue;
        if (!withinLimit && lineCount > limit + 1) {
          lines.push(`\t\t: (${lineCount - limit - 1} image(s) omitted)\t`);
        }
        lines.push(`\t\t${marker} ${parts.tag}\t${formatGoRFC822(info.CreatedAt ?? '')}`);
      }
      if (!foundRunning) lines.push(`\t\t'-> ${current.tag || '(untagged)'}\t?`);
      workloadCell = '';
    }
  }
  return formatTable(lines);
}

/**
 * The `list-images -o json` output: the sorted array on one line, each container's `Available`
 * cut to `limit` entries unless `limit` is 0. Throws {@link NegativeLimitError} for a negative limit.
 */
export function imagesJson(images: readonly ImageStatusJson[], limit: number): string {
  if (limit < 0) throw new NegativeLimitError(limit);
  const sorted = sortImages(images).map((image) =>
    limit === 0
      ? image
      : {
          ...image,
          Containers: image.Containers.map((c) =>
            c.Available === undefined ? c : { ...c, Available: c.Available.slice(0, limit) },
          ),
        },
  );
  return goJsonLine(sorted);
}
