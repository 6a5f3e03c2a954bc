// fluxd as a process against real components (kube-apiserver, docker-registry, memcached, git over
// ssh): a repository of 5,000 manifests with 100 automated workloads. Measures the steady-state RSS
// of the fluxd node process after its first sync, and the time from a tag push (registry push, then
// POST /v11/notify) to the automation commit upstream and to the new image in the Deployment, with the
// bench's --automation-settle (200ms) and with its default (10s). Baselines: the goals (150 MiB, 3 s).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startKube } from '@flux-ts/testkit';
import pLimit from 'p-limit';
import { report } from '../report.mjs';

const run = promisify(execFile);
const benchDir = fileURLToPath(new URL('./', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

const MANIFESTS = Number(process.env.MANIFESTS ?? 5000);
const WORKLOADS = Number(process.env.WORKLOADS ?? 100);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const RSS_SECONDS = Number(process.env.RSS_SECONDS ?? 20);
const SETTLE = process.env.SETTLE ?? '200ms';
const HEAP_SNAPSHOT = Boolean(process.env.HEAP_SNAPSHOT);
const PER_FILE = 50;
const RSS_GOAL_MIB = 150;
const LATENCY_GOAL_S = 3;

// The fixture (packages/daemon/src/testing/fluxd-env.ts) is TypeScript outside the build; node 20
// cannot strip types, so compile it (emit only, no type check) next to this script. Its output sits
// at daemon/dist/testing/, four levels under the repository root, as the source does, so its
// repository-relative paths (the fluxd binary) still hold.
await run(join(repoRoot, 'node_modules/.bin/tsc'), ['-p', join(benchDir, 'tsconfig.fixture.json')], {
  cwd: repoRoot,
  maxBuffer: 16 << 20,
});
const { eventually, getObject, startFluxd, startFluxdEnv } = await import('./dist/testing/fluxd-env.js');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const mib = (kib) => kib / 1024;
const syncCounts = (line) => {
  const { level, time, pid, hostname, msg, revision, component, ...rest } = line;
  return rest;
};

function manifests(ns, registryHost) {
  const files = {};
  files['namespace.yaml'] = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`;
  for (let i = 0; i < WORKLOADS; i++) {
    files[`apps/app-${i}.yaml`] = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-${i}
  namespace: ${ns}
  annotations:
    fluxcd.io/automated: "true"
    fluxcd.io/tag.app: semver:~1
spec:
  replicas: 1
  selector:
    matchLabels:
      app: app-${i}
  template:
    metadata:
      labels:
        app: app-${i}
    spec:
      containers:
      - name: app
        image: ${registryHost}/bench/app-${i}:1.0.0
`;
  }
  const configMaps = MANIFESTS - WORKLOADS - 1;
  for (let f = 0; f * PER_FILE < configMaps; f++) {
    const docs = [];
    for (let i = f * PER_FILE; i < Math.min(configMaps, (f + 1) * PER_FILE); i++) {
      docs.push(
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n  namespace: ${ns}\ndata:\n  key: value-${i}\n`,
      );
    }
    files[`config/group-${f % 10}/part-${f}.yaml`] = docs.join('---\n');
  }
  return files;
}

/** The node process running fluxd.js under the testkit's watchdog shell. */
function fluxdPid(watchdogPid) {
  const children = readFileSync(`/proc/${watchdogPid}/task/${watchdogPid}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  for (const pid of children) {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.includes('fluxd.js')) return Number(pid);
  }
  throw new Error(`no fluxd.js child under the watchdog ${watchdogPid} (children: ${children.join(' ')})`);
}

/** VmRSS and VmHWM (KiB) of `pid`. */
function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

/** fluxd's JSON log lines with `msg`. */
async function logLines(fluxd, msg) {
  return (await fluxd.log())
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => {
      try {
        return JSON.parse(l);
      } catch {
        return undefined;
      }
    })
    .filter((l) => l && l.msg === msg);
}

const bareHead = async (env) =>
  (await run('git', ['--git-dir', env.repo.path, 'rev-parse', 'refs/heads/main'])).stdout.trim();

/** Starts fluxd, waits for its first sync and for the warmer to know every workload's image. */
async function startAndSettle(env, ns, name, args) {
  const started = performance.now();
  const fluxd = await startFluxd(
    env,
    [
      '--sync-interval=5m',
      '--automation-interval=5m',
      '--git-poll-interval=5s',
      `--automation-settle=${args.settle}`,
    ],
    name,
    args.env ? { env: args.env } : {},
  );
  const pid = fluxdPid(fluxd.process.pid);
  let peakDuringStart = 0;
  const sampler = setInterval(() => {
    peakDuringStart = Math.max(peakDuringStart, memory(pid).rss);
  }, 100);
  try {
    const [first] = await eventually(
      'the first sync',
      async () => {
        const done = await logLines(fluxd, 'sync done');
        return done.length > 0 ? done : undefined;
      },
      { timeoutMs: 10 * 60_000, fluxd },
    );
    const firstSyncSeconds = (performance.now() - started) / 1000;
    const failed = await logLines(fluxd, 'sync failed');
    if (failed.length) console.log(`${name}: sync failed before it succeeded:`, failed.slice(0, 3));
    await eventually(
      'the image metadata of every workload',
      async () => {
        const res = await fluxd.api(`/v10/images?namespace=${ns}`);
        if (!res.ok) return undefined;
        const images = await res.json();
        const known = images.filter((w) =>
          w.Containers.every((c) => (c.Available?.length ?? c.AvailableImagesCount ?? 0) > 0),
        ).length;
        return known >= WORKLOADS ? images : undefined;
      },
      { timeoutMs: 5 * 60_000, fluxd },
    );
    const warmSeconds = (performance.now() - started) / 1000;
    // Let the start-up automation pass (queued behind the first sync) finish before anything is timed.
    await sleep(5_000);
    return { fluxd, pid, first, firstSyncSeconds, warmSeconds, peakDuringStart: () => peakDuringStart };
  } finally {
    clearInterval(sampler);
  }
}

/** Samples VmRSS every 200 ms for `seconds`. */
async function sampleRss(pid, seconds) {
  const samples = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    samples.push(memory(pid).rss);
    await sleep(200);
  }
  return { peak: Math.max(...samples), median: median(samples), hwm: memory(pid).hwm, n: samples.length };
}

/** The V8 side of fluxd's memory, from its /metrics (prom-client default metrics), in MiB. */
async function nodeMemory(fluxd) {
  const text = await (await fetch(`${fluxd.url}/metrics`)).text();
  const value = (name) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    heapUsed: value('nodejs_heap_size_used_bytes') / 2 ** 20,
    heapTotal: value('nodejs_heap_size_total_bytes') / 2 ** 20,
    external: value('nodejs_external_memory_bytes') / 2 ** 20,
  };
}

/** Self size by node type and constructor name, largest first (a quick look at what the heap holds). */
function summariseSnapshot(snapshot) {
  const { node_fields: fields, node_types: types } = snapshot.snapshot.meta;
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const typeNames = types[typeAt];
  const totals = new Map();
  const nodes = snapshot.nodes;
  for (let i = 0; i < nodes.length; i += width) {
    const type = typeNames[nodes[i + typeAt]];
    const name = type === 'object' || type === 'closure' ? snapshot.strings[nodes[i + nameAt]] : '';
    const key = `${type}${name ? ` ${name}` : ''}`;
    const t = totals.get(key) ?? { count: 0, bytes: 0 };
    t.count++;
    t.bytes += nodes[i + sizeAt];
    totals.set(key, t);
  }
  return [...totals.entries()]
    .sort((x, y) => y[1].bytes - x[1].bytes)
    .slice(0, 25)
    .map(
      ([key, t]) =>
        `  ${(t.bytes / 2 ** 20).toFixed(1).padStart(7)} MiB  ${String(t.count).padStart(9)}  ${key}`,
    )
    .join('\n');
}

/** One tag push: push `repo:tag`, notify, time the commit upstream and the image in the cluster. */
async function tagPush(env, fluxd, ns, i, tag) {
  const repo = `bench/app-${i}`;
  const image = `${env.registry.host}/${repo}:${tag}`;
  const before = await bareHead(env);
  const pushStart = performance.now();
  await env.registry.pushImage({ repo, tag, created: new Date() });
  const pushSeconds = (performance.now() - pushStart) / 1000;
  const t0 = performance.now();
  const res = await fluxd.api('/v11/notify', {
    method: 'POST',
    body: JSON.stringify({ Kind: 'image', Source: { Name: { Domain: env.registry.host, Image: repo } } }),
  });
  if (res.status !== 202) throw new Error(`notify answered ${res.status}: ${await res.text()}`);
  const poll = async (what, check) => {
    for (;;) {
      if (performance.now() - t0 > 120_000) {
        const tail = (await fluxd.log()).split('\n').slice(-30).join('\n');
        throw new Error(`timed out waiting for ${what}\nfluxd log (tail):\n${tail}`);
      }
      const v = await check().catch(() => undefined);
      if (v) return { at: (performance.now() - t0) / 1000, value: v };
      await sleep(20);
    }
  };
  const [commit, deploy] = await Promise.all([
    poll('the automation commit upstream', async () => {
      const head = await bareHead(env);
      return head !== before ? head : undefined;
    }),
    poll('the new image in the Deployment', async () => {
      const d = await getObject(env.kube, `/apis/apps/v1/namespaces/${ns}/deployments/app-${i}`);
      return d?.spec?.template?.spec?.containers?.[0]?.image === image ? true : undefined;
    }),
  ]);
  const subject = (
    await run('git', ['--git-dir', env.repo.path, 'log', '-1', '--format=%s', commit.value])
  ).stdout.trim();
  if (!subject.includes(image)) throw new Error(`unexpected automation commit: ${subject}`);
  // Let the sync after the commit finish (the sync tag reaches the commit) before the next round.
  await eventually(
    'the sync of the automation commit',
    async () => {
      const out = (
        await run('git', [
          '--git-dir',
          env.repo.path,
          'rev-parse',
          '--verify',
          '-q',
          'refs/tags/flux-sync^{}',
        ])
      ).stdout.trim();
      return out === (await bareHead(env)) ? out : undefined;
    },
    { timeoutMs: 120_000, fluxd },
  );
  return { pushSeconds, commitSeconds: commit.at, deploySeconds: deploy.at };
}

async function latencyRounds(env, fluxd, ns, firstRepo, tag) {
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    rounds.push(await tagPush(env, fluxd, ns, firstRepo + r, tag));
    await sleep(1_000);
  }
  return rounds;
}

const kube = await startKube();
let env;
const running = [];
try {
  const setupStart = performance.now();
  env = await startFluxdEnv(kube, {});
  const ns = env.namespace;
  const limit = pLimit(8);
  await Promise.all(
    Array.from({ length: WORKLOADS }, (_, i) =>
      limit(() =>
        env.registry.pushImage({ repo: `bench/app-${i}`, tag: '1.0.0', created: '2024-01-01T00:00:00Z' }),
      ),
    ),
  );
  const files = manifests(ns, env.registry.host);
  for (const [path, text] of Object.entries(files)) await env.user.write(path, text);
  await env.user.commitAndPush(`${MANIFESTS} manifests`);
  const setupSeconds = (performance.now() - setupStart) / 1000;

  // Run 1: the bench's settle window. RSS over RSS_SECONDS once the first sync and the warmer are done.
  const snapshotDir = join(benchDir, 'dist', 'heap');
  const nodeOptions = [
    process.env.FLUXD_NODE_OPTIONS ?? '',
    HEAP_SNAPSHOT ? `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${snapshotDir}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const a = await startAndSettle(env, ns, 'fluxd', {
    settle: SETTLE,
    ...(nodeOptions || Object.keys(process.env).some((k) => k.startsWith('MALLOC_'))
      ? {
          env: {
            ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
            ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('MALLOC_'))),
          },
        }
      : {}),
  });
  running.push(a.fluxd);
  const rss = await sampleRss(a.pid, RSS_SECONDS);
  try {
    const rollup = readFileSync(`/proc/${a.pid}/smaps_rollup`, 'utf8');
    const kib = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? 0);
    console.log(
      `smaps_rollup: Rss ${Math.round(kib('Rss') / 1024)} MiB, anonymous ${Math.round(kib('Anonymous') / 1024)} MiB, file-backed ${Math.round((kib('Rss') - kib('Anonymous')) / 1024)} MiB`,
    );
  } catch {}
  const heap = await nodeMemory(a.fluxd);
  if (HEAP_SNAPSHOT) {
    await mkdir(snapshotDir, { recursive: true });
    process.kill(a.pid, 'SIGUSR2');
    const file = await eventually(
      'the heap snapshot',
      async () => {
        const names = (await readdir(snapshotDir)).filter((n) => n.endsWith('.heapsnapshot'));
        if (names.length === 0) return undefined;
        const path = join(snapshotDir, names.sort().at(-1));
        const size = (await stat(path)).size;
        await sleep(2_000);
        return (await stat(path)).size === size && size > 0 ? path : undefined;
      },
      { timeoutMs: 5 * 60_000 },
    );
    console.log(`heap snapshot: ${file}`);
    console.log(summariseSnapshot(JSON.parse(await readFile(file, 'utf8'))));
  }
  let peakDuringPushes = 0;
  const sampler = setInterval(() => {
    peakDuringPushes = Math.max(peakDuringPushes, memory(a.pid).rss);
  }, 100);
  const fast = await latencyRounds(env, a.fluxd, ns, 0, '1.1.0');
  clearInterval(sampler);
  const syncsA = await logLines(a.fluxd, 'sync done');
  await a.fluxd.stop();
  running.pop();

  // Run 2: the default settle window (10s), on other repositories.
  const b = await startAndSettle(env, ns, 'fluxd-default-settle', { settle: '10s' });
  running.push(b.fluxd);
  const slow = await latencyRounds(env, b.fluxd, ns, ROUNDS, '1.1.0');
  const hwmB = memory(b.pid).hwm;
  await b.fluxd.stop();
  running.pop();

  const cores = availableParallelism();
  console.log(
    `daemon: fluxd (process) with ${MANIFESTS} manifests (${WORKLOADS} automated Deployments, ${MANIFESTS - WORKLOADS - 1} ConfigMaps, 1 Namespace) on ${cores} cores`,
  );
  console.log(
    `setup ${setupSeconds.toFixed(0)} s; first sync done ${a.firstSyncSeconds.toFixed(1)} s after start (fluxd: ${JSON.stringify(syncCounts(a.first))}), warmer done ${a.warmSeconds.toFixed(1)} s after start`,
  );
  console.log(
    `later syncs (ms): ${syncsA
      .slice(1)
      .map((s) => s.ms)
      .join(', ')}`,
  );
  console.log('');
  console.log(`| figure | fluxd | goal (baseline) | ratio |`);
  console.log('| --- | ---: | ---: | ---: |');
  const row = (label, ours, goal, unit, digits) =>
    console.log(
      `| ${label} | ${ours.toFixed(digits)} ${unit} | ${goal} ${unit} | ${(ours / goal).toFixed(2)}× |`,
    );
  row(
    `steady-state RSS, peak over ${RSS_SECONDS} s (${rss.n} samples)`,
    mib(rss.peak),
    RSS_GOAL_MIB,
    'MiB',
    0,
  );
  row('steady-state RSS, median', mib(rss.median), RSS_GOAL_MIB, 'MiB', 0);
  for (const [label, rounds] of [
    [`--automation-settle=${SETTLE}`, fast],
    ['--automation-settle=10s (default)', slow],
  ]) {
    const commits = rounds.map((r) => r.commitSeconds);
    const deploys = rounds.map((r) => r.deploySeconds);
    row(
      `${label}: notify → commit upstream, median of ${rounds.length}`,
      median(commits),
      LATENCY_GOAL_S,
      's',
      2,
    );
    row(`${label}: notify → commit upstream, max`, Math.max(...commits), LATENCY_GOAL_S, 's', 2);
    row(`${label}: notify → image in Deployment, median`, median(deploys), LATENCY_GOAL_S, 's', 2);
    row(`${label}: notify → image in Deployment, max`, Math.max(...deploys), LATENCY_GOAL_S, 's', 2);
  }
  const fastCommits = fast.map((r) => r.commitSeconds);
  const fastDeploys = fast.map((r) => r.deploySeconds);
  await report('daemon', [
    {
      figure: `fluxd steady-state RSS, peak (${MANIFESTS} manifests, ${WORKLOADS} automated images)`,
      ours: mib(rss.peak),
      baseline: undefined,
      unit: 'MiB',
      on: 'value',
      op: '<',
      goal: RSS_GOAL_MIB,
    },
    {
      figure: `tag push (/v11/notify) → commit, median of ${fast.length} (settle ${SETTLE})`,
      ours: median(fastCommits),
      baseline: undefined,
      unit: 's',
      on: 'value',
      op: '<',
      goal: LATENCY_GOAL_S,
    },
    {
      figure: `tag push (/v11/notify) → applied image, median of ${fast.length} (settle ${SETTLE})`,
      ours: median(fastDeploys),
      baseline: undefined,
      unit: 's',
      on: 'value',
      op: '<',
      goal: LATENCY_GOAL_S,
    },
  ]);
  console.log('');
  console.log(
    `RSS high-water mark (VmHWM) of fluxd: ${mib(rss.hwm).toFixed(0)} MiB (includes the first sync; peak sampled during start ${mib(a.peakDuringStart()).toFixed(0)} MiB, during the tag pushes ${mib(peakDuringPushes).toFixed(0)} MiB); second fluxd (settle 10s) VmHWM ${mib(hwmB).toFixed(0)} MiB`,
  );
  console.log(
    `V8 at the end of the RSS window: heap used ${heap.heapUsed.toFixed(0)} MiB of ${heap.heapTotal.toFixed(0)} MiB, external ${heap.external.toFixed(0)} MiB`,
  );
  for (const [label, rounds] of [
    [SETTLE, fast],
    ['10s', slow],
  ]) {
    console.log(
      `settle ${label} rounds (push s / commit s / deploy s): ${rounds
        .map((r) => `${r.pushSeconds.toFixed(2)}/${r.commitSeconds.toFixed(2)}/${r.deploySeconds.toFixed(2)}`)
        .join('  ')}`,
    );
  }
  console.log(`fluxd logs: ${join(benchDir, 'dist')}/fluxd*.log`);
} finally {
  for (const f of running) await f.stop().catch(() => undefined);
  if (env) {
    await mkdir(join(benchDir, 'dist'), { recursive: true });
    for (const name of ['fluxd', 'fluxd-default-settle'])
      await copyFile(join(env.tmp.path, `${name}.log`), join(benchDir, 'dist', `${name}.log`)).catch(
        () => {},
      );
    await env.close();
  }
  await kube.stop();
}
