import type { ContainerUpdateSpecJson, WorkloadResultJson } from '@flux-ts/core';
import { parseImageRef } from '@flux-ts/core';
import { formatTable } from '../tabwriter.ts';

/**
 * The pure state of `fluxctl release --interactive`'s menu (Flux v1's `update.Menu`): its rows, which
 * updates are checked, and where the cursor is. Every function here returns a new state.
 *
 * Behaviour, after Flux v1 `pkg/update/menu.go`:
 * - rows come from the dry-run result sorted by workload ID; per workload an error row (if `Error`),
 *   then one checkable, pre-checked row per container update, or a plain row when it has neither;
 *   `ignored` workloads need verbosity 2, `skipped` ones verbosity 1;
 * - the cursor moves over the checkable rows only and **wraps** at both ends (Flux's
 *   `(cursor ± 1) mod selectable`), like promptui's cycling list.
 *
 * Deliberate fix: Flux v1 toggles `items[cursor]`, indexing all rows with a cursor that counts only
 * checkable ones, so with an error row above an update Space toggled the wrong row (and could send an
 * empty container spec). Here Space toggles the update the cursor glyph is on.
 */

/** A row the user can check: one container update of a workload. */
export interface UpdateRow {
  readonly kind: 'update';
  readonly id: string;
  readonly status: string;
  readonly update: ContainerUpdateSpecJson;
  readonly checked: boolean;
}

/** A row for information only: a workload's error, or a workload with nothing to update. */
export interface InfoRow {
  readonly kind: 'info';
  readonly id: string;
  readonly status: string;
  /** The error text, or `''`. */
  readonly text: string;
}

export type MenuRow = UpdateRow | InfoRow;

export interface MenuState {
  readonly rows: readonly MenuRow[];
  /** Index of the highlighted row among the checkable rows (0 when there are none). */
  readonly cursor: number;
}

export const MENU_GLYPHS = {
  cursor: '\u21d2',
  checked: '\u25c9',
  unchecked: '\u25ef',
} as const;

export const MENU_HEADING = 'WORKLOAD \tSTATUS \tUPDATES';
export const MENU_FOOTER = 'Use arrow keys and [Space] to toggle updates; hit [Enter] to release selected.';

/** Builds the rows of a dry-run result at the given verbosity (0, 1 or 2, as `-v`/`-vv`). */
export function menuRows(result: Readonly<Record<string, WorkloadResultJson>>, verbosity: number): MenuRow[] {
  const rows: MenuRow[] = [];
  for (const id of Object.keys(result).sort(byCodeUnits)) {
    const r = result[id] as WorkloadResultJson;
    if (r.Status === 'ignored' && verbosity < 2) continue;
    if (r.Status === 'skipped' && verbosity < 1) continue;
    const error = r.Error ?? '';
    const updates = r.PerContainer ?? [];
    if (error !== '') rows.push({ kind: 'info', id, status: r.Status, text: error });
    for (const update of updates) {
      if (update.Container === '') {
        // Flux treats a container update without a container name as not checkable.
        rows.push({ kind: 'info', id, status: r.Status, text: '' });
        continue;
      }
      rows.push({ kind: 'update', id, status: r.Status, update, checked: true });
    }
    if (error === '' && updates.length === 0) rows.push({ kind: 'info', id, status: r.Status, text: '' });
  }
  return rows;
}

/** A fresh menu with the cursor on the first update. */
export function menuState(rows: readonly MenuRow[]): MenuState {
  return { rows, cursor: 0 };
}

/** How many rows can be checked. */
export function selectableCount(rows: readonly MenuRow[]): number {
  return rows.filter((r) => r.kind === 'update').length;
}

/** Moves the cursor `delta` updates down (negative: up), wrapping around at both ends. */
export function moveCursor(state: MenuState, delta: number): MenuState {
  const n = selectableCount(state.rows);
  if (n === 0) return state;
  return { rows: state.rows, cursor: (((state.cursor + delta) % n) + n) % n };
}

export const cursorDown = (state: MenuState): MenuState => moveCursor(state, 1);
export const cursorUp = (state: MenuState): MenuState => moveCursor(state, -1);

/** Flips the checkbox of the update under the cursor. */
export function toggle(state: MenuState): MenuState {
  let index = -1;
  const rows = state.rows.map((row): MenuRow => {
    if (row.kind !== 'update') return row;
    index++;
    return index === state.cursor ? { ...row, checked: !row.checked } : row;
  });
  return { rows, cursor: state.cursor };
}

/** The checked updates by workload ID: the `ContainerSpecs` of a `containers` release. */
export function selectedContainerSpecs(rows: readonly MenuRow[]): Record<string, ContainerUpdateSpecJson[]> {
  const specs: Record<string, ContainerUpdateSpecJson[]> = {};
  for (const row of rows) {
    if (row.kind !== 'update' || !row.checked) continue;
    const { Container, Current, Target } = row.update;
    const list = specs[row.id] ?? [];
    list.push({ Container, Current, Target });
    specs[row.id] = list;
  }
  return specs;
}

/**
 * The menu's screen lines, without newlines: heading, rows, a blank line and the footer, aligned by
 * the tabwriter as one table (so widths include the four-column cursor/checkbox prefix).
 */
export function render(state: MenuState): string[] {
  const lines = [`    ${MENU_HEADING}`];
  let index = 0;
  let previous: string | undefined;
  for (const row of state.rows) {
    const checkable = row.kind === 'update';
    const pointer = checkable && index === state.cursor ? MENU_GLYPHS.cursor : ' ';
    const box = checkable ? (row.checked ? MENU_GLYPHS.checked : MENU_GLYPHS.unchecked) : ' ';
    const text = row.kind === 'update' ? updateText(row.update) : row.text;
    const cells = row.id === previous ? `\t\t${text}` : `${row.id}\t${row.status}\t${text}`;
    lines.push(`${pointer} ${box} ${cells}`);
    previous = row.id;
    if (checkable) index++;
  }
  lines.push('', MENU_FOOTER);
  return formatTable(lines).slice(0, -1).split('\n');
}

/** `<container>: <current ref> -> <target tag>`, as in the results table. */
export function updateText(update: ContainerUpdateSpecJson): string {
  return `${update.Container}: ${update.Current} -> ${tagOf(update.Target)}`;
}

function tagOf(ref: string): string {
  try {
    return parseImageRef(ref).tag;
  } catch {
    const last = ref.slice(ref.lastIndexOf('/') + 1).split('@')[0] as string;
    const colon = last.indexOf(':');
    return colon < 0 ? '' : last.slice(colon + 1);
  }
}

// Go's sort.Strings order (bytewise; equal to UTF-16 order for the ASCII of resource IDs).
const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
