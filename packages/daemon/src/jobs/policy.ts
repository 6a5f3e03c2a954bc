import {
  type PolicyUpdate,
  type PolicyUpdatesJson,
  policyMessage,
  ReleaseReason,
  requestsAutomation,
  type UpdateSpecJson,
  type WorkloadResultJson,
  WorkloadStatus,
} from '@flux-ts/core';
import { NoChangesError } from '@flux-ts/git';
import { commitOnHead, VerifyChangesError } from './commit-changes.ts';
import type { JobContext } from './context.ts';
import { JobFailure, type JobResult } from './job-queue.ts';
import { authorOf } from './release.ts';

/** A policy set may be sent as a list of names (each meaning "true"), as Flux v1 accepts. */
function asMap(value: Record<string, string> | readonly string[] | undefined): Record<string, string> {
  if (!value) return {};
  if (Array.isArray(value)) return Object.fromEntries(value.map((name) => [name, 'true']));
  return { ...(value as Record<string, string>) };
}

/** Normalises a wire policy spec into core's updates, keys sorted. */
export function policyUpdates(spec: PolicyUpdatesJson): Record<string, PolicyUpdate> {
  const out: Record<string, PolicyUpdate> = {};
  for (const id of Object.keys(spec).sort()) {
    const u = spec[id];
    out[id] = { add: asMap(u?.add), remove: asMap(u?.remove) };
  }
  return out;
}

/**
 * A policy change (`fluxctl automate`, `lock`, `policy --tag …`): edits the annotations in git, one
 * commit for all workloads, with a note. Returns whether the change turned automation on somewhere.
 */
export async function runPolicyUpdate(
  ctx: JobContext,
  spec: Extract<UpdateSpecJson, { type: 'policy' }>,
  jobId: string,
  signal?: AbortSignal,
): Promise<{ result: JobResult; automationRequested: boolean }> {
  const updates = policyUpdates(spec.spec);
  const cause = { message: spec.cause?.Message ?? '', user: spec.cause?.User ?? '' };
  try {
    const { commit, value } = await commitOnHead(
      ctx,
      async (clone) => {
        const result: Record<string, WorkloadResultJson> = {};
        let changed = 0;
        for (const [id, update] of Object.entries(updates)) {
          if (!clone.resources.has(id)) {
            result[id] = {
              Status: WorkloadStatus.Skipped,
              Error: ReleaseReason.NotInRepo,
              PerContainer: null,
            };
            continue;
          }
          if (await clone.updatePolicies(id, update, signal)) changed++;
          result[id] = { Status: WorkloadStatus.Success, PerContainer: null };
        }
        if (changed === 0) throw new NoChangesError();
        // Never push a file the edit broke: each edited file must parse and still hold its workload.
        const edited = Object.keys(result).filter((id) => result[id]?.Status === WorkloadStatus.Success);
        const after = await clone.reloadFor(edited, signal);
        for (const id of edited) {
          if (!after.has(id))
            throw new VerifyChangesError(`${id} is missing from its file after the policy edit`);
        }
        const author = authorOf(cause);
        return {
          message: policyMessage(updates, cause),
          ...(author ? { author } : {}),
          note: { jobID: jobId, spec, result: null },
          value: result,
        };
      },
      signal ? { signal } : {},
    );
    return {
      result: { revision: commit.revision, spec, result: value },
      automationRequested: Object.values(updates).some((u) => requestsAutomation(u)),
    };
  } catch (err) {
    if (err instanceof NoChangesError) throw new JobFailure('no changes made in repo', {});
    throw err;
  }
}
