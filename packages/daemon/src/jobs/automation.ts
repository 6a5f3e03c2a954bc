import {
  type AutomationChange,
  type AutomationChangeJson,
  automationMessage,
  type ContainerUpdate,
  planAutomation,
  planContainersRelease,
  type ReleasePlan,
  type ReleaseResult,
  WorkloadStatus,
} from '@flux-ts/core';
import { NoChangesError } from '@flux-ts/git';
import { planCheckingTargets } from './checked-targets.ts';
import { commitOnHead, writeAndVerify } from './commit-changes.ts';
import type { JobContext } from './context.ts';
import type { EditableClone } from './edit-clone.ts';
import { JobFailure, type JobResult } from './job-queue.ts';
import { clusterWorkloads, repositoriesOf, repoWorkloads } from './planning-inputs.ts';
import { resultToJson } from './wire.ts';

function toPlan(changes: readonly AutomationChange[]): ReleasePlan {
  const byId = new Map<string, ContainerUpdate[]>();
  for (const c of changes) {
    const list = byId.get(c.id) ?? [];
    list.push({ container: c.container, current: c.current, target: c.target });
    byId.set(c.id, list);
  }
  const result: ReleaseResult = {};
  const updates: ReleasePlan['updates'] = [];
  for (const id of [...byId.keys()].sort()) {
    const perContainer = byId.get(id) ?? [];
    result[id] = { status: WorkloadStatus.Success, perContainer };
    updates.push({ id, updates: perContainer });
  }
  return { result, updates };
}

async function planIn(ctx: JobContext, clone: EditableClone, signal?: AbortSignal): Promise<ReleasePlan> {
  const workloads = repoWorkloads(clone.resources.values());
  const cluster = clusterWorkloads(await ctx.listWorkloads(signal));
  const planned = await planCheckingTargets(ctx.scanner, {
    repositories: repositoriesOf(workloads),
    plan: (images) => planAutomation(workloads, images, { cluster }),
    targets: (p) => p.changes.map((c) => c.target),
    logger: ctx.logger,
    signal,
  });
  for (const s of planned.skipped)
    ctx.logger.debug(
      { workload: s.id, container: s.container, reason: s.reason },
      'automation skipped container',
    );
  for (const c of planned.changes)
    ctx.logger.info(
      { workload: c.id, container: c.container, current: c.current, target: c.target },
      'added update to automation run',
    );
  return toPlan(planned.changes);
}

/** The wire form of an automation plan's changes (`auto` spec). */
export function automatedSpec(plan: ReleasePlan): { Changes: AutomationChangeJson[] } {
  return {
    Changes: plan.updates.flatMap(({ id, updates }) =>
      updates.map((u) => ({
        WorkloadID: id,
        Container: { Name: u.container, Image: u.target },
        ImageID: u.target,
      })),
    ),
  };
}

/**
 * One automation pass as one commit: plans on the head (automated, not locked, not ignored; never
 * backwards), writes every change, verifies, commits `Auto-release …` with a note. With `explicit`
 * changes (an `auto` spec submitted over the API) only those are applied, still honouring locks.
 * Fails with `no changes made in repo` when there is nothing to do.
 */
export async function runAutomation(
  ctx: JobContext,
  jobId: string,
  options: { explicit?: readonly AutomationChangeJson[]; signal?: AbortSignal } = {},
): Promise<JobResult> {
  const signal = options.signal;
  try {
    const { commit, value } = await commitOnHead(
      ctx,
      async (clone) => {
        let plan: ReleasePlan;
        if (options.explicit) {
          const containerSpecs: Record<string, { container: string; current: string; target: string }[]> = {};
          for (const c of options.explicit) {
            const list = containerSpecs[c.WorkloadID] ?? [];
            list.push({ container: c.Container.Name, current: '', target: c.Container.Image });
            containerSpecs[c.WorkloadID] = list;
          }
          plan = planContainersRelease(
            { kind: 'execute', containerSpecs, skipMismatches: true, force: false },
            repoWorkloads(clone.resources.values()),
            { cluster: clusterWorkloads(await ctx.listWorkloads(signal)) },
          );
        } else {
          plan = await planIn(ctx, clone, signal);
        }
        if (plan.updates.length === 0) throw new NoChangesError();
        await writeAndVerify(clone, plan, signal);
        const spec = { type: 'auto' as const, cause: { Message: '', User: '' }, spec: automatedSpec(plan) };
        const result = resultToJson(plan.result);
        return {
          message: automationMessage(plan.updates.flatMap((u) => u.updates.map((c) => c.target))),
          note: { jobID: jobId, spec, result },
          value: { spec, result },
        };
      },
      signal ? { signal } : {},
    );
    return { revision: commit.revision, spec: value.spec, result: value.result };
  } catch (err) {
    if (err instanceof NoChangesError) throw new JobFailure('no changes made in repo', {});
    throw err;
  }
}
