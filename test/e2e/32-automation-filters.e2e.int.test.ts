// Automation under each tag filter (spec §3.3, §8.4): one workload per `semver:` / `glob:` /
// `regex:` / `regexp:` filter (and one without a filter) moves to the newest matching tag, and
// never to a newer tag the filter does not match.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  clusterImages,
  deploymentYaml,
  eventually,
  type FluxdEnv,
  namespaceYaml,
  needKube,
  notifyImage,
  type RunningFluxd,
  scannedTags,
  startFluxd,
  startFluxdEnv,
} from './support/acceptance.ts';

const kubeInfo = inject('kube');

interface Case {
  name: string;
  filter?: string;
  /** Tags with their creation month (2024), pushed before fluxd starts; the first is the running one. */
  tags: [string, number][];
  expected: string;
  /** Newer tags the filter does not match, pushed once automation settled. */
  later: [string, number][];
}

const CASES: Case[] = [
  {
    name: 'semver',
    filter: 'semver:~1',
    // 1.0.9 is the newest by time, 2.0.0 the highest version, 1.2.0-rc.1 a pre-release.
    tags: [
      ['1.0.0', 1],
      ['1.1.0', 2],
      ['1.2.0-rc.1', 3],
      ['2.0.0', 4],
      ['1.0.9', 5],
    ],
    expected: '1.1.0',
    later: [
      ['2.1.0', 8],
      ['1.3.0-beta.1', 8],
    ],
  },
  {
    name: 'glob',
    filter: 'glob:main-*',
    tags: [
      ['main-1', 1],
      ['main-2', 2],
      ['dev-3', 3],
    ],
    expected: 'main-2',
    later: [
      ['dev-9', 8],
      ['xmain-9', 8],
    ],
  },
  {
    name: 'regex',
    filter: 'regex:^build-[0-9]+$',
    tags: [
      ['build-10', 1],
      ['build-11', 2],
      ['build-12-rc', 3],
    ],
    expected: 'build-11',
    later: [['build-13-rc', 8]],
  },
  {
    name: 'regexp',
    filter: 'regexp:^v[0-9]$',
    tags: [
      ['v1', 1],
      ['v2', 2],
      ['v3-beta', 3],
    ],
    expected: 'v2',
    later: [['v10', 8]],
  },
  {
    // No filter is glob:*, which never matches `latest`.
    name: 'plain',
    tags: [
      ['1.0', 1],
      ['1.1', 2],
      ['latest', 3],
    ],
    expected: '1.1',
    later: [['latest', 8]],
  },
];

const month = (m: number): string => `2024-${String(m).padStart(2, '0')}-01T00:00:00Z`;

describe('automation filters', { timeout: 60_000 }, () => {
  let env: FluxdEnv;
  let fluxd: RunningFluxd;
  let start: string;
  const image = (c: Case): string => `${env.registry.host}/team/${c.name}`;

  beforeAll(async () => {
    env = await startFluxdEnv(needKube(kubeInfo), {});
    const ns = env.namespace;
    await env.user.write('ns.yaml', namespaceYaml(ns));
    for (const c of CASES) {
      for (const [tag, m] of c.tags) {
        await env.registry.pushImage({ repo: `team/${c.name}`, tag, created: month(m) });
      }
      await env.user.write(
        `${c.name}.yaml`,
        deploymentYaml(ns, c.name, [[c.name, `${image(c)}:${c.tags[0]?.[0]}`]], {
          'fluxcd.io/automated': 'true',
          ...(c.filter ? { [`fluxcd.io/tag.${c.name}`]: c.filter } : {}),
        }),
      );
    }
    start = await env.user.commitAndPush('One workload per filter');
    fluxd = await startFluxd(
      env,
      [`--k8s-allow-namespace=${env.namespace}`, '--automation-settle=1s'],
      'filters',
    );
  }, 120_000);

  afterAll(async () => {
    await fluxd?.stop();
    await env?.close();
  });

  it('each workload moves to the newest tag its filter matches', async () => {
    const expected = Object.fromEntries(CASES.map((c) => [c.name, `image: ${image(c)}:${c.expected}`]));
    const actual = async (): Promise<Record<string, string>> => {
      await env.user.pull();
      const out: Record<string, string> = {};
      for (const c of CASES)
        out[c.name] = (await env.user.read(`${c.name}.yaml`)).match(/image: \S+/)?.[0] ?? '';
      return out;
    };
    await eventually(
      'every workload automated',
      async () => JSON.stringify(await actual()) === JSON.stringify(expected),
      { fluxd },
    ).catch(async (err: Error) => {
      throw new Error(`${err.message}\ngit has ${JSON.stringify(await actual())}`);
    });
    const subjects = (await env.user.git('log', '--format=%s', `${start}..HEAD`)).trim().split('\n');
    expect(subjects.every((s) => s.startsWith('Auto-release'))).toBe(true);
    for (const c of CASES) {
      await eventually(
        `${c.name} running ${c.expected}`,
        async () => (await clusterImages(env, env.namespace, c.name))[c.name] === `${image(c)}:${c.expected}`,
        { fluxd },
      );
    }
  });

  it('newer tags that the filters do not match are never taken', async () => {
    const head = await env.user.pull();
    for (const c of CASES) {
      for (const [tag, m] of c.later)
        await env.registry.pushImage({ repo: `team/${c.name}`, tag, created: month(m) });
      await notifyImage(fluxd, env.registry.host, `team/${c.name}`);
    }
    for (const c of CASES) {
      await eventually(
        `the new ${c.name} tags scanned`,
        async () => {
          const tags = (await scannedTags(fluxd, `${env.namespace}:deployment/${c.name}`))[c.name] ?? [];
          return c.later.every(([t]) => tags.includes(t));
        },
        { fluxd },
      );
    }
    // The settle window (1 s) and two automation passes (every 2 s).
    await new Promise((r) => setTimeout(r, 5000));
    expect(await env.user.pull()).toBe(head);
    expect(await fluxd.log()).not.toContain('"level":"error"');
  });
});
