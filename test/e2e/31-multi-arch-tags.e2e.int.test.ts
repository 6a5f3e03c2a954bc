// Multi-arch tags (decisions.md 11, 19): a tag that is a Docker manifest list or an OCI index is
// resolved for --registry-platform (default linux/amd64); a tag without an image for that platform
// is skipped with a reason (`fluxctl why` names the platforms it has), list-images leaves it out,
// and automation and releases take the newest tag that has one, under time (`glob:`) and version
// (`semver:`, which decides by the tag alone) order alike.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  deploymentYaml,
  eventually,
  type FluxdEnv,
  fluxctlOf,
  namespaceYaml,
  needKube,
  nextCommit,
  type RunningFluxd,
  scannedTags,
  startFluxd,
  startFluxdEnv,
} from './support/acceptance.ts';

const kubeInfo = inject('kube');

describe('multi-arch tags', { timeout: 60_000 }, () => {
  let env: FluxdEnv;
  let fluxd: RunningFluxd | undefined;
  let image: string;
  let id: string;

  beforeAll(async () => {
    env = await startFluxdEnv(needKube(kubeInfo), {});
    image = `${env.registry.host}/team/multi`;
    id = `${env.namespace}:deployment/multi`;
    const push = (tag: string, created: string, platforms: string[], format: 'docker' | 'oci') =>
      env.registry.pushImage({ repo: 'team/multi', tag, created, platforms, format });
    const list = await push('1.0.0', '2024-01-01T00:00:00Z', ['linux/amd64', 'linux/arm64/v8'], 'docker');
    expect(list.mediaType).toBe('application/vnd.docker.distribution.manifest.list.v2+json');
    const index = await push('1.1.0', '2024-02-01T00:00:00Z', ['linux/amd64', 'linux/arm64/v8'], 'oci');
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    // The newest tag has no linux/amd64 image.
    await push('1.2.0', '2024-03-01T00:00:00Z', ['linux/arm64/v8', 'linux/s390x'], 'oci');
    await env.user.write('ns.yaml', namespaceYaml(env.namespace));
    await env.user.write(
      'multi.yaml',
      deploymentYaml(
        env.namespace,
        'multi',
        [
          ['multi', `${image}:1.0.0`],
          ['versioned', `${image}:1.0.0`],
        ],
        { 'fluxcd.io/automated': 'true', 'fluxcd.io/tag.versioned': 'semver:*' },
      ),
    );
    await env.user.commitAndPush('A multi-arch workload');
  }, 120_000);

  afterAll(async () => {
    await fluxd?.stop();
    await env?.close();
  });

  it('on linux/amd64 (the default): scans the list and the index, skips the arm-only tag, automates to 1.1.0', async () => {
    const before = (await env.user.git('rev-parse', 'HEAD')).trim();
    fluxd = await startFluxd(env, [`--k8s-allow-namespace=${env.namespace}`], 'amd64');
    const running = fluxd;
    const after = await nextCommit(env, running, before, 'the automation commit');
    expect((await env.user.git('log', '-1', '--format=%s', after)).trim()).toBe(
      `Auto-release ${image}:1.1.0`,
    );
    const manifest = await env.user.read('multi.yaml');
    expect(manifest).not.toContain(':1.2.0');
    expect(manifest.split(`        image: ${image}:1.1.0\n`)).toHaveLength(3); // both containers
    // The arm-only tag cannot run here: left out of the listing (and its counts), in both orders.
    for (const path of [
      `/v10/images?containerFields=&namespace=&service=${encodeURIComponent(id)}`,
      `/v6/images?service=${encodeURIComponent(id)}`,
    ]) {
      const res = await running.api(path);
      const [entry] = (await res.json()) as {
        Containers: {
          Name: string;
          Available?: { ID: string; CreatedAt?: string }[];
          AvailableImagesCount?: number;
          LatestFiltered: { ID: string };
        }[];
      }[];
      expect(
        entry?.Containers.map((c) => ({
          name: c.Name,
          available: (c.Available ?? []).map((a) => `${a.ID.split(':').at(-1)} ${a.CreatedAt ?? ''}`),
          count: c.AvailableImagesCount,
          latest: c.LatestFiltered.ID,
        })),
        path,
      ).toEqual(
        ['multi', 'versioned'].map((name) => ({
          name,
          available: ['1.1.0 2024-02-01T00:00:00Z', '1.0.0 2024-01-01T00:00:00Z'],
          count: 2,
          latest: `${image}:1.1.0`,
        })),
      );
    }
    // fluxctl why names the platform as the reason, and the platforms the tag has.
    const fluxctl = fluxctlOf(env, running);
    const reason = 'platform  +no image for linux/amd64 \\(it has linux/arm64/v8, linux/s390x\\)';
    for (const [container, order] of [
      [
        'multi',
        [/^'->\s+1\.1\.0 .* current /, /^\s+1\.0\.0 .* not-newer /, new RegExp(`^\\s+1\\.2\\.0 +${reason}$`)],
      ],
      [
        'versioned',
        [new RegExp(`^\\s+1\\.2\\.0 +${reason}$`), /^'->\s+1\.1\.0 .* current /, /^\s+1\.0\.0 .* not-newer /],
      ],
    ] as const) {
      const why = await fluxctl('why', '--workload', id, '--container', container);
      expect(why.code, why.stderr).toBe(0);
      const rows = why.stdout.split('\n').slice(2, 5);
      expect(rows, why.stdout).toHaveLength(3);
      for (const [i, row] of order.entries()) expect(rows[i], why.stdout).toMatch(row);
    }
    // Releases never take it: not as the latest image, and not when named.
    const latest = await fluxctl('release', '--workload', id, '--update-all-images', '--dry-run');
    expect(latest.code, latest.stderr).toBe(0);
    expect(latest.stdout).not.toContain('1.2.0');
    const named = await fluxctl('release', '--workload', id, `--update-image=${image}:1.2.0`, '--dry-run');
    expect(named.code).not.toBe(0);
    expect(named.stdout + named.stderr).toContain(
      `image "${image}:1.2.0" cannot run here: no image for linux/amd64 (it has linux/arm64/v8, linux/s390x)`,
    );
    // Nothing more to do: no second commit after another pass.
    await new Promise((r) => setTimeout(r, 3000));
    expect(await env.user.pull()).toBe(after);
    await running.stop();
    fluxd = undefined;
  });

  it('with --registry-platform=linux/arm64: the arm-only tag is taken', async () => {
    const before = await env.user.pull();
    // Its own image cache: the cache keys of tags do not include the platform, so a fluxd for
    // another platform sharing the memcached of the first would reuse its amd64 answers.
    fluxd = await startFluxd(
      env,
      [
        `--k8s-allow-namespace=${env.namespace}`,
        '--registry-platform=linux/arm64',
        '--memcached-hostname=memcached.invalid',
      ],
      'arm64',
    );
    const running = fluxd;
    const after = await nextCommit(env, running, before, 'the automation commit');
    expect((await env.user.git('log', '-1', '--format=%s', after)).trim()).toBe(
      `Auto-release ${image}:1.2.0`,
    );
    expect(await env.user.read('multi.yaml')).toContain(`        image: ${image}:1.2.0\n`);
    expect(
      await eventually('all three tags scanned', async () => {
        const tags = (await scannedTags(running, id)).multi ?? [];
        return tags.length === 3 ? tags : undefined;
      }),
    ).toEqual(['1.0.0', '1.1.0', '1.2.0']);
  });
});
