import {
  type ContainerJson,
  type ControllerStatusJson,
  Policy,
  PolicySet,
  parseImageRef,
  ReadOnlyReason,
  type Resource,
  readPolicies,
} from '@flux-ts/core';
import type { WorkloadStatus } from '@flux-ts/k8s';

/** The git side's state, for `ReadOnly` of workloads that are not in the repo. */
export const RepoState = {
  /** The mirror is cloned and the manifests are read. */
  Ready: 'ready',
  /** A `--git-url` is configured, but the mirror is not ready (yet). */
  NotReady: 'not-ready',
  /** No `--git-url`. */
  NoRepo: 'no-repo',
} as const;
export type RepoState = (typeof RepoState)[keyof typeof RepoState];

/** What {@link buildServiceStatuses} reads. */
export interface ServiceStatusInput {
  /** The workloads as the cluster runs them (already filtered by namespace / ID). */
  workloads: readonly WorkloadStatus[];
  /** The repo's resources by resource ID; undefined when the repo is not ready. */
  repo: ReadonlyMap<string, Resource> | undefined;
  repoState: RepoState;
  /** `--git-readonly`. */
  readOnly: boolean;
  /** The last apply error per resource ID. */
  syncErrors: ReadonlyMap<string, string>;
}

const byId = (a: { ID: string }, b: { ID: string }): number => (a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0);

/** Object with its keys sorted, as Go encodes a map; null when empty (a nil map). */
function sortedOrNull(record: Readonly<Record<string, string>>): Record<string, string> | null {
  const keys = Object.keys(record).sort();
  return keys.length === 0 ? null : Object.fromEntries(keys.map((k) => [k, record[k] as string]));
}

/** Containers then init containers with the image as running; none at all if one does not parse. */
function containersOf(workload: WorkloadStatus): ContainerJson[] {
  const out: ContainerJson[] = [];
  for (const c of workload.containers) {
    let id: string;
    try {
      id = parseImageRef(c.image).toString();
    } catch {
      return []; // Flux v1: a workload with an unparsable image lists no containers
    }
    out.push({ Name: c.name, Current: { ID: id, Labels: {} }, LatestFiltered: { ID: '', Labels: {} } });
  }
  return out;
}

/**
 * Builds the answer of `GET /v6/services` / `/v11/services` (Flux v1's `ControllerStatus`, `flux-v1.md`
 * §1.4.4): cluster workloads, with the policies of the manifest of the same ID in git (both policy
 * prefixes), why each is read-only, and the last sync error. Sorted by ID.
 */
export function buildServiceStatuses(input: ServiceStatusInput): ControllerStatusJson[] {
  const missing: ReadOnlyReason =
    input.repoState === RepoState.NoRepo
      ? ReadOnlyReason.NoRepo
      : input.repoState === RepoState.NotReady || input.repo === undefined
        ? ReadOnlyReason.NotReady
        : ReadOnlyReason.NotInRepo;
  const out = input.workloads.map((w): ControllerStatusJson => {
    const resource = input.repoState === RepoState.NoRepo ? undefined : input.repo?.get(w.id);
    const policies = resource ? readPolicies(resource.annotations) : PolicySet.EMPTY;
    const readOnly: ReadOnlyReason = !resource
      ? missing
      : input.readOnly
        ? ReadOnlyReason.ReadOnlyMode
        : ReadOnlyReason.None;
    const r = w.rollout;
    // Built in Flux v1's key order: clients may compare bytes.
    return {
      ID: w.id,
      Containers: containersOf(w),
      ReadOnly: readOnly,
      Status: w.status,
      Rollout: {
        Desired: r.desired,
        Updated: r.updated,
        Ready: r.ready,
        Available: r.available,
        Outdated: r.outdated,
        Messages: r.messages.length > 0 ? [...r.messages] : null,
      },
      SyncError: input.syncErrors.get(w.id) ?? '',
      Antecedent: w.antecedent,
      Labels: sortedOrNull(w.labels),
      Automated: policies.automated,
      Locked: policies.locked,
      Ignore: policies.has(Policy.Ignore),
      Policies: policies.toJSON(),
    };
  });
  return out.sort(byId);
}
