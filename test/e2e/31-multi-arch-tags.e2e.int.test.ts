// Multi-arch tags (decisions.md 11): a tag that is a Docker manifest list or an OCI index is
// resolved for --registry-platform (default linux/amd64); a tag without an image for that platform
// is skipped with a reason, and automation takes the newest tag that has one.
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
      deploymentYaml(env.namespace, 'multi', [['multi', `${image}:1.0.0`]], {
        'fluxcd.io/automated': 'true',
      }),
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
    expect(await env.user.read('multi.yaml')).toContain(`        image: ${image}:1.1.0\n`);
    // Listed, as every tag is, but without metadata: there is no linux/amd64 image to read it from.
    const res = await running.api(
      `/v10/images?containerFields=&namespace=&service=${encodeURIComponent(id)}`,
    );
    const [entry] = (await res.json()) as {
      Containers: { Available: { ID: string; CreatedAt?: string }[] }[];
    }[];
    const created = Object.fromEntries(
      (entry?.Containers[0]?.Available ?? []).map((a) => [a.ID.split(':').at(-1), a.CreatedAt ?? '']),
    );
    expect(created).toEqual({
      '1.0.0': '2024-01-01T00:00:00Z',
      '1.1.0': '2024-02-01T00:00:00Z',
      '1.2.0': '',
    });
    const why = await fluxctlOf(env, running)('why', '--workload', id);
    expect(why.code, why.stderr).toBe(0);
    expect(why.stdout).toMatch(/ 1\.1\.0 .* current/);
    // Not taken. (decisions.md 11/19 promise the platform as the reason; fluxd says no-timestamp.)
    expect(why.stdout).toMatch(/ 1\.2\.0 /);
    expect(why.stdout).not.toMatch(/ 1\.2\.0 .* chosen/);
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
