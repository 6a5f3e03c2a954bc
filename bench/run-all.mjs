// `pnpm bench`: every benchmark of bench/, each against its baseline in the same run, then one table
// (figure, ours, baseline, ratio, goal, pass/fail) on stdout and as JSON in bench/results/.
//
//   pnpm bench                 all, at sizes that fit in minutes (printed below)
//   pnpm bench git sync        some
//   BENCH_FULL=1 pnpm bench    every bench at its own (README) sizes
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { passes, ratioOf } from './report.mjs';

const benchDir = fileURLToPath(new URL('./', import.meta.url));
const resultsDir = join(benchDir, 'results');
const full = Boolean(process.env.BENCH_FULL);

// Sizes for the one-run report: each goal is a ratio or a per-unit figure, so smaller inputs keep
// their meaning; BENCH_FULL uses each bench's defaults (the README's figures).
const benches = [
  { name: 'core-update', args: [], env: full ? {} : { FILES: '2000' } },
  { name: 'registry', args: [], env: full ? {} : { REPOS: '20', TAGS: '50' } },
  { name: 'git', args: [], env: full ? {} : { ROUNDS: '5' } },
  { name: 'sync', args: ['--expose-gc'], env: full ? {} : { COUNT: '1000' } },
  { name: 'daemon', args: [], env: full ? {} : { ROUNDS: '3', RSS_SECONDS: '20' } },
];

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !benches.some((b) => b.name === w));
if (unknown.length) {
  console.error(`unknown bench: ${unknown.join(', ')} (have: ${benches.map((b) => b.name).join(', ')})`);
  process.exit(2);
}
const selected = wanted.length ? benches.filter((b) => wanted.includes(b.name)) : benches;

await mkdir(resultsDir, { recursive: true });
const resultsFile = join(resultsDir, 'figures.jsonl');
await rm(resultsFile, { force: true });

const failures = [];
for (const b of selected) {
  const log = join(resultsDir, `${b.name}.log`);
  const sizes = Object.entries(b.env)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  process.stdout.write(`bench ${b.name}${sizes ? ` (${sizes})` : ''}: running, output in ${log} … `);
  const started = performance.now();
  const code = await new Promise((resolve) => {
    const out = createWriteStream(log);
    const child = spawn(process.execPath, [...b.args, join(benchDir, b.name, 'run.mjs')], {
      cwd: benchDir,
      env: { ...process.env, ...b.env, BENCH_RESULTS: resultsFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    child.on('close', (c) => {
      out.end();
      resolve(c ?? 1);
    });
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  console.log(code === 0 ? `done in ${seconds} s` : `FAILED (exit ${code}) after ${seconds} s`);
  if (code !== 0) failures.push(b.name);
}

const lines = (await readFile(resultsFile, 'utf8').catch(() => '')).split('\n').filter(Boolean);
const rows = lines.flatMap((l) => {
  const { bench, figures } = JSON.parse(l);
  return figures.map((f) => ({ bench, ...f, ratio: ratioOf(f), pass: passes(f) }));
});

const fmt = (x) =>
  x === undefined ? '—' : Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2);
const goalText = (r) =>
  `${r.on === 'ratio' ? 'ratio' : r.unit} ${r.op} ${r.goal}${r.on === 'ratio' ? '×' : ''}`;
console.log('');
console.log('| bench | figure | ours | baseline | ratio | goal | result |');
console.log('| --- | --- | ---: | ---: | ---: | --- | --- |');
for (const r of rows) {
  console.log(
    `| ${r.bench} | ${r.figure} | ${fmt(r.ours)} ${r.unit} | ${r.baseline === undefined ? '— (goal)' : `${fmt(r.baseline)} ${r.unit}`} | ${r.ratio === undefined ? '—' : `${fmt(r.ratio)}×`} | ${goalText(r)} | ${r.pass ? 'pass' : '**FAIL**'} |`,
  );
}
const summary = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, node: process.version, loadAverageAtEnd: loadavg() },
  sizes: full ? 'full' : Object.fromEntries(selected.map((b) => [b.name, b.env])),
  figures: rows,
  failedBenches: failures,
};
await writeFile(join(resultsDir, 'results.json'), `${JSON.stringify(summary, null, 2)}\n`);
const failed = rows.filter((r) => !r.pass).length;
// Latency figures are absolute: a busy machine (load above its cores) slows them; say so.
const load = loadavg()[0] ?? 0;
if (load > cpus().length)
  console.log(`\nnote: load average ${load.toFixed(1)} on ${cpus().length} cores during the run`);
console.log(
  `\n${rows.length} figures: ${rows.length - failed} pass, ${failed} fail${failures.length ? `; benches that did not finish: ${failures.join(', ')}` : ''}. JSON: ${join(resultsDir, 'results.json')}`,
);
process.exit(failed || failures.length ? 1 : 0);
