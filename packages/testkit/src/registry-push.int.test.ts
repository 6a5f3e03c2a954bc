import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type TestRegistry } from './registry.ts';
import type { PushedImage } from './registry-push.ts';

// Many pushes at once to one Docker Distribution 2.8 (as the bench seeds its registry): images that
// share their layer, some their whole manifest, and lists over shared children. Before writes of one
// digest were serialised, a few of every 80 such pushes failed with DIGEST_INVALID and
// MANIFEST_BLOB_UNKNOWN (the registry rewrites a blob's link file in place while a manifest PUT reads
// it); three rounds make a regression all but certain to show.

const TAGS = 40;
const ROUNDS = 3;

describe('pushImage under concurrent pushes to one registry', { timeout: 120_000 }, () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
  });

  async function get(path: string, accept?: string): Promise<Response> {
    const res = await fetch(`${registry.url}${path}`, accept ? { headers: { Accept: accept } } : {});
    expect(res.status, path).toBe(200);
    return res;
  }

  it.each(Array.from({ length: ROUNDS }, (_, round) => round))(
    `round %i: pushes ${TAGS} tags to each of two repositories at once; all succeed and read back`,
    async (round) => {
      const repos = [`bench/app-a-${round}`, `bench/app-b-${round}`];
      const jobs = repos.flatMap((repo) =>
        Array.from({ length: TAGS }, (_, i) => ({
          repo,
          tag: `1.${i}.0`,
          // Four creation times: every tag shares the layer, and ten tags share each config and
          // manifest, in both repositories.
          created: new Date(Date.UTC(2024, 0, 1 + (i % 4))),
          ...(i % 10 === 9 ? { platforms: ['linux/amd64', 'linux/arm64/v8'] } : {}),
        })),
      );
      const results = await Promise.allSettled(jobs.map((job) => registry.pushImage(job)));
      const failed = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
      expect(failed).toEqual([]);
      const pushed = results.map((r) => (r as PromiseFulfilledResult<PushedImage>).value);

      for (const repo of repos) {
        expect(await registry.listTags(repo)).toHaveLength(TAGS);
      }
      for (const [i, job] of jobs.entries()) {
        const image = pushed[i];
        const res = await get(`/v2/${job.repo}/manifests/${job.tag}`, image?.mediaType);
        expect(res.headers.get('docker-content-digest')).toBe(image?.digest);
        const manifest = (await res.json()) as {
          config?: { digest: string };
          layers?: { digest: string }[];
          manifests?: { digest: string }[];
        };
        const children = manifest.manifests?.map((m) => m.digest) ?? [];
        expect(children).toEqual(image?.children.map((c) => c.digest));
        const singles = children.length > 0 ? [] : [manifest];
        for (const child of children) {
          singles.push((await (await get(`/v2/${job.repo}/manifests/${child}`)).json()) as typeof manifest);
        }
        for (const single of singles) {
          const config = (await (await get(`/v2/${job.repo}/blobs/${single.config?.digest}`)).json()) as {
            created: string;
          };
          expect(config.created).toBe(job.created.toISOString());
          for (const layer of single.layers ?? [])
            await (await get(`/v2/${job.repo}/blobs/${layer.digest}`)).arrayBuffer();
        }
      }
    },
  );
});
