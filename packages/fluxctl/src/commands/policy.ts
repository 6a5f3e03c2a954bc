import type { CommandContext } from '../cli/context.ts';
import { progress } from '../cli/progress.ts';
import { qualifyWorkload } from '../cli/workload-id.ts';
import { awaitJob } from '../wait/poll.ts';
import { defaultUser } from './cause.ts';
import { buildPolicyUpdate, type PolicySwitches, UsageError } from './policy-update.ts';
import { printJobResult } from './release.ts';

/** The flags of `fluxctl policy` and its shorthands. */
export interface PolicyOptions extends PolicySwitches {
  namespace?: string;
  workload?: string;
  controller?: string;
  verbose: number;
}

/** `fluxctl policy` (and `automate`, `deautomate`, `lock`, `unlock`): one policy job, no sync wait. */
export async function policy(ctx: CommandContext, opts: PolicyOptions): Promise<void> {
  const workload = opts.workload || opts.controller;
  if (!workload) throw new UsageError('-w, --workload is required');
  const namespace = opts.namespace ?? ctx.defaultNamespace();
  const id = qualifyWorkload(workload, namespace);
  const user = opts.user ?? (await defaultUser());
  const update = buildPolicyUpdate({ ...opts, user, message: opts.message ?? '' });
  const api = await ctx.api();
  const jobId = await api.updateManifests(
    { type: 'policy', cause: { Message: opts.message ?? '', User: user }, spec: { [id]: update } },
    { signal: ctx.signal },
  );
  const dots = progress(ctx);
  const status = await awaitJob(api, jobId, {
    timeoutMs: ctx.globals.timeoutMs,
    clock: ctx.clock,
    signal: ctx.signal,
    ...(dots.onPoll ? { onPoll: dots.onPoll } : {}),
  }).finally(() => dots.end());
  printJobResult(ctx, status, opts.verbose >= 2 ? 2 : opts.verbose === 1 ? 1 : 0);
}
