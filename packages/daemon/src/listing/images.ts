import {
  type ContainerField,
  type ImageContainerJson,
  type ImageInfo,
  type ImageInfoJson,
  type ImageRef,
  type ImageStatusJson,
  imageInfoToJson,
  PolicySet,
  parseImageRef,
  type Resource,
  readPolicies,
  type TagPattern,
} from '@flux-ts/core';
import type { WorkloadStatus } from '@flux-ts/k8s';
import type { RepositoryMetadata } from '@flux-ts/registry';
import { parseContainerFields } from './container-fields.ts';
import { currentImage, repositoryImages } from './repository-images.ts';

/** What {@link buildImageStatuses} reads. */
export interface ImageStatusInput {
  /** The workloads as the cluster runs them (already filtered by namespace / ID). */
  workloads: readonly WorkloadStatus[];
  /** The repo's resources by resource ID (for tag filters); undefined when the repo is not ready. */
  repo: ReadonlyMap<string, Resource> | undefined;
  /** What the scanner knows of a repository, by canonical name; undefined when nothing. */
  metadata: (canonicalRepository: string) => RepositoryMetadata | undefined;
  /** `containerFields`: which container fields to compute; empty or absent = all. */
  fields?: readonly ContainerField[];
}

const byId = (a: { ID: string }, b: { ID: string }): number => (a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0);

const emptyInfo = (): ImageInfoJson => ({ ID: '', Labels: {} });

/** Computes a value once, on first use. */
function lazy<T>(compute: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = compute();
      done = true;
    }
    return value;
  };
}

/** Parsed images of a workload's containers; undefined when one does not parse (Flux v1 lists none). */
function parsedContainers(workload: WorkloadStatus): { name: string; ref: ImageRef }[] | undefined {
  const out: { name: string; ref: ImageRef }[] = [];
  for (const c of workload.containers) {
    try {
      out.push({ name: c.name, ref: parseImageRef(c.image) });
    } catch {
      return undefined;
    }
  }
  return out;
}

/** How many leading images are newer than `current` (Flux v1 counts until the first that is not). */
function countNewer(sorted: readonly ImageInfo[], current: ImageInfo, pattern: TagPattern): number {
  let n = 0;
  for (const image of sorted) {
    if (!pattern.isNewer(image, current)) break;
    n++;
  }
  return n;
}

interface ContainerInput {
  name: string;
  ref: ImageRef;
  pattern: TagPattern;
  metadata: () => RepositoryMetadata | undefined;
  images: () => ImageInfo[];
  want: (field: ContainerField) => boolean;
}

function imageContainer(c: ContainerInput): ImageContainerJson {
  const { pattern, want } = c;
  const current = lazy(() => currentImage(c.ref, c.metadata()));
  const sorted = lazy(() => [...c.images()].sort((a, b) => pattern.compare(a, b)));
  const sortedFiltered = lazy(() => sorted().filter((i) => pattern.matches(i.ref.tag)));
  const counts: [ContainerField, () => number][] = [
    ['AvailableImagesCount', () => c.images().length],
    ['NewAvailableImagesCount', () => countNewer(sorted(), current(), pattern)],
    ['FilteredImagesCount', () => c.images().filter((i) => pattern.matches(i.ref.tag)).length],
    ['NewFilteredImagesCount', () => countNewer(sortedFiltered(), current(), pattern)],
  ];
  const available = want('Available') ? sorted() : [];
  // Flux v1's key order and omissions: `Name` and the rest are `omitempty`; `Current` and
  // `LatestFiltered` are structs, always present. `AvailableError` is set only when a repository has
  // no image list at all, which never happens (an unknown one has an empty list).
  const container: Omit<ImageContainerJson, 'Name'> & { Name?: string } = {
    ...(want('Name') && c.name !== '' ? { Name: c.name } : {}),
    Current: want('Current') ? imageInfoToJson(current()) : emptyInfo(),
    LatestFiltered: want('LatestFiltered') ? imageInfoToJson(sortedFiltered()[0]) : emptyInfo(),
    ...(available.length > 0 ? { Available: available.map((i) => imageInfoToJson(i)) } : {}),
  };
  for (const [field, count] of counts) {
    if (!want(field)) continue;
    const n = count();
    if (n > 0) container[field as 'AvailableImagesCount'] = n;
  }
  return container as ImageContainerJson;
}

/**
 * Builds the answer of `GET /v10/images` (Flux v1's `ImageStatus`, `flux-v1.md` §1.4.7): per cluster
 * workload and container, the running image (always, with metadata when cached — decisions.md 16),
 * every tag of its repository sorted by the container's tag filter (`tag.<container>` in git, default
 * `glob:*`), the newest tag the filter admits, and the counts. Only `fields` are computed. Sorted by
 * ID.
 *
 * "New" counts are the leading images that are strictly newer than the running one under the
 * filter's order: a higher version for `semver:`, a later known creation time otherwise (the order
 * automation uses; an equal version or time is not newer).
 *
 * @throws InvalidContainerFieldError when `fields` names an unknown field.
 */
export function buildImageStatuses(input: ImageStatusInput): ImageStatusJson[] {
  const fields = parseContainerFields(input.fields ?? []);
  const wanted: ReadonlySet<ContainerField> | undefined = fields.length > 0 ? new Set(fields) : undefined;
  const want = (field: ContainerField): boolean => wanted === undefined || wanted.has(field);
  const repositories = new Map<string, RepositoryMetadata | undefined>();
  const lookup = (canonicalName: string): RepositoryMetadata | undefined => {
    if (!repositories.has(canonicalName)) repositories.set(canonicalName, input.metadata(canonicalName));
    return repositories.get(canonicalName);
  };
  const out = input.workloads.map((w): ImageStatusJson => {
    const resource = input.repo?.get(w.id);
    const policies = resource ? readPolicies(resource.annotations) : PolicySet.EMPTY;
    const containers = (parsedContainers(w) ?? []).map(({ name, ref }) => {
      const metadata = lazy(() => lookup(ref.canonicalName));
      return imageContainer({
        name,
        ref,
        pattern: policies.tagPattern(name),
        metadata,
        images: lazy(() => repositoryImages(metadata(), ref)),
        want,
      });
    });
    return { ID: w.id, Containers: containers };
  });
  return out.sort(byId);
}

/**
 * The canonical names of the image repositories the workloads run (what the registry warmer scans),
 * sorted, each once. Images that do not parse are left out.
 */
export function imageRepositories(workloads: readonly WorkloadStatus[]): string[] {
  const names = new Set<string>();
  for (const w of workloads) {
    for (const c of w.containers) {
      try {
        names.add(parseImageRef(c.image).canonicalName);
      } catch {
        // not an image reference: nothing to scan
      }
    }
  }
  return [...names].sort();
}
