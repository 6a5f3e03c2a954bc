// Side-by-side: syncing 1,000 manifests of mixed kinds to the real kube-apiserver with
// @flux-ts/k8s and with `kubectl apply --server-side -f`, in the same run (each on its own copy in
// its own namespaces, so field managers never conflict): a full sync, then a no-op sync.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadManifests } from '@flux-ts/core';
import { createKubeClient, Discovery, kubeRequest, requestCount, syncResources } from '@flux-ts/k8s';
import { makeTempDir, startKube } from '@flux-ts/testkit';
import pLimit from 'p-limit';
import { report } from '../report.mjs';

const run = promisify(execFile);
const COUNT = Number(process.env.COUNT ?? 1000);
const FOREIGN = Number(process.env.FOREIGN ?? 20000);
const NAMESPACES = 10;

function manifests(prefix) {
  const docs = [];
  for (let n = 0; n < NAMESPACES; n++)
    docs.push(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${prefix}-${n}\n`);
  for (let i = 0; docs.length < COUNT; i++) {
    const ns = `${prefix}-${i % NAMESPACES}`;
    switch (i % 5) {
      case 0:
        docs.push(
          `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n  namespace: ${ns}\ndata:\n  key: value-${i}\n`,
        );
        break;
      case 1:
        docs.push(
          `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s-${i}\n  namespace: ${ns}\nstringData:\n  password: p-${i}\n`,
        );
        break;
      case 2:
        docs.push(
          `apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-${i}\n  namespace: ${ns}\nspec:\n  clusterIP: None\n  selector: {app: a-${i}}\n  ports: [{port: 80}]\n`,
        );
        break;
      case 3:
        docs.push(`apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa-${i}\n  namespace: ${ns}\n`);
        break;
      default:
        docs.push(
          `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d-${i}\n  namespace: ${ns}\nspec:\n  selector: {matchLabels: {app: d-${i}}}\n  template:\n    metadata: {labels: {app: d-${i}}}\n    spec:\n      containers: [{name: app, image: 'nginx:1.25'}]\n`,
        );
    }
  }
  return docs;
}

async function writeDir(dir, docs) {
  await mkdir(dir, { recursive: true });
  for (let f = 0; f < docs.length; f += 50)
    await writeFile(join(dir, `part-${f / 50}.yaml`), docs.slice(f, f + 50).join('---\n'));
}

const time = async (fn) => {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
};

const kube = await startKube();
const dir = await makeTempDir('flux-ts-bench-sync');
try {
  const oursDir = join(dir.path, 'ours');
  const theirsDir = join(dir.path, 'kubectl');
  await writeDir(oursDir, manifests('ours'));
  await writeDir(theirsDir, manifests('kubectl'));
  const client = createKubeClient({ kubeconfigPath: kube.kubeconfigPath });
  const discovery = new Discovery(client.connection);
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const sync = async () => {
    const { resources, errors } = await loadManifests(oursDir, {
      isNamespaced: (_v, k) => k !== 'Namespace',
    });
    if (errors.length) throw errors[0];
    const result = await syncResources(client, resources, {
      syncSetName: 'bench',
      discovery,
      concurrency: 16,
    });
    const failed = result.changes.filter((c) => c.action === 'failed');
    if (failed.length) throw new Error(`failed: ${JSON.stringify(failed.slice(0, 3))}`);
    return result;
  };
  // kubectl -v=6 logs one line per request: "GET https://… 200 OK in 3 milliseconds".
  let kubectlRequests = 0;
  const kubectl = async () => {
    const { stderr } = await run(
      'kubectl',
      ['--kubeconfig', kube.kubeconfigPath, 'apply', '--server-side', '-v=6', '-f', theirsDir],
      { maxBuffer: 1 << 28 },
    );
    kubectlRequests = stderr.split('\n').filter((l) => / in \d+ milliseconds$/.test(l)).length;
  };
  const counted = async (fn) => {
    const before = requestCount(client.connection);
    const seconds = await time(fn);
    return { seconds, requests: requestCount(client.connection) - before };
  };
  const countedKubectl = async () => {
    const seconds = await time(kubectl);
    return { seconds, requests: kubectlRequests };
  };

  const oursFull = await counted(sync);
  const kubectlFull = await countedKubectl();
  const oursNoop = await counted(sync);
  const kubectlNoop = await countedKubectl();
  clearInterval(sampler);

  console.log(
    `sync: ${COUNT} manifests (ConfigMaps, Secrets, Services, ServiceAccounts, Deployments in ${NAMESPACES} namespaces)`,
  );
  console.log(
    '| sync | @flux-ts/k8s (s) | requests | kubectl apply --server-side (s) | requests | time ratio |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const [label, ours, theirs] of [
    ['full', oursFull, kubectlFull],
    ['no-op', oursNoop, kubectlNoop],
  ]) {
    console.log(
      `| ${label} | ${ours.seconds.toFixed(2)} | ${ours.requests} | ${theirs.seconds.toFixed(2)} | ${theirs.requests} | ${(ours.seconds / theirs.seconds).toFixed(2)}× |`,
    );
  }
  console.log(`peak RSS of the flux-ts process: ${(peak / 2 ** 20).toFixed(0)} MiB`);

  // A cluster holding FOREIGN ConfigMaps we do not own: our garbage-collection read (label-selected,
  // paginated) against a Flux-v1-style read of every object, heap measured around each.
  const heapAround = async (fn) => {
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    let top = before;
    const sampler = setInterval(() => {
      top = Math.max(top, process.memoryUsage().heapUsed);
    }, 5);
    const seconds = await time(async () => {
      await fn();
      top = Math.max(top, process.memoryUsage().heapUsed);
    });
    clearInterval(sampler);
    return { seconds, heapMiB: (top - before) / 2 ** 20 };
  };
  const { resources } = await loadManifests(oursDir, { isNamespaced: (_v, k) => k !== 'Namespace' });
  const gcReadEmpty = await heapAround(() =>
    syncResources(client, resources, { syncSetName: 'bench', discovery, gc: { dryRun: true } }),
  );

  await kubeRequest(client.connection, {
    method: 'POST',
    path: '/api/v1/namespaces',
    body: { metadata: { name: 'foreign' } },
  });
  const limit = pLimit(32);
  const seedStart = performance.now();
  await Promise.all(
    Array.from({ length: FOREIGN }, (_, i) =>
      limit(() =>
        kubeRequest(client.connection, {
          method: 'POST',
          path: '/api/v1/namespaces/foreign/configmaps',
          body: { metadata: { name: `f-${i}` }, data: { blob: 'x'.repeat(1024) } },
        }),
      ),
    ),
  );
  console.log(
    `\nseeded ${FOREIGN} foreign ConfigMaps (1 KiB each) in ${((performance.now() - seedStart) / 1000).toFixed(0)} s`,
  );
  const gcRead = await heapAround(() =>
    syncResources(client, resources, { syncSetName: 'bench', discovery, gc: { dryRun: true } }),
  );
  const fullRead = await heapAround(
    async () => (await kubeRequest(client.connection, { path: '/api/v1/configmaps' })).body,
  );
  console.log('| read | seconds | heap growth (MiB) |');
  console.log('| --- | ---: | ---: |');
  console.log(
    `| flux-ts no-op sync + GC read, before the foreign ConfigMaps | ${gcReadEmpty.seconds.toFixed(2)} | ${gcReadEmpty.heapMiB.toFixed(1)} |`,
  );
  console.log(
    `| flux-ts no-op sync + GC read, with the foreign ConfigMaps | ${gcRead.seconds.toFixed(2)} | ${gcRead.heapMiB.toFixed(1)} |`,
  );
  console.log(
    `| Flux v1 style: list every ConfigMap | ${fullRead.seconds.toFixed(2)} | ${fullRead.heapMiB.toFixed(1)} |`,
  );
  await report('sync', [
    {
      figure: `full sync of ${COUNT} manifests vs kubectl apply --server-side (s)`,
      ours: oursFull.seconds,
      baseline: kubectlFull.seconds,
      unit: 's',
      on: 'ratio',
      op: '<=',
      goal: 0.5,
    },
    {
      figure: 'no-op sync vs kubectl apply --server-side (s)',
      ours: oursNoop.seconds,
      baseline: kubectlNoop.seconds,
      unit: 's',
      on: 'ratio',
      op: '<=',
      goal: 0.1,
    },
    // The GC read lists only what carries our mark, so it stays flat with the cluster's size; a
    // Flux-v1-style read of every object grows with it (the before/after pair above shows the flatness).
    {
      figure: `GC read heap growth with ${FOREIGN} foreign ConfigMaps vs a Flux-v1-style list of all (MiB)`,
      ours: gcRead.heapMiB,
      baseline: fullRead.heapMiB,
      unit: 'MiB',
      on: 'ratio',
      op: '<=',
      goal: 0.5,
    },
  ]);
} finally {
  await dir.remove();
  await kube.stop();
}
