// One shape for every benchmark's figures, so `pnpm bench` (run-all.mjs) can put them in one table.
// A bench calls `report(name, figures)` at its end; when BENCH_RESULTS names a file (run-all sets
// it), the figures are appended to it as one JSON line. Run alone, a bench prints its own table and
// report() writes nothing.
import { appendFile } from 'node:fs/promises';

/**
 * @typedef {object} Figure
 * @property {string} figure    what was measured, e.g. "working clone time"
 * @property {number} ours      flux-ts's value
 * @property {number | undefined} baseline  the baseline's value in the same run (undefined when the goal is absolute)
 * @property {string} unit      "ms", "MiB", "requests", "files/s", "×"…
 * @property {'ratio' | 'value'} on   whether the goal is on ours/baseline or on ours itself
 * @property {'<=' | '>=' | '<'} op
 * @property {number} goal
 */

/** The ratio ours / baseline (undefined without a baseline). */
export function ratioOf(f) {
  return f.baseline === undefined || f.baseline === 0 ? undefined : f.ours / f.baseline;
}

/** Whether a figure meets its goal. */
export function passes(f) {
  const x = f.on === 'ratio' ? ratioOf(f) : f.ours;
  if (x === undefined) return false;
  return f.op === '<=' ? x <= f.goal : f.op === '<' ? x < f.goal : x >= f.goal;
}

/** @param {string} bench @param {Figure[]} figures */
export async function report(bench, figures) {
  const file = process.env.BENCH_RESULTS;
  if (!file) return;
  await appendFile(file, `${JSON.stringify({ bench, figures })}\n`);
}
