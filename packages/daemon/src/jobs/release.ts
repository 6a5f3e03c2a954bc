import {
  ALL_LATEST,
  type Cause,
  type ImageInfo,
  parseImageRef,
  planContainersRelease,
  planRelease,
  type ReleasePlan,
  releaseContainersMessage,
  releaseImageMessage,
  type UpdateSpecJson,
} from '@flux-ts/core';
import { NoChangesError } from '@flux-ts/git';
import { planCheckingTargets } from './checked-targets.ts';
import { commitOnHead, writeAndVerify } from './commit-changes.ts';
import type { JobContext } from './context.ts';
import { type EditableClone, editableClone } from './edit-clone.ts';
import { JobFailure, type JobResult } from './job-queue.ts';
import { clusterWorkloads, repositoriesOf, repoWorkloads } from './planning-inputs.ts';
import { releaseContainersSpec, releaseImageSpec, resultToJson } from './wire.ts';

type ReleaseSpec = Extract<UpdateSpecJson, { type: 'image' } | { type: 'containers' }>;

function causeOf(spec: UpdateSpecJson): Cause {
  return { message: spec.cause?.Message ?? '', user: spec.cause?.User ?? '' };
}

/** The `--git-set-author` author of a cause: the user as given (`Name <email>` or a name). */
export function authorOf(cause: Cause): string | undefined {
  return cause.user ? cause.user : undefined;
}

async function plan(
  ctx: JobContext,
  spec: ReleaseSpec,
  clone: EditableClone,
  signal?: AbortSignal,
): Promise<ReleasePlan> {
  const workloads = repoWorkloads(clone.resources.values());
  const cluster = clusterWorkloads(await ctx.listWorkloads(signal));
  if (spec.type === 'containers')
    return planContainersRelease(releaseContainersSpec(spec.spec), workloads, { cluster });
  const core = releaseImageSpec(spec.spec);
  const extra: ImageInfo[] = [];
  if (core.imageSpec !== ALL_LATEST && ctx.scanner) {
    // A named image: make sure its metadata is known (fetched now when the scan has not seen it).
    const info = await ctx.scanner.imageInfo(parseImageRef(core.imageSpec), signal).catch(() => undefined);
    if (info) extra.push(info);
  }
  return planCheckingTargets(ctx.scanner, {
    repositories: repositoriesOf(workloads),
    extra,
    plan: (images) => planRelease(core, workloads, images, { cluster }),
    targets: (p) => p.updates.flatMap((u) => u.updates.map((c) => c.target)),
    logger: ctx.logger,
    signal,
  });
}

/**
 * A release (Flux v1's `image` and `containers` update specs): plans against the repo at the head,
 * the cluster and the registry scan; a `plan` returns the results, an `execute` writes the images,
 * verifies them, and makes one commit with a note (re-planned on the new head if the push races).
 */
export async function runRelease(
  ctx: JobContext,
  spec: ReleaseSpec,
  jobId: string,
  signal?: AbortSignal,
): Promise<JobResult> {
  const cause = causeOf(spec);
  if (spec.spec.Kind === 'plan') {
    const clone = await editableClone(ctx, signal);
    try {
      const p = await plan(ctx, spec, clone, signal);
      return { spec, result: resultToJson(p.result) };
    } finally {
      await clone.checkout.clean();
    }
  }
  try {
    const { commit, value } = await commitOnHead(
      ctx,
      async (clone) => {
        const p = await plan(ctx, spec, clone, signal);
        const result = resultToJson(p.result);
        if (p.updates.length === 0) throw new JobFailure('no changes made in repo', {});
        await writeAndVerify(clone, p, signal);
        const message =
          spec.type === 'image'
            ? releaseImageMessage(releaseImageSpec(spec.spec), cause)
            : releaseContainersMessage(releaseContainersSpec(spec.spec), p.result, cause);
        const author = authorOf(cause);
        return {
          message,
          ...(author ? { author } : {}),
          note: { jobID: jobId, spec, result },
          value: result,
        };
      },
      signal ? { signal } : {},
    );
    return { revision: commit.revision, spec, result: value };
  } catch (err) {
    if (err instanceof NoChangesError) throw new JobFailure('no changes made in repo', {});
    throw err;
  }
}
