import { type Clock, type Logger, noopLogger, type Resource, systemClock } from '@flux-ts/core';
import pLimit from 'p-limit';
import { syncChecksum } from './checksum.ts';
import { type ApiResource, Discovery } from './discovery.ts';
import { GC_MARK_LABEL, gcMark, SYNC_CHECKSUM_ANNOTATION } from './gc-mark.ts';
import { type GcPlan, type LiveObject, planGarbageCollection } from './gc-plan.ts';
import { byApplyOrder } from './kind-rank.ts';
import type { KubeClient } from './kube-client.ts';
import { kubectlApply } from './kubectl-applier.ts';
import { kubeRequest } from './rest.ts';

/** What a sync did to one resource. */
export const ChangeAction = {
  Created: 'created',
  Configured: 'configured',
  Unchanged: 'unchanged',
  Deleted: 'deleted',
  Skipped: 'skipped',
  Failed: 'failed',
} as const;
export type ChangeAction = (typeof ChangeAction)[keyof typeof ChangeAction];

export interface Change {
  id: string;
  action: ChangeAction;
  /** Why (the API server's message for `failed`). */
  reason?: string;
}

/** The outcome of a sync: one change per resource (and per collected object), sorted by ID. */
export interface ChangeSet {
  changes: Change[];
  /** The garbage-collection plan, when collection ran (or was refused). */
  gc?: GcPlan;
}

/** Options of {@link syncResources}. */
export interface SyncOptions {
  syncSetName: string;
  /** Apply everything, even objects whose live copy carries the same checksum (the periodic full pass). */
  force?: boolean;
  /** Garbage collection: off unless given. */
  gc?: { dryRun?: boolean; maxDeletions?: number };
  /** How many manifests failed to load: collection never runs then. */
  loadErrors?: number;
  concurrency?: number;
  fieldManager?: string;
  signal?: AbortSignal;
  logger?: Logger;
  discovery?: Discovery;
  /** Time for the wait on CRDs; default the system clock. */
  clock?: Clock;
  /** `--kubernetes-kubectl`: apply with this kubectl (`apply --server-side`) instead of the API, for parity. */
  kubectl?: string;
  /** `--k8s-allow-namespace`: namespaced objects only in these, Namespace objects only of these names (default: all). */
  allowNamespaces?: readonly string[];
  /** `--k8s-unsafe-exclude-resource` globs over `<group>/<version>/` and `<group>/<version>/<Kind>`. */
  excludeResources?: readonly string[];
  /**
   * Resources that are in git but known not to have changed since the last sync (ID → checksum):
   * not applied, reported `unchanged`, and kept by garbage collection. For incremental syncs that
   * read only the files that changed.
   */
  unchanged?: ReadonlyMap<string, string>;
}

/** Flux v1's default `--k8s-unsafe-exclude-resource`. */
export const DEFAULT_EXCLUDE_RESOURCES: readonly string[] = [
  '*metrics.k8s.io/*',
  'webhook.certmanager.k8s.io/*',
  'v1/Event',
];

function globs(patterns: readonly string[]): (s: string) => boolean {
  const res = patterns.map(
    (p) =>
      new RegExp(
        `^${p
          .split('*')
          .map((x) => x.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
          .join('.*')}$`,
      ),
  );
  return (s) => res.some((re) => re.test(s));
}

/** Whether a kind is left alone by `--k8s-unsafe-exclude-resource` (and the kinds Flux v1 never lists). */
export function excludedKind(
  apiVersion: string,
  kind: string,
  patterns: readonly string[] = DEFAULT_EXCLUDE_RESOURCES,
): boolean {
  if (apiVersion === 'v1' && (kind === 'ComponentStatus' || kind === 'Endpoints')) return true;
  const match = globs(patterns);
  return match(`${apiVersion}/`) || match(`${apiVersion}/${kind}`);
}

const isIgnored = (annotations: Readonly<Record<string, string | undefined>> | undefined): boolean =>
  ['fluxcd.io/ignore', 'flux.weave.works/ignore'].some((k) => annotations?.[k] === 'true');

interface Marked {
  id: string;
  apiVersion: string;
  kind: string;
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

function objectPath(r: ApiResource, namespace: string | undefined, name?: string): string {
  const base = r.apiVersion.includes('/') ? `/apis/${r.apiVersion}` : `/api/${r.apiVersion}`;
  const ns = r.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${r.resource}${name ? `/${encodeURIComponent(name)}` : ''}`;
}

/** Lists, cluster-wide and page by page, the objects of a kind that carry our mark label. */
async function listMarked(
  client: KubeClient,
  r: ApiResource,
  signal?: AbortSignal,
  namespace?: string,
): Promise<Marked[]> {
  const out: Marked[] = [];
  let cont = '';
  do {
    const query = new URLSearchParams({
      labelSelector: GC_MARK_LABEL,
      limit: '500',
      ...(cont ? { continue: cont } : {}),
    });
    const res = await kubeRequest(client.connection, {
      path: `${objectPath(r, namespace)}?${query}`,
      ...(signal ? { signal } : {}),
    });
    if (res.status !== 200) return out; // forbidden or gone: tolerated, as Flux v1 does
    const body = res.body as {
      metadata?: { continue?: string };
      items?: {
        metadata?: {
          name?: string;
          namespace?: string;
          labels?: Record<string, string>;
          annotations?: Record<string, string>;
          ownerReferences?: unknown[];
        };
      }[];
    };
    for (const item of body.items ?? []) {
      const m = item.metadata ?? {};
      if (!m.name || (m.ownerReferences && m.ownerReferences.length > 0)) continue;
      const ns = r.namespaced ? (m.namespace ?? '') : '<cluster>';
      out.push({
        id: `${ns}:${r.kind.toLowerCase()}/${m.name}`,
        apiVersion: r.apiVersion,
        kind: r.kind,
        name: m.name,
        labels: m.labels ?? {},
        annotations: m.annotations ?? {},
      });
    }
    cont = body.metadata?.continue ?? '';
  } while (cont);
  return out;
}

/**
 * Applies resources to the cluster with server-side apply, in stages (namespaces and CRDs first, then
 * the rest once the CRDs are established), stamping each with Flux v1's garbage-collection mark and
 * checksum. One failing object never stops the others; an object whose live copy already carries the
 * same checksum is left alone unless `force`. With `gc`, then collects what this sync set created and
 * git no longer holds (never while a manifest failed to load).
 */
export async function syncResources(
  client: KubeClient,
  resources: readonly Resource[],
  options: SyncOptions,
): Promise<ChangeSet> {
  const log = options.logger ?? noopLogger;
  const discovery = options.discovery ?? new Discovery(client.connection);
  const signal = options.signal;
  const manager = options.fieldManager ?? 'flux';
  const limit = pLimit(options.concurrency ?? 8);
  const changes: Change[] = [];
  const desired = new Map<string, string>();
  // Promises, so concurrent applies of one kind share one listing instead of each listing it.
  const liveByKind = new Map<string, Promise<Map<string, Marked>>>();

  const allowed =
    options.allowNamespaces && options.allowNamespaces.length > 0
      ? new Set(options.allowNamespaces)
      : undefined;
  const live = (r: ApiResource): Promise<Map<string, Marked>> => {
    const key = `${r.apiVersion}:${r.kind}`;
    let found = liveByKind.get(key);
    if (!found) {
      // With allowed namespaces, namespaced kinds are read only there (fluxd may not list cluster-wide).
      const scopes = allowed && r.namespaced ? [...allowed] : [undefined];
      found = Promise.all(scopes.map((ns) => listMarked(client, r, signal, ns))).then(
        (lists) => new Map(lists.flat().map((m) => [m.id, m])),
      );
      liveByKind.set(key, found);
    }
    return found;
  };

  const inAllowedNamespace = (r: { kind: string; name: string; namespace: string | undefined }): boolean =>
    !allowed ||
    (r.kind === 'Namespace' ? allowed.has(r.name) : r.namespace === undefined || allowed.has(r.namespace));

  const applyOne = async (resource: Resource): Promise<void> => {
    const id = resource.id.toString();
    if (!inAllowedNamespace(resource)) {
      changes.push({
        id,
        action: ChangeAction.Skipped,
        reason: 'not applying resources; excluded by namespace constraints',
      });
      return;
    }
    // Recorded before the ignore check, as Flux v1 does: an ignored resource is still in git, so
    // garbage collection must not take its live copy.
    const checksum = syncChecksum(resource.object);
    desired.set(id, checksum);
    if (isIgnored(resource.annotations)) {
      changes.push({ id, action: ChangeAction.Skipped, reason: 'ignore annotation in file' });
      return;
    }
    try {
      const r = await discovery.find(resource.apiVersion, resource.kind, signal);
      if (!r) {
        changes.push({
          id,
          action: ChangeAction.Failed,
          reason: `the cluster serves no ${resource.kind} in ${resource.apiVersion}`,
        });
        return;
      }
      const current = (await live(r)).get(id);
      if (current && isIgnored(current.annotations)) {
        changes.push({ id, action: ChangeAction.Skipped, reason: 'ignore annotation in cluster resource' });
        return;
      }
      const mark = gcMark(options.syncSetName, id);
      if (
        !options.force &&
        current?.annotations[SYNC_CHECKSUM_ANNOTATION] === checksum &&
        current.labels[GC_MARK_LABEL] === mark
      ) {
        changes.push({ id, action: ChangeAction.Unchanged });
        return;
      }
      const object = structuredClone(resource.object) as { metadata?: Record<string, unknown> };
      const metadata: Record<string, unknown> = object.metadata ?? {};
      object.metadata = metadata;
      metadata.labels = { ...(metadata.labels as Record<string, string> | undefined), [GC_MARK_LABEL]: mark };
      metadata.annotations = {
        ...(metadata.annotations as Record<string, string> | undefined),
        [SYNC_CHECKSUM_ANNOTATION]: checksum,
      };
      if (r.namespaced) metadata.namespace = resource.namespace;
      else delete metadata.namespace;
      if (options.kubectl) {
        viaKubectl.push({ id, object });
        return;
      }
      const res = await kubeRequest(client.connection, {
        method: 'PATCH',
        path: `${objectPath(r, resource.namespace, resource.name)}?fieldManager=${encodeURIComponent(manager)}&force=true`,
        body: object,
        contentType: 'application/apply-patch+yaml',
        ...(signal ? { signal } : {}),
      });
      if (res.status === 201) changes.push({ id, action: ChangeAction.Created });
      else if (res.status === 200) changes.push({ id, action: ChangeAction.Configured });
      else {
        const message = (res.body as { message?: string } | undefined)?.message ?? `HTTP ${res.status}`;
        changes.push({ id, action: ChangeAction.Failed, reason: message });
      }
    } catch (err) {
      changes.push({ id, action: ChangeAction.Failed, reason: (err as Error).message });
    }
  };

  // With `kubectl`, objects that need applying are collected per stage and applied in one call.
  let viaKubectl: { id: string; object: Record<string, unknown> }[] = [];
  const flushKubectl = async (): Promise<void> => {
    if (!options.kubectl || viaKubectl.length === 0) return;
    const batch = viaKubectl;
    viaKubectl = [];
    const results = await kubectlApply(
      options.kubectl,
      client.connection,
      batch.map((b) => b.object),
      { fieldManager: manager, ...(signal ? { signal } : {}) },
    );
    batch.forEach((b, i) => {
      const r = results[i];
      changes.push(
        r?.ok
          ? { id: b.id, action: ChangeAction.Configured }
          : { id: b.id, action: ChangeAction.Failed, reason: r?.error ?? 'kubectl failed' },
      );
    });
  };

  for (const [id, checksum] of options.unchanged ?? []) {
    if (desired.has(id)) continue;
    desired.set(id, checksum);
    changes.push({ id, action: ChangeAction.Unchanged });
  }
  const ordered = [...resources].sort((a, b) => byApplyOrder(a, b));
  const first = ordered.filter((r) => r.kind === 'Namespace' || r.kind === 'CustomResourceDefinition');
  const rest = ordered.filter((r) => !first.includes(r));
  await Promise.all(first.map((r) => limit(() => applyOne(r))));
  await flushKubectl();
  const crds = first.filter((r) => r.kind === 'CustomResourceDefinition');
  if (crds.length > 0) {
    await waitEstablished(
      client,
      crds.map((c) => c.name),
      options.clock ?? systemClock,
      signal,
    );
    discovery.invalidate();
  }
  await Promise.all(rest.map((r) => limit(() => applyOne(r))));
  await flushKubectl();

  let gc: GcPlan | undefined;
  if (options.gc) {
    const marked: LiveObject[] = [];
    // One discovery pass for both the reads and the deletions.
    const listable = await discovery.listable(signal);
    for (const r of listable) {
      if (excludedKind(r.apiVersion, r.kind, options.excludeResources)) continue;
      for (const object of (await live(r)).values()) {
        const [ns] = object.id.split(':');
        if (
          inAllowedNamespace({
            kind: object.kind,
            name: object.name,
            namespace: ns === '<cluster>' ? undefined : ns,
          })
        )
          marked.push(object);
      }
    }
    gc = planGarbageCollection(marked, desired, {
      syncSetName: options.syncSetName,
      ...(options.loadErrors === undefined ? {} : { loadErrors: options.loadErrors }),
      ...(options.gc.maxDeletions === undefined ? {} : { maxDeletions: options.gc.maxDeletions }),
    });
    if (gc.refused) log.warn({ reason: gc.refused }, 'garbage collection refused');
    for (const doomed of gc.delete) {
      if (options.gc.dryRun) {
        log.info({ id: doomed.id }, 'cluster resource not in resources to be synced; would delete (dry run)');
        continue;
      }
      const r = listable.find((x) => x.kind === doomed.kind && x.apiVersion === doomed.apiVersion);
      const [ns] = doomed.id.split(':');
      if (!r) continue;
      const res = await kubeRequest(client.connection, {
        method: 'DELETE',
        path: `${objectPath(r, ns === '<cluster>' ? undefined : ns, doomed.name)}?propagationPolicy=Background`,
        ...(signal ? { signal } : {}),
      });
      changes.push(
        res.status === 200 || res.status === 202 || res.status === 404
          ? { id: doomed.id, action: ChangeAction.Deleted }
          : {
              id: doomed.id,
              action: ChangeAction.Failed,
              reason: (res.body as { message?: string } | undefined)?.message ?? `HTTP ${res.status}`,
            },
      );
    }
  }
  changes.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return gc ? { changes, gc } : { changes };
}

/** Waits (up to 30 s) until the named CRDs are Established. */
async function waitEstablished(
  client: KubeClient,
  names: readonly string[],
  clock: Clock,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = clock.now() + 30_000;
  for (const name of names) {
    while (clock.now() < deadline) {
      const res = await kubeRequest(client.connection, {
        path: `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${encodeURIComponent(name)}`,
        ...(signal ? { signal } : {}),
      });
      const conditions =
        (res.body as { status?: { conditions?: { type: string; status: string }[] } } | undefined)?.status
          ?.conditions ?? [];
      if (conditions.some((c) => c.type === 'Established' && c.status === 'True')) break;
      await clock.sleep(100, signal);
    }
  }
}
