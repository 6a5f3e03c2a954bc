// Batching (decisions.md 18): new tags announced within the settle window (--automation-settle)
// become one automation pass, so one commit and one note for the whole burst.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  changedLines,
  deploymentYaml,
  eventually,
  type FluxdEnv,
  namespaceYaml,
  needKube,
  nextCommit,
  notifyImage,
  type RunningFluxd,
  scannedTags,
  startFluxd,
  startFluxdEnv,
} from './support/acceptance.ts';

const kubeInfo = inject('kube');
const APPS = ['alpha', 'bravo', 'charlie', 'delta', 'echo'];

describe('automation batching', { timeout: 60_000 }, () => {
  let env: FluxdEnv;
  let fluxd: RunningFluxd;

  beforeAll(async () => {
    env = await startFluxdEnv(needKube(kubeInfo), {});
    const ns = env.namespace;
    await env.user.write('ns.yaml', namespaceYaml(ns));
    for (const app of APPS) {
      await env.registry.pushImage({ repo: `team/${app}`, tag: '1.0.0', created: '2024-01-01T00:00:00Z' });
      await env.user.write(
        `${app}.yaml`,
        deploymentYaml(ns, app, [[app, `${env.registry.host}/team/${app}:1.0.0`]], {
          'fluxcd.io/automated': 'true',
          [`fluxcd.io/tag.${app}`]: 'semver:^1',
        }),
      );
    }
    await env.user.commitAndPush('Five automated workloads');
    // Only the settle window starts automation here: no periodic pass, no periodic rescan.
    fluxd = await startFluxd(
      env,
      [`--k8s-allow-namespace=${env.namespace}`, '--automation-interval=10m', '--automation-settle=3s'],
      'batching',
    );
    for (const app of APPS) {
      await eventually(
        `${app} scanned`,
        async () =>
          ((await scannedTags(fluxd, `${ns}:deployment/${app}`))[app] ?? []).includes('1.0.0') || undefined,
        { fluxd },
      );
    }
  }, 120_000);

  afterAll(async () => {
    await fluxd?.stop();
    await env?.close();
  });

  it('a burst of five pushes becomes one commit, Auto-release multiple (5) images, with one note', async () => {
    const before = await env.user.pull();
    const reg = env.registry.host;
    // The registry's webhooks arrive together after a CI pipeline pushed five images.
    for (const app of APPS) {
      await env.registry.pushImage({ repo: `team/${app}`, tag: '1.1.0', created: '2024-02-01T00:00:00Z' });
    }
    for (const app of APPS) await notifyImage(fluxd, reg, `team/${app}`);
    const after = await nextCommit(env, fluxd, before, 'the automation commit');
    // Nothing follows: the burst was folded into that one commit.
    await new Promise((r) => setTimeout(r, 4000));
    expect(await env.user.pull()).toBe(after);
    expect((await env.user.git('rev-list', '--count', `${before}..${after}`)).trim()).toBe('1');
    expect(await env.user.git('log', '-1', '--format=%B', after)).toBe(
      `Auto-release multiple (5) images\n\n${APPS.map((a) => ` - ${reg}/team/${a}:1.1.0\n`).join('')}\n`,
    );
    const diff = changedLines(await env.user.git('diff', '--unified=0', before, after));
    expect(diff).toEqual(
      APPS.flatMap((a) => [
        `-        image: ${reg}/team/${a}:1.0.0`,
        `+        image: ${reg}/team/${a}:1.1.0`,
      ]),
    );
    const notes = (await env.user.git('notes', '--ref=flux', 'list')).trim().split('\n');
    expect(notes).toHaveLength(1);
    expect(notes[0]?.split(' ')[1]).toBe(after);
    const note = JSON.parse(await env.user.git('notes', '--ref=flux', 'show', after)) as {
      jobID: string;
      spec: { type: string };
      result: Record<string, { Status: string }>;
    };
    expect(note.spec.type).toBe('auto');
    expect(Object.keys(note.result).sort()).toEqual(APPS.map((a) => `${env.namespace}:deployment/${a}`));
    expect(Object.values(note.result).every((r) => r.Status === 'success')).toBe(true);
  });
});
