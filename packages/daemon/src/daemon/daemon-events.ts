import type { UpdateSpecJson } from '@flux-ts/core';
import {
  type AutoReleaseEvent,
  type CommitEvent,
  type Event,
  EventLogLevel,
  EventType,
  eventTime,
  NONE_OF_THE_ABOVE,
  type ReleaseEvent,
  ReleaseSpecType,
  type SyncEvent,
} from '../events/event.ts';
import type { JobResult } from '../jobs/job-queue.ts';
import type { SyncOutcome } from '../sync/sync-pipeline.ts';

const time = (ms: number): string => eventTime(new Date(ms));

/** Workload IDs of a job result. */
function resultIds(result: JobResult['result']): string[] {
  return Object.keys(result ?? {}).sort();
}

/**
 * The events of a sync (Flux v1 §5.6): one `sync` event listing the commits and the resources that
 * changed, then one event per release or automation note found on those commits.
 */
export function syncEvents(outcome: SyncOutcome, now: number): Event[] {
  const started = now - outcome.durationMs;
  const changed = outcome.changes.changes
    .filter((c) => c.action === 'created' || c.action === 'configured' || c.action === 'deleted')
    .map((c) => c.id)
    .sort();
  const includes: Record<string, boolean> = {};
  const noted = new Set(outcome.notes.map((n) => n.revision));
  for (const c of outcome.commits) if (!noted.has(c.revision)) includes[NONE_OF_THE_ABOVE] = true;
  const out: Event[] = [];
  const extra: Event[] = [];
  for (const { revision, note } of outcome.notes) {
    const spec = note.spec as UpdateSpecJson | undefined;
    const result = (note.result ?? null) as ReleaseEvent['metadata']['result'];
    if (spec?.type === 'image' || spec?.type === 'containers') {
      includes.release = true;
      const event: ReleaseEvent = {
        id: 0,
        serviceIDs: resultIds(result ?? undefined),
        type: EventType.Release,
        startedAt: time(started),
        endedAt: time(now),
        logLevel: EventLogLevel.Info,
        metadata: {
          Revision: revision,
          result,
          spec: {
            Type: spec.type === 'image' ? ReleaseSpecType.Image : ReleaseSpecType.Containers,
            ReleaseImageSpec: spec.type === 'image' ? spec.spec : null,
            ReleaseContainersSpec: spec.type === 'containers' ? spec.spec : null,
          },
          cause: spec.cause ?? { Message: '', User: '' },
        },
      };
      extra.push(event);
    } else if (spec?.type === 'auto') {
      includes.autorelease = true;
      const event: AutoReleaseEvent = {
        id: 0,
        serviceIDs: resultIds(result ?? undefined),
        type: EventType.AutoRelease,
        startedAt: time(started),
        endedAt: time(now),
        logLevel: EventLogLevel.Info,
        metadata: { Revision: revision, result, spec: spec.spec },
      };
      extra.push(event);
    } else if (spec?.type === 'policy') {
      includes.update_policy = true;
    }
  }
  const errors = outcome.changes.changes
    .filter((c) => c.action === 'failed')
    .map((c) => ({ ID: c.id, Path: '', Error: c.reason ?? 'failed' }));
  const sync: SyncEvent = {
    id: 0,
    serviceIDs: changed,
    type: EventType.Sync,
    startedAt: time(started),
    endedAt: time(now),
    logLevel: errors.length > 0 ? EventLogLevel.Warn : EventLogLevel.Info,
    metadata: {
      ...(outcome.commits.length > 0
        ? { commits: outcome.commits.map((c) => ({ revision: c.revision, message: c.subject })) }
        : {}),
      ...(Object.keys(includes).length > 0 ? { includes } : {}),
      ...(errors.length > 0 ? { errors } : {}),
      ...(outcome.previous === undefined ? { initialSync: true } : {}),
    },
  };
  out.push(sync, ...extra);
  return out;
}

/** The `commit` event logged after a job pushed. */
export function commitEvent(result: JobResult, started: number, now: number): CommitEvent {
  return {
    id: 0,
    serviceIDs: resultIds(result.result),
    type: EventType.Commit,
    startedAt: time(started),
    endedAt: time(now),
    logLevel: EventLogLevel.Info,
    metadata: result,
  };
}
