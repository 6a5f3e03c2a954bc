import { parseImageRef, parseTagPattern, readPolicies, type TagPattern } from '@flux-ts/core';

/**
 * A repository the warmer keeps, and what the automated decisions on it order by. A plain string
 * given to `Scanner.start` is a repository that no automated container runs.
 */
export interface ScanDemand {
  /** The repository: its canonical name (`index.docker.io/library/nginx`) or any reference to it. */
  repository: string;
  /**
   * The tag filters (`fluxcd.io/tag.<container>` values, `glob:*` when a container has none) of the
   * automated containers that run this repository. The tags a time-ordered one (`glob:`, `regexp:`)
   * admits need creation times: the scanner fills them before any other tag. `semver:` filters need
   * nothing but the tag list.
   */
  automatedFilters?: readonly string[];
}

/** What {@link scanDemands} reads of a workload (the cluster's `WorkloadStatus` fits). */
export interface DemandingWorkload {
  containers: readonly { name: string; image: string }[];
  /** `metadata.annotations`: the Flux policies (`fluxcd.io/automated`, `fluxcd.io/tag.<container>`). */
  annotations: Readonly<Record<string, string>>;
}

/**
 * The demand of every repository the workloads run, sorted by repository: with the tag filters of
 * the containers that automation may update (automated, not locked, not ignored). Image references
 * that do not parse are left out (nothing to scan).
 */
export function scanDemands(workloads: readonly DemandingWorkload[]): ScanDemand[] {
  const filters = new Map<string, Set<string>>();
  for (const workload of workloads) {
    const policies = readPolicies(workload.annotations);
    const automated = policies.automated && !policies.locked && policies.ignore !== 'true';
    for (const container of workload.containers) {
      let name: string;
      try {
        name = parseImageRef(container.image).canonicalName;
      } catch {
        continue;
      }
      const set = filters.get(name) ?? new Set<string>();
      if (automated) set.add(policies.tagPattern(container.name).raw);
      filters.set(name, set);
    }
  }
  return [...filters.keys()].sort().map((repository) => {
    const automatedFilters = [...(filters.get(repository) ?? [])].sort();
    return automatedFilters.length > 0 ? { repository, automatedFilters } : { repository };
  });
}

/** The time-ordered filters (glob, regexp) of a demand, parsed as Flux v1 reads them (never throws). */
export function timeOrderedFilters(demand: ScanDemand | undefined): TagPattern[] {
  return (demand?.automatedFilters ?? [])
    .map((raw) => parseTagPattern(raw === '' ? 'glob:*' : raw, { lenient: true }))
    .filter((pattern) => pattern.requiresTimestamp);
}
