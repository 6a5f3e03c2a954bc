// Side-by-side: scanning REPOS repositories × TAGS tags on a real local registry, through the
// fault proxy that counts requests, with flux-ts's scanner and with a Flux-v1-style scan (manifest +
// config for every tag at every refresh), in the same run.
import { createCacheStore, createRegistryClient, createScanner, HostLimiters } from '@flux-ts/registry';
import { makeTempDir, startFaultProxy, startRegistry } from '@flux-ts/testkit';
import pLimit from 'p-limit';
import { report } from '../report.mjs';

const REPOS = Number(process.env.REPOS ?? 100);
const TAGS = Number(process.env.TAGS ?? 300);

const registry = await startRegistry();
const proxy = await startFaultProxy(registry.url);
const dir = await makeTempDir('flux-ts-bench-registry');
const repos = Array.from({ length: REPOS }, (_, i) => `bench/app-${String(i).padStart(3, '0')}`);

try {
  const seedStart = performance.now();
  const limit = pLimit(8);
  await Promise.all(
    repos.flatMap((repo) =>
      Array.from({ length: TAGS }, (_, t) =>
        limit(() =>
          registry.pushImage({
            repo,
            tag: `1.${Math.floor(t / 100)}.${t % 100}`,
            created: new Date(Date.UTC(2020, 0, 1) + t * 3_600_000),
          }),
        ),
      ),
    ),
  );
  console.log(
    `seeded ${REPOS} repositories × ${TAGS} tags in ${((performance.now() - seedStart) / 1000).toFixed(0)} s`,
  );

  const measure = async (label, fn) => {
    proxy.reset();
    const t0 = performance.now();
    await fn();
    return { label, requests: proxy.requests.length, seconds: (performance.now() - t0) / 1000 };
  };
  const refs = repos.map((r) => `${proxy.host}/${r}`);
  const limiter = new HostLimiters({ rps: 100_000, burst: 64 });
  const client = createRegistryClient({ host: proxy.host, insecure: true, limiter });

  // flux-ts: the tag list per interval; metadata keyed by digest, fetched once, kept in a file store.
  const fileStore = await createCacheStore({ kind: 'file', dir: dir.path });
  const scanner = createScanner({ clientFor: () => client, cache: fileStore, concurrency: 8 });
  const all = (s) => Promise.all(refs.map((r) => limit(() => s.refresh(r))));
  const cold = await measure('flux-ts cold fill', () => all(scanner));
  const warm = await measure('flux-ts refresh, nothing new', () => all(scanner));
  await fileStore.close();
  const reopened = await createCacheStore({ kind: 'file', dir: dir.path });
  const restarted = createScanner({ clientFor: () => client, cache: reopened, concurrency: 8 });
  const restart = await measure('flux-ts after a restart (file store)', () => all(restarted));
  await reopened.close();

  // Flux v1 style: every refresh fetches every tag's manifest and config.
  const v1Scan = () =>
    Promise.all(
      repos.map((repo) =>
        limit(async () => {
          const tags = await client.tags(repo);
          const inner = pLimit(8);
          await Promise.all(tags.map((tag) => inner(() => client.imageInfo(`${proxy.host}/${repo}:${tag}`))));
        }),
      ),
    );
  const v1Cold = await measure('Flux v1 style, cold', v1Scan);
  const v1Warm = await measure('Flux v1 style, refresh', v1Scan);

  console.log(`\nregistry scan: ${REPOS} repositories × ${TAGS} tags, requests counted by the fault proxy`);
  console.log('| scan | requests | seconds |');
  console.log('| --- | ---: | ---: |');
  for (const r of [cold, warm, restart, v1Cold, v1Warm])
    console.log(`| ${r.label} | ${r.requests} | ${r.seconds.toFixed(1)} |`);
  console.log(
    `\nratios: warm refresh ${(v1Warm.requests / Math.max(1, warm.requests)).toFixed(0)}× fewer requests than Flux v1 style; ` +
      `after restart ${(v1Warm.requests / Math.max(1, restart.requests)).toFixed(0)}× fewer; cold fill ${(v1Cold.requests / cold.requests).toFixed(2)}× (same work)`,
  );
  await report('registry', [
    {
      figure: `refresh with nothing new: requests (${REPOS} repositories × ${TAGS} tags; goal: the ${REPOS} tag lists)`,
      ours: warm.requests,
      baseline: v1Warm.requests,
      unit: 'requests',
      on: 'value',
      op: '<=',
      goal: REPOS,
    },
    {
      figure: 'first refresh after a restart: requests (no per-tag refetch)',
      ours: restart.requests,
      baseline: v1Warm.requests,
      unit: 'requests',
      on: 'value',
      op: '<=',
      goal: REPOS,
    },
    {
      figure: 'cold fill: requests (same work as Flux v1)',
      ours: cold.requests,
      baseline: v1Cold.requests,
      unit: 'requests',
      on: 'ratio',
      op: '<=',
      goal: 1,
    },
  ]);
  await limiter.stop();
} finally {
  await proxy.close();
  await registry.stop();
  await dir.remove();
}
