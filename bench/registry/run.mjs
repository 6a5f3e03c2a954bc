// Side-by-side: scanning REPOS repositories × TAGS tags on a real local registry, through the
// fault proxy that counts requests, with flux-ts's scanner and with a Flux-v1-style scan (manifest +
// config for every tag at every refresh), in the same run. Then a cold start of the warmer against a
// Flux-v1-style warmer that scans repository by repository (tag list, then that repository's whole
// fill): how long until every repository's tags are known (all a semver: decision needs).
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
  // 64 metadata reads in flight, as many as the limiter's burst (both scans are rate-bound alike).
  const scanner = createScanner({ clientFor: () => client, cache: fileStore, concurrency: 64 });
  const all = (s) => Promise.all(refs.map((r) => limit(() => s.refresh(r))));
  const cold = await measure('flux-ts cold fill', () => all(scanner));
  const warm = await measure('flux-ts refresh, nothing new', () => all(scanner));
  await fileStore.close();
  const reopened = await createCacheStore({ kind: 'file', dir: dir.path });
  const restarted = createScanner({ clientFor: () => client, cache: reopened, concurrency: 64 });
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

  // Cold start of a warmer, side by side: flux-ts's (every tag list first, then one shared background
  // fill) and Flux v1's (repository by repository: its tag list, then its whole fill, then the next).
  // "Tags known": the last repository's tag list has been read.
  const fillRequests = REPOS * TAGS;
  const manifestGets = () =>
    proxy.requests.filter((r) => r.method === 'GET' && r.path.includes('/manifests/')).length;
  /** Requests that went out up to and including the last tag list. */
  const requestsUntilLastTagList = () =>
    proxy.requests.findLastIndex((r) => r.path.endsWith('/tags/list')) + 1;
  const watched = (onTags) => ({
    host: client.host,
    tags: async (repository, signal) => {
      const tags = await client.tags(repository, signal);
      onTags(repository);
      return tags;
    },
    manifest: (repository, reference, signal) => client.manifest(repository, reference, signal),
    headDigest: (repository, reference, signal) => client.headDigest(repository, reference, signal),
    imageInfo: (ref, signal) => client.imageInfo(ref, signal),
  });

  const coldDir = await makeTempDir('flux-ts-bench-registry-cold');
  const coldStore = await createCacheStore({ kind: 'file', dir: coldDir.path });
  proxy.reset();
  const ourStart = performance.now();
  const listed = new Set();
  let ourTagsKnown = 0;
  const warmer = createScanner({
    cache: coldStore,
    concurrency: 64,
    clientFor: () =>
      watched((repo) => {
        listed.add(repo);
        if (listed.size === REPOS) ourTagsKnown = performance.now() - ourStart;
      }),
  });
  const stop = new AbortController();
  const loop = warmer.start(() => refs, stop.signal);
  while (manifestGets() < fillRequests) {
    if (performance.now() - ourStart > 30 * 60_000)
      throw new Error(`the warmer's fill did not finish in 30 min`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const ourFillDone = performance.now() - ourStart;
  const ourRequestsUntilTags = requestsUntilLastTagList();
  stop.abort();
  await loop;
  const unknown = (await Promise.all(refs.map((r) => warmer.getRepository(r)))).filter(
    (m) => m.tags.length !== TAGS,
  );
  if (unknown.length > 0)
    throw new Error(`the warmer left ${unknown.length} repositories without their tags`);
  await coldStore.close();
  await coldDir.remove();

  proxy.reset();
  const v1Start = performance.now();
  let v1TagsKnown = 0;
  for (const [i, repo] of repos.entries()) {
    const tags = await client.tags(repo);
    if (i === repos.length - 1) v1TagsKnown = performance.now() - v1Start;
    const inner = pLimit(64);
    await Promise.all(tags.map((tag) => inner(() => client.imageInfo(`${proxy.host}/${repo}:${tag}`))));
  }
  const v1FillDone = performance.now() - v1Start;
  const v1RequestsUntilTags = requestsUntilLastTagList();

  console.log(`\nregistry scan: ${REPOS} repositories × ${TAGS} tags, requests counted by the fault proxy`);
  console.log('| scan | requests | seconds |');
  console.log('| --- | ---: | ---: |');
  for (const r of [cold, warm, restart, v1Cold, v1Warm])
    console.log(`| ${r.label} | ${r.requests} | ${r.seconds.toFixed(1)} |`);
  console.log(
    `\nratios: warm refresh ${(v1Warm.requests / Math.max(1, warm.requests)).toFixed(0)}× fewer requests than Flux v1 style; ` +
      `after restart ${(v1Warm.requests / Math.max(1, restart.requests)).toFixed(0)}× fewer; cold fill ${(v1Cold.requests / cold.requests).toFixed(2)}× (same work)`,
  );
  console.log(`\ncold start of the warmer (${REPOS} repositories × ${TAGS} tags)`);
  console.log('| warmer | every tag list known (s) | requests until then | whole fill done (s) |');
  console.log('| --- | ---: | ---: | ---: |');
  console.log(
    `| flux-ts (tag lists first, one shared fill) | ${(ourTagsKnown / 1000).toFixed(2)} | ${ourRequestsUntilTags} | ${(ourFillDone / 1000).toFixed(1)} |`,
  );
  console.log(
    `| Flux v1 style (repository by repository) | ${(v1TagsKnown / 1000).toFixed(2)} | ${v1RequestsUntilTags} | ${(v1FillDone / 1000).toFixed(1)} |`,
  );
  console.log(`ratio: every tag list known after ${(ourTagsKnown / v1TagsKnown).toFixed(3)}× the time`);
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
      figure: `cold start: time until every repository's tags are known (${REPOS} × ${TAGS}; baseline: repo by repo, as Flux v1's warmer)`,
      ours: ourTagsKnown / 1000,
      baseline: v1TagsKnown / 1000,
      unit: 's',
      on: 'ratio',
      op: '<=',
      goal: 0.1,
    },
    {
      figure: `cold start: requests sent until every tag list is known (goal: the ${REPOS} tag lists)`,
      ours: ourRequestsUntilTags,
      baseline: v1RequestsUntilTags,
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
