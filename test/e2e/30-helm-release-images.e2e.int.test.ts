// HelmRelease images (spec §4.4): automation finds the images in each shape of `spec.values` and
// writes the new tag back into the same keys, changing only those bytes.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  changedLines,
  eventually,
  type FluxdEnv,
  getObject,
  installHelmReleaseCrd,
  namespaceYaml,
  needKube,
  type RunningFluxd,
  startFluxd,
  startFluxdEnv,
} from './support/acceptance.ts';

const kubeInfo = inject('kube');

/** Every shape at once: image+tag siblings (chart-image), named keys (string, registry map), a mapped alias. */
function ghost(ns: string, reg: string): string {
  return `apiVersion: helm.fluxcd.io/v1
kind: HelmRelease
metadata:
  name: ghost
  namespace: ${ns}
  annotations:
    fluxcd.io/automated: "true"
    repository.fluxcd.io/sidecar: sidecar.ref.repo
    tag.fluxcd.io/sidecar: sidecar.ref.version
spec:
  releaseName: ghost
  chart:
    repository: https://charts.example.com/
    name: ghost
    version: 9.0.0
  values:
    image: ${reg}/team/ghost # the chart's own image
    tag: "1.0.0"
    worker:
      image: ${reg}/team/worker:1.0.0
      replicas: 2
    cache:
      image:
        registry: ${reg}
        repository: team/cache
        tag: '1.0.0'
    sidecar:
      ref:
        repo: ${reg}/team/sidecar
        version: 1.0.0
    unrelated:
      version: 1.0.0
`;
}

/** The plain string form, and a map image under `image` (repository + tag). */
function redis(ns: string, reg: string): string {
  return `apiVersion: helm.fluxcd.io/v1
kind: HelmRelease
metadata:
  name: redis
  namespace: ${ns}
  annotations:
    fluxcd.io/automated: "true"
    fluxcd.io/tag.chart-image: semver:~1
spec:
  releaseName: redis
  chart:
    repository: https://charts.example.com/
    name: redis
    version: 10.5.7
  values:
    image: ${reg}/team/redis:1.0.0
    metrics:
      image:
        repository: ${reg}/team/exporter
        tag: 1.0.0
`;
}

const REPOS = ['ghost', 'worker', 'cache', 'sidecar', 'redis', 'exporter'];

describe('HelmRelease images', { timeout: 60_000 }, () => {
  let env: FluxdEnv;
  let fluxd: RunningFluxd;
  let reg: string;
  let start: string;

  beforeAll(async () => {
    env = await startFluxdEnv(needKube(kubeInfo), {});
    reg = env.registry.host;
    await installHelmReleaseCrd(env);
    for (const repo of REPOS) {
      await env.registry.pushImage({ repo: `team/${repo}`, tag: '1.0.0', created: '2024-01-01T00:00:00Z' });
    }
    await env.user.write('ns.yaml', namespaceYaml(env.namespace));
    await env.user.write('releases/ghost.yaml', ghost(env.namespace, reg));
    await env.user.write('releases/redis.yaml', redis(env.namespace, reg));
    start = await env.user.commitAndPush('HelmReleases');
    fluxd = await startFluxd(
      env,
      [`--k8s-allow-namespace=${env.namespace}`, '--automation-settle=2s'],
      'helm',
    );
  }, 120_000);

  afterAll(async () => {
    await fluxd?.stop();
    await env?.close();
  });

  it('reads the containers of each value shape', async () => {
    const services = await eventually(
      'both HelmReleases in the cluster',
      async () => {
        const list = (await (await fluxd.api(`/v6/services?namespace=${env.namespace}`)).json()) as {
          ID: string;
          Containers: { Name: string; Current: { ID: string } }[];
        }[];
        return list.length === 2 ? list : undefined;
      },
      { fluxd },
    );
    const containers = Object.fromEntries(
      services.map((s) => [s.ID, s.Containers.map((c) => `${c.Name}=${c.Current.ID}`)]),
    );
    expect(containers).toEqual({
      [`${env.namespace}:helmrelease/ghost`]: [
        `chart-image=${reg}/team/ghost:1.0.0`,
        `cache=${reg}/team/cache:1.0.0`,
        `sidecar=${reg}/team/sidecar:1.0.0`,
        `worker=${reg}/team/worker:1.0.0`,
      ],
      [`${env.namespace}:helmrelease/redis`]: [
        `chart-image=${reg}/team/redis:1.0.0`,
        `metrics=${reg}/team/exporter:1.0.0`,
      ],
    });
  });

  it('automation writes each new tag into the key it came from, and nothing else', async () => {
    await env.user.pull();
    for (const repo of REPOS) {
      await env.registry.pushImage({ repo: `team/${repo}`, tag: '1.1.0', created: '2024-02-01T00:00:00Z' });
    }
    // A newer tag outside redis's semver:~1 filter.
    await env.registry.pushImage({ repo: 'team/redis', tag: '2.0.0', created: '2024-03-01T00:00:00Z' });
    await eventually(
      'every image at 1.1.0 in git',
      async () => {
        await env.user.pull();
        const text =
          (await env.user.read('releases/ghost.yaml')) + (await env.user.read('releases/redis.yaml'));
        return (text.match(/1\.1\.0/g) ?? []).length === 6;
      },
      { fluxd },
    );
    const ghostDiff = changedLines(
      await env.user.git('diff', '--unified=0', start, 'HEAD', '--', 'releases/ghost.yaml'),
    );
    expect(ghostDiff.sort()).toEqual(
      [
        '-    tag: "1.0.0"',
        '+    tag: "1.1.0"',
        `-      image: ${reg}/team/worker:1.0.0`,
        `+      image: ${reg}/team/worker:1.1.0`,
        "-        tag: '1.0.0'",
        "+        tag: '1.1.0'",
        '-        version: 1.0.0',
        '+        version: 1.1.0',
      ].sort(),
    );
    const redisDiff = changedLines(
      await env.user.git('diff', '--unified=0', start, 'HEAD', '--', 'releases/redis.yaml'),
    );
    expect(redisDiff.sort()).toEqual(
      [
        `-    image: ${reg}/team/redis:1.0.0`,
        `+    image: ${reg}/team/redis:1.1.0`,
        '-        tag: 1.0.0',
        '+        tag: 1.1.0',
      ].sort(),
    );
    expect(await env.user.read('releases/ghost.yaml')).toContain(
      `    image: ${reg}/team/ghost # the chart's own image\n`,
    );
    expect(await env.user.read('releases/ghost.yaml')).toContain('    unrelated:\n      version: 1.0.0\n');
    const subjects = (await env.user.git('log', '--format=%s', `${start}..HEAD`)).trim().split('\n');
    expect(subjects.every((s) => s.startsWith('Auto-release'))).toBe(true);
    // The cluster gets the last of the automation commits (there may be more than one).
    await eventually(
      'the HelmRelease updated in the cluster',
      async () => {
        const obj = await getObject(
          env.kube,
          `/apis/helm.fluxcd.io/v1/namespaces/${env.namespace}/helmreleases/ghost`,
        );
        return (JSON.stringify(obj?.spec).match(/1\.1\.0/g) ?? []).length === 4;
      },
      { fluxd },
    );
    const hr = await getObject(
      env.kube,
      `/apis/helm.fluxcd.io/v1/namespaces/${env.namespace}/helmreleases/ghost`,
    );
    expect((hr?.spec as { values?: unknown } | undefined)?.values).toMatchObject({
      tag: '1.1.0',
      worker: { image: `${reg}/team/worker:1.1.0` },
      cache: { image: { tag: '1.1.0' } },
      sidecar: { ref: { version: '1.1.0' } },
      unrelated: { version: '1.0.0' },
    });
  });
});
