import { GC_MARK_LABEL, gcMark, SYNC_CHECKSUM_ANNOTATION } from './gc-mark.ts';
import { byApplyOrder } from './kind-rank.ts';

/** A live object as garbage collection sees it: identity, labels and annotations only. */
export interface LiveObject {
  /** Resource ID, `namespace:kind/name`. */
  id: string;
  /** The group version it was listed under (for the delete request). */
  apiVersion?: string;
  kind: string;
  name: string;
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
}

/** Options of {@link planGarbageCollection}. */
export interface GcPlanOptions {
  syncSetName: string;
  /** How many manifests failed to load in this sync: any, and nothing is deleted. */
  loadErrors?: number;
  /** `--sync-garbage-collection-max`: refuse to delete more than this many objects in one sync. */
  maxDeletions?: number;
}

/** What garbage collection would do. */
export interface GcPlan {
  /** Objects to delete, in deletion order (reverse apply order). */
  delete: LiveObject[];
  /** Objects left alone, and why (Flux v1's log texts). */
  skipped: { id: string; reason: string }[];
  /** Set when the whole collection is refused (load errors, budget); `delete` is then empty. */
  refused?: string;
}

const ignored = (annotations: Readonly<Record<string, string>>): boolean =>
  ['fluxcd.io/ignore', 'flux.weave.works/ignore'].some(
    (k) => annotations[k] === 'true' || annotations[k] === 'sync_only',
  );

/**
 * Plans garbage collection, purely: among live objects carrying our mark **for their own ID in this
 * sync set** (a copied label or another fluxd's object is not ours), delete those git no longer
 * holds — unless they are `ignore`d — and leave those whose checksum is not the one we applied.
 * Refuses everything while any manifest failed to load (we must never delete what we could not
 * read), and when the deletions would exceed the budget.
 *
 * @param desired checksums by resource ID of everything git holds in this sync.
 */
export function planGarbageCollection(
  live: readonly LiveObject[],
  desired: ReadonlyMap<string, string>,
  options: GcPlanOptions,
): GcPlan {
  const skipped: GcPlan['skipped'] = [];
  const doomed: LiveObject[] = [];
  for (const object of live) {
    if (object.labels[GC_MARK_LABEL] !== gcMark(options.syncSetName, object.id)) continue;
    const checksum = desired.get(object.id);
    if (checksum === undefined) {
      if (ignored(object.annotations))
        skipped.push({ id: object.id, reason: 'ignore annotation on cluster resource' });
      else doomed.push(object);
    } else if (object.annotations[SYNC_CHECKSUM_ANNOTATION] !== checksum) {
      skipped.push({ id: object.id, reason: 'resource to be synced has not been updated; skipping' });
    }
  }
  doomed.sort(byApplyOrder).reverse();
  if (options.loadErrors && options.loadErrors > 0) {
    return {
      delete: [],
      skipped,
      refused: `garbage collection skipped: ${options.loadErrors} manifest(s) failed to load`,
    };
  }
  if (options.maxDeletions !== undefined && doomed.length > options.maxDeletions) {
    return {
      delete: [],
      skipped,
      refused: `garbage collection refused: ${doomed.length} objects to delete, over the budget of ${options.maxDeletions} (--sync-garbage-collection-max): ${doomed.map((o) => o.id).join(', ')}`,
    };
  }
  return { delete: doomed, skipped };
}
