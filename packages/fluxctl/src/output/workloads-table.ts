import type { ControllerStatusJson } from '@flux-ts/core';
import { formatTable } from '../tabwriter.ts';
import { compareStrings } from './compare.ts';
import { goJsonLine } from './go-json.ts';

/** Options of `fluxctl list-workloads` that shape its output. */
export interface WorkloadsOutputOptions {
  /** `--no-headers`. */
  noHeaders?: boolean;
  /** `-c/--container`: keep only workloads with a container of this name. */
  container?: string;
}

/** The POLICY column: `automated`, `ignore`, `locked` as set, sorted and comma-joined. */
export function policyColumn(workload: ControllerStatusJson): string {
  const names: string[] = [];
  if (workload.Automated) names.push('automated');
  if (workload.Locked) names.push('locked');
  if (workload.Ignore) names.push('ignore');
  return names.sort(compareStrings).join(',');
}

/** The workloads `list-workloads` shows: those with the `--container` (when given), sorted by ID. */
export function selectWorkloads(
  workloads: readonly ControllerStatusJson[],
  container?: string,
): ControllerStatusJson[] {
  const kept = container
    ? workloads.filter((w) => w.Containers.some((c) => c.Name === container))
    : [...workloads];
  return kept.sort((a, b) => compareStrings(a.ID, b.ID));
}

/** The `list-workloads` table (`-o tab`), byte for byte as Flux v1's fluxctl prints it. */
export function formatWorkloads(
  workloads: readonly ControllerStatusJson[],
  options: WorkloadsOutputOptions = {},
): string {
  const lines: string[] = [];
  if (!options.noHeaders) lines.push('WORKLOAD\tCONTAINER\tIMAGE\tRELEASE\tPOLICY');
  for (const w of selectWorkloads(workloads, options.container)) {
    const [first, ...rest] = w.Containers;
    if (first === undefined) {
      lines.push(`${w.ID}\t\t\t${w.Status}\t${policyColumn(w)}`);
      continue;
    }
    lines.push(`${w.ID}\t${first.Name}\t${first.Current.ID}\t${w.Status}\t${policyColumn(w)}`);
    for (const c of rest) lines.push(`\t${c.Name}\t${c.Current.ID}\t\t`);
  }
  return formatTable(lines);
}

/**
 * The `list-workloads -o json` output: the filtered, sorted array on one line. Like Flux v1, a
 * `--container` filter that matches nothing prints `null` (Go's nil slice).
 */
export function workloadsJson(
  workloads: readonly ControllerStatusJson[],
  options: Pick<WorkloadsOutputOptions, 'container'> = {},
): string {
  const selected = selectWorkloads(workloads, options.container);
  return goJsonLine(options.container && selected.length === 0 ? null : selected);
}
