import {
  type ClusterWorkload,
  type ImageInfo,
  type ImageLookup,
  parseImageRef,
  type ReleaseWorkload,
  type Resource,
  releaseWorkload,
} from '@flux-ts/core';
import type { WorkloadStatus } from '@flux-ts/k8s';
import type { Scanner } from '@flux-ts/registry';

/** Workloads of the repo (resources with containers) as release planning reads them. */
export function repoWorkloads(resources: Iterable<Resource>): ReleaseWorkload[] {
  const out: ReleaseWorkload[] = [];
  for (const r of resources) if (r.containers && r.containers.length > 0) out.push(releaseWorkload(r));
  return out;
}

/** `fluxcd.io/ignore: "true"` (either prefix) on a live object. */
function ignoredInCluster(annotations: Record<string, string>): boolean {
  return annotations['fluxcd.io/ignore'] === 'true' || annotations['flux.weave.works/ignore'] === 'true';
}

/** The cluster's workloads by ID, as planning reads them. */
export function clusterWorkloads(workloads: readonly WorkloadStatus[]): Map<string, ClusterWorkload> {
  return new Map(
    workloads.map((w) => [
      w.id,
      { id: w.id, containers: w.containers, ignored: ignoredInCluster(w.annotations) },
    ]),
  );
}

/** Canonical repository names of the images `workloads` use in git. */
export function repositoriesOf(workloads: readonly ReleaseWorkload[]): string[] {
  const names = new Set<string>();
  for (const w of workloads) {
    for (const c of w.containers) {
      try {
        names.add((c.ref ?? parseImageRef(c.image)).canonicalName);
      } catch {
        // an invalid image reference: planning reports it
      }
    }
  }
  return [...names].sort();
}

/**
 * Reads what the scanner knows of `repositories` (never waiting for the registry) so planning, which
 * is synchronous, can look images up. Without a scanner (`--registry-disable-scanning`) nothing is known.
 */
export async function imageLookup(
  scanner: Scanner | undefined,
  repositories: readonly string[],
  extra: readonly ImageInfo[] = [],
): Promise<ImageLookup> {
  const index = new Map<string, ImageInfo[]>();
  if (scanner) {
    for (const name of repositories) {
      const meta = await scanner.getRepository(name);
      if (meta.lastUpdate > 0 || meta.images.length > 0) index.set(name, [...meta.images]);
    }
  }
  for (const info of extra) {
    const list = index.get(info.ref.canonicalName) ?? [];
    if (!list.some((i) => i.ref.tag === info.ref.tag)) list.push(info);
    index.set(info.ref.canonicalName, list);
  }
  return (name) => index.get(name);
}
