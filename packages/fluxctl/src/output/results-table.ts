import type { ContainerUpdateSpecJson, WorkloadResultJson } from '@flux-ts/core';
import { formatTable } from '../tabwriter.ts';
import { compareStrings } from './compare.ts';
import { refParts } from './image-ref.ts';

/** `-v` count of `release`, `policy` and friends: 0 hides skipped and ignored, 1 hides ignored. */
export type Verbosity = 0 | 1 | 2;

/** The header of the results table (each cell but the last has a trailing space, as in Flux v1). */
export const RESULTS_HEADING = 'WORKLOAD \tSTATUS \tUPDATES';

/** True when a workload with this status is shown at this verbosity. */
export function showsStatus(status: string, verbosity: number): boolean {
  if (status === 'ignored') return verbosity >= 2;
  if (status === 'skipped') return verbosity >= 1;
  return true;
}

/** `<container>: <current full ref> -> <target tag>`. */
export function updateText(update: ContainerUpdateSpecJson): string {
  return `${update.Container}: ${update.Current} -> ${refParts(update.Target).tag}`;
}

/**
 * One row of the results, in order: the workload's error, then one per container update, or a
 * single empty one. Unlike a plain listing, these rows are what the interactive menu selects from.
 */
export interface ResultRow {
  id: string;
  status: string;
  /** The error or update text ('' for a row with nothing to show). */
  text: string;
  /** The container update of this row, when it is one. */
  update?: ContainerUpdateSpecJson;
}

/** The rows of a job's per-workload results shown at `verbosity`, sorted by workload ID. */
export function resultRows(
  result: Readonly<Record<string, WorkloadResultJson>>,
  verbosity: number,
): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const id of Object.keys(result).sort(compareStrings)) {
    const r = result[id] as WorkloadResultJson;
    if (!showsStatus(r.Status, verbosity)) continue;
    const updates = r.PerContainer ?? [];
    if (r.Error) rows.push({ id, status: r.Status, text: r.Error });
    for (const update of updates) rows.push({ id, status: r.Status, text: updateText(update), update });
    if (!r.Error && updates.length === 0) rows.push({ id, status: r.Status, text: '' });
  }
  return rows;
}

/**
 * The results table Flux v1 prints after `release`, `policy`, `automate` and the like: the first row
 * of a workload carries its ID and status, further rows only the text.
 */
export function formatResults(
  result: Readonly<Record<string, WorkloadResultJson>>,
  verbosity: Verbosity,
): string {
  const lines = [RESULTS_HEADING];
  let previous: string | undefined;
  for (const row of resultRows(result, verbosity)) {
    lines.push(row.id === previous ? `\t\t${row.text}` : `${row.id}\t${row.status}\t${row.text}`);
    previous = row.id;
  }
  return formatTable(lines);
}
