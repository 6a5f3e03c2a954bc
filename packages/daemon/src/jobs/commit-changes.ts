import { ErrorKind, FluxError, type ReleasePlan } from '@flux-ts/core';
import { type Commit, type CommitNote, PushRejectedError, UnsignedHeadError } from '@flux-ts/git';
import type { JobContext } from './context.ts';
import { type EditableClone, editableClone } from './edit-clone.ts';

/** An edit did not produce what was planned (Flux v1's "verifying changes"). */
export class VerifyChangesError extends FluxError {
  constructor(detail: string) {
    super(`verifying changes: ${detail}`, {
      code: 'release.verify',
      kind: ErrorKind.User,
      help: 'The release process failed, with this message: the manifests after the edit do not hold the planned images. Check the manifest of the workload named above.',
    });
  }
}

/** Writes a plan's image updates into a clone and checks the result by container name. */
export async function writeAndVerify(
  clone: EditableClone,
  plan: ReleasePlan,
  signal?: AbortSignal,
): Promise<void> {
  for (const { id, updates } of plan.updates) await clone.setImages(id, updates, signal);
  const after = await clone.reloadFor(
    plan.updates.map((u) => u.id),
    signal,
  );
  for (const { id, updates } of plan.updates) {
    const resource = after.get(id);
    for (const u of updates) {
      const found = resource?.containers?.find((c) => c.name === u.container);
      if (found?.image !== u.target) {
        throw new VerifyChangesError(
          `${id} container ${u.container} has image ${found?.image ?? '(missing)'}, expected ${u.target}`,
        );
      }
    }
  }
}

/**
 * Runs `edit` in a fresh clone at the head and commits what it wrote; when the push is rejected
 * because the branch moved meanwhile, refreshes the mirror and does it all again on the new head
 * (up to `attempts` times), so a concurrent push never loses the change.
 */
export async function commitOnHead<T>(
  ctx: JobContext,
  edit: (clone: EditableClone) => Promise<{ message: string; author?: string; note?: CommitNote; value: T }>,
  options: { attempts?: number; signal?: AbortSignal } = {},
): Promise<{ commit: Commit; value: T }> {
  const attempts = options.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    if (ctx.verifyHead) {
      // Flux v1: no change is made on top of a head whose signatures do not verify.
      const { head, verified } = await ctx.verifyHead(options.signal);
      if (verified !== head) throw new UnsignedHeadError(verified ?? '', head);
    }
    const clone = await editableClone(ctx, options.signal);
    try {
      const { message, author, note, value } = await edit(clone);
      const commit = await clone.checkout.commitAndPush({
        message,
        ...(author ? { author } : {}),
        ...(note ? { note } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return { commit, value };
    } catch (err) {
      if (!(err instanceof PushRejectedError) || attempt >= attempts) throw err;
      ctx.logger.warn({ attempt }, 'push rejected: the branch moved; planning again on the new head');
      await ctx.mirror.refresh(options.signal);
    } finally {
      await clone.checkout.clean();
    }
  }
}
