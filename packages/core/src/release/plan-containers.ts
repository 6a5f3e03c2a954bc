import { ErrorKind, FluxError } from '../errors.ts';
import { type PlanOptions, sortResult } from './plan-release.ts';
import {
  type ContainerUpdate,
  type ReleaseContainersSpec,
  type ReleasePlan,
  ReleaseReason,
  type ReleaseResult,
  type ReleaseWorkload,
  WorkloadStatus,
} from './types.ts';

/** A containers release could not be done as asked; `result` says, per workload, why. */
export class ContainersReleaseError extends FluxError {
  readonly result: ReleaseResult;

  constructor(message: string, result: ReleaseResult, help: string) {
    super(message, { code: 'release.containers', kind: ErrorKind.User, help });
    this.result = result;
  }
}

/**
 * Plans a release of explicit container targets (Flux v1's `containers` spec). Containers are
 * matched by name. A named container the workload lacks fails that workload; a `current` that is not
 * what the manifest holds fails it too, unless `skipMismatches` (the mismatch is then reported in
 * `error` and the other containers proceed).
 *
 * @throws {ContainersReleaseError} `cannot satisfy specs` when a workload failed, `no changes found`
 * when nothing would change.
 */
export function planContainersRelease(
  spec: ReleaseContainersSpec,
  workloads: readonly ReleaseWorkload[],
  options: PlanOptions = {},
): ReleasePlan {
  const cluster = options.cluster;
  const byId = new Map(workloads.map((w) => [w.id, w]));
  const result: ReleaseResult = {};
  const updates: ReleasePlan['updates'] = [];
  for (const id of Object.keys(spec.containerSpecs).sort()) {
    const workload = byId.get(id);
    if (!workload) {
      result[id] = { status: WorkloadStatus.Skipped, error: ReleaseReason.NotInRepo };
      continue;
    }
    if (!spec.force && workload.locked) {
      result[id] = { status: WorkloadStatus.Skipped, error: ReleaseReason.Locked };
      continue;
    }
    if (!spec.force && (workload.ignored || cluster?.get(id)?.ignored)) {
      result[id] = { status: WorkloadStatus.Skipped, error: ReleaseReason.Ignore };
      continue;
    }
    const missing: string[] = [];
    const mismatched: string[] = [];
    const changes: ContainerUpdate[] = [];
    for (const c of spec.containerSpecs[id] ?? []) {
      const container = workload.containers.find((x) => x.name === c.container);
      if (!container) {
        missing.push(c.container);
        continue;
      }
      if (c.current !== '' && c.current !== container.image) {
        mismatched.push(c.container);
        continue;
      }
      if (c.target !== container.image)
        changes.push({ container: c.container, current: container.image, target: c.target });
    }
    if (missing.length > 0) {
      result[id] = {
        status: WorkloadStatus.Failed,
        error: `${ReleaseReason.ContainerNotFound}: ${missing.join(', ')}`,
      };
    } else if (mismatched.length > 0 && !spec.skipMismatches) {
      result[id] = {
        status: WorkloadStatus.Failed,
        error: `${ReleaseReason.ContainerTagMismatch}: ${mismatched.join(', ')}`,
      };
    } else if (changes.length > 0) {
      result[id] = {
        status: WorkloadStatus.Success,
        ...(mismatched.length > 0
          ? { error: `${ReleaseReason.ContainerTagMismatch}: ${mismatched.join(', ')}` }
          : {}),
        perContainer: changes,
      };
      updates.push({ id, updates: changes });
    } else {
      result[id] = { status: WorkloadStatus.Skipped, error: ReleaseReason.ImageUpToDate };
    }
  }
  const sorted = sortResult(result);
  if (Object.values(sorted).some((r) => r.status === WorkloadStatus.Failed)) {
    throw new ContainersReleaseError(
      'cannot satisfy specs',
      sorted,
      'See the result of each workload: name existing containers, and give their current images (or none).',
    );
  }
  if (updates.length === 0) {
    throw new ContainersReleaseError(
      'no changes found',
      sorted,
      'Every container already runs its target image.',
    );
  }
  return { result: sorted, updates };
}
