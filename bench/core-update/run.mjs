// Side-by-side: change one container's tag in 10,000 manifest files, with flux-ts's byte-exact CST
// edit and with a re-serialising edit (yaml Document round trip), in the same run. Reports files per
// second for both, the ratio, and the bytes each changed outside the tag.
//
// Inputs are the real-world workloads of shared/corpus (pod-spec kinds), cycled to 10,000 edits,
// held in memory so that the figure is the editing cost, not disk I/O.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseImageRef, parseManifests, setContainerImage } from '@flux-ts/core';
import { parseAllDocuments } from 'yaml';
import { report } from '../report.mjs';

const FILES = Number(process.env.FILES ?? 10_000);
const corpus = new URL('../../../shared/corpus/', import.meta.url).pathname;

const podSpec = {
  Deployment: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  Pod: ['spec'],
};

function loadCases() {
  const [, ...lines] = readFileSync(join(corpus, 'images.tsv'), 'utf8').trimEnd().split('\n');
  const cases = [];
  const seen = new Set();
  for (const line of lines) {
    const [file, , kind, namespace, name, containerKind, container, image] = line.split('\t');
    if (containerKind === 'helm' || !podSpec[kind]) continue;
    let ref;
    try {
      ref = parseImageRef(image);
    } catch {
      continue;
    }
    if (!ref.tag || ref.digest || seen.has(`${file} ${kind} ${name}`)) continue;
    seen.add(`${file} ${kind} ${name}`);
    const text = readFileSync(join(corpus, file), 'utf8');
    const id = `${namespace || 'default'}:${kind.toLowerCase()}/${name}`;
    // Only workloads whose ID is unique in the file (the baseline below matches by kind and name).
    if (parseManifests(text, file).resources.filter((r) => r.id.toString() === id).length !== 1) continue;
    const newImage = ref.withTag(`${ref.tag}-next`).toString();
    const at = text.indexOf(image);
    const expected =
      at >= 0 && text.indexOf(image, at + 1) < 0
        ? text.slice(0, at) + newImage + text.slice(at + image.length)
        : undefined;
    cases.push({ file, text, id, kind, name, container, image: newImage, expected });
  }
  return cases;
}

/** The baseline: parse to Documents, set the value, re-serialise every document. */
function documentRoundTrip(text, kind, name, container, image) {
  const docs = parseAllDocuments(text);
  for (const doc of docs) {
    if (doc.get('kind') !== kind || doc.getIn(['metadata', 'name']) !== name) continue;
    for (const field of ['containers', 'initContainers']) {
      const list = doc.getIn([...podSpec[kind], field]);
      const index = list?.items?.findIndex((c) => c.get('name') === container) ?? -1;
      if (index >= 0) {
        doc.setIn([...podSpec[kind], field, index, 'image'], image);
        return docs.map((d) => d.toString()).join('');
      }
    }
  }
  throw new Error(`baseline: ${kind}/${name} ${container} not found`);
}

/** Bytes that differ between `actual` and `expected`, after their common prefix and suffix. */
function strayBytes(actual, expected) {
  let p = 0;
  while (p < actual.length && p < expected.length && actual[p] === expected[p]) p++;
  let s = 0;
  while (
    s < actual.length - p &&
    s < expected.length - p &&
    actual[actual.length - 1 - s] === expected[expected.length - 1 - s]
  )
    s++;
  return Math.max(actual.length - p - s, expected.length - p - s);
}

function run(label, cases, edit) {
  const started = process.hrtime.bigint();
  let stray = 0;
  let checked = 0;
  const outputs = [];
  for (let i = 0; i < FILES; i++) {
    const c = cases[i % cases.length];
    const out = edit(c);
    if (i < cases.length) outputs.push(out);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  cases.forEach((c, i) => {
    if (c.expected === undefined) return;
    checked++;
    stray += strayBytes(outputs[i], c.expected);
  });
  return { label, seconds, filesPerSecond: FILES / seconds, strayBytes: stray, checked };
}

// The baseline handles top-level documents only (no List items): keep the cases it can do.
const cases = loadCases().filter((c) => {
  try {
    documentRoundTrip(c.text, c.kind, c.name, c.container, c.image);
    return true;
  } catch {
    return false;
  }
});
const bytes = cases.reduce((n, c) => n + c.text.length, 0);
// Warm both paths up (JIT), then measure each once, alternating order to be fair to caches.
for (const c of cases.slice(0, 50)) {
  setContainerImage(c.text, c.id, c.container, c.image);
  documentRoundTrip(c.text, c.kind, c.name, c.container, c.image);
}
const ours = run('flux-ts setContainerImage', cases, (c) =>
  setContainerImage(c.text, c.id, c.container, c.image),
);
const baseline = run('yaml Document round trip', cases, (c) =>
  documentRoundTrip(c.text, c.kind, c.name, c.container, c.image),
);

console.log(
  `core-update: ${FILES} edits over ${cases.length} real manifests (${(bytes / cases.length / 1024).toFixed(1)} KiB average)`,
);
console.log('| edit | files/s | seconds | bytes changed outside the tag (over the first pass) |');
console.log('| --- | ---: | ---: | ---: |');
for (const r of [ours, baseline]) {
  console.log(
    `| ${r.label} | ${r.filesPerSecond.toFixed(0)} | ${r.seconds.toFixed(2)} | ${r.strayBytes} in ${r.checked} files |`,
  );
}
console.log(
  `ratio: flux-ts is ${(ours.filesPerSecond / baseline.filesPerSecond).toFixed(2)}x the files/s of the round trip`,
);
await report('core-update', [
  {
    figure: 'image edits per second (setContainerImage vs yaml round trip)',
    ours: ours.filesPerSecond,
    baseline: baseline.filesPerSecond,
    unit: 'files/s',
    on: 'ratio',
    op: '>=',
    goal: 5,
  },
  {
    figure: `bytes changed outside the tag (${ours.checked} files)`,
    ours: ours.strayBytes,
    baseline: baseline.strayBytes,
    unit: 'bytes',
    on: 'value',
    op: '<=',
    goal: 0,
  },
]);
