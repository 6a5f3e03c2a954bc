import type { ControllerStatusJson } from '@flux-ts/core';
import { formatTable } from '../tabwriter.ts';

/**
 * The `release --watch` status of one workload, as Flux v1 prints it on every poll: its own small
 * table (header included) followed by a blank line. REPLICAS is `Updated/Desired`, with
 * ` (<outdated> outdated, <ready> ready)` when verbose.
 */
export function formatRolloutStatus(workload: ControllerStatusJson, verbosity: number): string {
  const r = workload.Rollout;
  const replicas = `${r.Updated}/${r.Desired}${verbosity > 0 ? ` (${r.Outdated} outdated, ${r.Ready} ready)` : ''}`;
  const lines = ['WORKLOAD\tCONTAINER\tIMAGE\tRELEASE\tREPLICAS'];
  const [first, ...rest] = workload.Containers;
  if (first === undefined) {
    lines.push(`${workload.ID}\t\t\t${workload.Status}\t${replicas}`);
  } else {
    lines.push(`${workload.ID}\t${first.Name}\t${first.Current.ID}\t${workload.Status}\t${replicas}`);
    for (const c of rest) lines.push(`\t${c.Name}\t${c.Current.ID}\t\t`);
  }
  lines.push('');
  return formatTable(lines);
}

/**
 * The stderr lines for a workload whose rollout reports problems: `There was a problem releasing
 * <id>:` and each message; `undefined` when there are none. (Flux v1 tested the message list for
 * nil, so an empty non-null list printed the heading alone; we need at least one message.)
 */
export function rolloutProblems(workload: ControllerStatusJson): string | undefined {
  const messages = workload.Rollout.Messages;
  if (!messages || messages.length === 0) return undefined;
  return `There was a problem releasing ${workload.ID}:\n${messages.map((m) => `${m}\n`).join('')}`;
}

/** True when every workload has status `ready` (also when there are none, as in Flux v1). */
export function allReady(workloads: readonly ControllerStatusJson[]): boolean {
  return workloads.every((w) => w.Status === 'ready');
}

/** What one poll of `release --watch` prints and whether watching is over. */
export interface RolloutStep {
  stdout: string;
  stderr: string;
  /** `ready`: all workloads ready; `problem`: a rollout reported messages; `pending`: poll again in 2 s. */
  outcome: 'ready' | 'problem' | 'pending';
}

/**
 * One poll of `release --watch`, in Flux v1's order: each workload's status table in turn, stopping
 * at the first one with rollout problems; else `All workloads ready.` once all are ready. Both end
 * the command successfully.
 */
export function rolloutStep(workloads: readonly ControllerStatusJson[], verbosity: number): RolloutStep {
  let stdout = '';
  for (const w of workloads) {
    stdout += formatRolloutStatus(w, verbosity);
    const problems = rolloutProblems(w);
    if (problems !== undefined) return { stdout, stderr: problems, outcome: 'problem' };
  }
  if (allReady(workloads)) return { stdout, stderr: 'All workloads ready.\n', outcome: 'ready' };
  return { stdout, stderr: '', outcome: 'pending' };
}
