import { type Logger, noopLogger, workloadContainers } from '@flux-ts/core';
import { KubeApiError } from './errors.ts';
import type { KubeClient } from './kube-client.ts';
import { kubeRequest } from './rest.ts';
import { type Rollout, rolloutStatus } from './rollout.ts';

/** A workload as the cluster runs it (the cluster half of Flux v1's `ControllerStatus`). */
export interface WorkloadStatus {
  id: string;
  kind: string;
  namespace: string;
  name: string;
  /** Pod template containers, then init containers, with the images the cluster runs. */
  containers: { name: string; image: string }[];
  status: string;
  rollout: Rollout;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** `helm.fluxcd.io/antecedent`, '' if none. */
  antecedent: string;
}

/** Options of {@link listWorkloads}. */
export interface ListWorkloadsOptions {
  /** `--k8s-allow-namespace`: only these namespaces (default: all). */
  namespaces?: readonly string[];
  signal?: AbortSignal;
  /** Where a kind fluxd may not list (403) is reported; the other kinds are still listed. */
  logger?: Logger;
}

const kinds = [
  {
    kind: 'Deployment',
    path: '/apis/apps/v1',
    resource: 'deployments',
    podSpec: ['spec', 'template', 'spec'],
  },
  { kind: 'DaemonSet', path: '/apis/apps/v1', resource: 'daemonsets', podSpec: ['spec', 'template', 'spec'] },
  {
    kind: 'StatefulSet',
    path: '/apis/apps/v1',
    resource: 'statefulsets',
    podSpec: ['spec', 'template', 'spec'],
  },
  {
    kind: 'CronJob',
    path: '/apis/batch/v1',
    resource: 'cronjobs',
    podSpec: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  },
  { kind: 'HelmRelease', path: '/apis/helm.fluxcd.io/v1', resource: 'helmreleases', podSpec: [] },
] as const;

type Item = {
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
} & Record<string, unknown>;

function at(object: unknown, path: readonly string[]): unknown {
  let node = object;
  for (const key of path)
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  return node;
}

/** kube-system add-ons Flux v1 leaves out of the list. */
function isAddon(labels: Record<string, string>): boolean {
  const mode = labels['addonmanager.kubernetes.io/mode'];
  return (
    labels['kubernetes.io/cluster-service'] === 'true' || mode === 'EnsureExists' || mode === 'Reconcile'
  );
}

/**
 * Lists Deployments, DaemonSets, StatefulSets, CronJobs and `helm.fluxcd.io/v1` HelmReleases in the
 * allowed namespaces with their containers and rollout status, sorted by ID. A kind the cluster does
 * not serve (no HelmRelease CRD) is simply absent.
 */
export async function listWorkloads(
  client: KubeClient,
  options: ListWorkloadsOptions = {},
): Promise<WorkloadStatus[]> {
  const scopes = options.namespaces && options.namespaces.length > 0 ? options.namespaces : [undefined];
  const out: WorkloadStatus[] = [];
  for (const k of kinds) {
    for (const ns of scopes) {
      const path = `${k.path}${ns ? `/namespaces/${encodeURIComponent(ns)}` : ''}/${k.resource}`;
      const res = await kubeRequest(client.connection, {
        path,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (res.status === 404) continue;
      if (res.status === 403) {
        // Restricted RBAC: as Flux v1, the kinds fluxd may read are still listed.
        const reason = (res.body as { message?: string } | undefined)?.message ?? 'forbidden';
        (options.logger ?? noopLogger).warn(
          { resource: k.resource, ...(ns ? { namespace: ns } : {}), reason },
          'not allowed to list workloads of this kind; left out',
        );
        continue;
      }
      if (res.status !== 200) {
        const reason = (res.body as { message?: string } | undefined)?.message ?? 'no message';
        throw new KubeApiError(
          `cannot list ${k.resource}${ns ? ` in namespace ${ns}` : ''}`,
          res.status,
          reason,
        );
      }
      for (const item of ((res.body as { items?: Item[] }).items ?? []) as Item[]) {
        const m = item.metadata ?? {};
        const labels = m.labels ?? {};
        if (!m.name || !m.namespace || isAddon(labels)) continue;
        const containers: { name: string; image: string }[] = [];
        // A HelmRelease's images are in its values (every shape Flux v1 reads: `image`, `image` with
        // `tag`/`registry` siblings, named keys, the mapping annotations), as in git.
        if (k.kind === 'HelmRelease') {
          for (const c of workloadContainers(
            'HelmRelease',
            item as Record<string, unknown>,
            m.annotations ?? {},
          ) ?? [])
            containers.push({ name: c.name, image: c.image });
        }
        for (const field of k.kind === 'HelmRelease' ? [] : ['containers', 'initContainers']) {
          const list = at(item, [...k.podSpec, field]);
          if (!Array.isArray(list)) continue;
          for (const c of list as { name?: string; image?: string }[])
            if (c.name && c.image) containers.push({ name: c.name, image: c.image });
        }
        const { status, rollout } = rolloutStatus(k.kind, item);
        out.push({
          id: `${m.namespace}:${k.kind.toLowerCase()}/${m.name}`,
          kind: k.kind,
          namespace: m.namespace,
          name: m.name,
          containers,
          status,
          rollout,
          labels,
          annotations: m.annotations ?? {},
          antecedent: m.annotations?.['helm.fluxcd.io/antecedent'] ?? '',
        });
      }
    }
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
