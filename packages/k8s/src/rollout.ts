/** Flux v1's rollout numbers of a workload. */
export interface Rollout {
  desired: number;
  updated: number;
  ready: number;
  available: number;
  outdated: number;
  messages: string[];
}

/** Rollout and status string of a workload object, derived as Flux v1 does per kind. */
export interface RolloutStatus {
  status: string;
  rollout: Rollout;
}

type Obj = {
  metadata?: { generation?: number };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
};

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const zero: Rollout = { desired: 0, updated: 0, ready: 0, available: 0, outdated: 0, messages: [] };

function statusOf(o: Obj, r: Rollout, readyWhen: boolean): string {
  if (num(o.status?.observedGeneration) < num(o.metadata?.generation)) return 'started';
  if (r.messages.length > 0) return 'error';
  return readyWhen ? 'ready' : 'updating';
}

/** Computes `Status` and `Rollout` for Deployment, DaemonSet, StatefulSet, CronJob and HelmRelease objects. */
export function rolloutStatus(kind: string, object: unknown): RolloutStatus {
  const o = object as Obj;
  const s = o.status ?? {};
  switch (kind) {
    case 'Deployment': {
      const conditions =
        (s.conditions as { type: string; status: string; message?: string }[] | undefined) ?? [];
      const messages = conditions
        .filter(
          (c) =>
            (c.type === 'Progressing' && c.status === 'False') ||
            (c.type === 'ReplicaFailure' && c.status === 'True'),
        )
        .map((c) => c.message ?? '');
      const desired = typeof o.spec?.replicas === 'number' ? o.spec.replicas : 1;
      const r = {
        desired,
        updated: num(s.updatedReplicas),
        ready: num(s.readyReplicas),
        available: num(s.availableReplicas),
        outdated: num(s.replicas) - num(s.updatedReplicas),
        messages,
      };
      return {
        status: statusOf(o, r, r.updated === desired && r.available === desired && r.outdated === 0),
        rollout: r,
      };
    }
    case 'DaemonSet': {
      const r = {
        desired: num(s.desiredNumberScheduled),
        updated: num(s.updatedNumberScheduled),
        ready: num(s.numberReady),
        available: num(s.numberAvailable),
        outdated: num(s.currentNumberScheduled) - num(s.updatedNumberScheduled),
        messages: [],
      };
      return {
        status: statusOf(o, r, r.updated === r.desired && r.available === r.desired && r.outdated === 0),
        rollout: r,
      };
    }
    case 'StatefulSet': {
      const replicas = typeof o.spec?.replicas === 'number' ? o.spec.replicas : 1;
      const strategy = o.spec?.updateStrategy as { rollingUpdate?: { partition?: number } } | undefined;
      const desired = Math.max(0, replicas - num(strategy?.rollingUpdate?.partition));
      const updated =
        s.currentRevision !== s.updateRevision ? num(s.updatedReplicas) : num(s.currentReplicas);
      const ready = num(s.readyReplicas);
      const r = { desired, updated, ready, available: ready, outdated: desired - updated, messages: [] };
      return {
        status: statusOf(o, r, updated === desired && ready === replicas && r.outdated === 0),
        rollout: r,
      };
    }
    case 'HelmRelease':
      return { status: typeof s.releaseStatus === 'string' ? s.releaseStatus : '', rollout: zero };
    default:
      return { status: 'ready', rollout: zero };
  }
}
