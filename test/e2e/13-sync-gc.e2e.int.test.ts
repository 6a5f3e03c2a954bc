// Flux v1's test/e2e/13_sync_gc.bats against our fluxd: with --sync-garbage-collection, a
// manifest removed from git is deleted from the cluster.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fluxctlFor } from '../support/fluxctl.ts';
import {
  deploymentImage,
  deploymentNames,
  eventually,
  type FluxdEnv,
  helmReleaseObject,
  type RunningFluxd,
  startGetStarted,
  syncTag,
} from './support/scenario.ts';

const kubeInfo = inject('kube');

describe('13 sync with garbage collection', { timeout: 150_000 }, () => {
  let env: FluxdEnv;
  let fluxd: RunningFluxd;
  let ns: string;

  beforeAll(async () => {
    ({ env, fluxd } = await startGetStarted(kubeInfo, [
      '--sync-interval=10s',
      '--registry-disable-scanning',
      '--sync-garbage-collection',
      // The GC budget (beyond Flux v1): one object per sync; the second test goes over it.
      '--sync-garbage-collection-max=1',
    ]));
    ns = env.namespace;
  }, 180_000);

  afterAll(async () => {
    await fluxd?.stop();
    await env?.close();
  });

  it('a deployment removed from git is garbage collected; the sync tag follows the head', async () => {
    const fluxctl = fluxctlFor(fluxd.url);
    // Wait until fluxd deploys the workloads, which shows it has at least started a sync.
    await eventually('deployment/podinfo', () => deploymentImage(env, ns, 'podinfo'), { fluxd });
    // Make sure a sync has finished.
    const first = await fluxctl('sync');
    expect(first.stderr).toContain('Done.');
    expect(first.code).toBe(0);
    let head = (await env.user.git('rev-parse', 'HEAD')).trim();
    expect(await syncTag(env)).toBe(head);

    await env.user.git('rm', '--quiet', 'workloads/podinfo-dep.yaml');
    head = await env.user.commitAndPush('Remove podinfo deployment');

    const second = await fluxctl('sync');
    expect(second.stderr).toContain(`Revision of main to apply is ${head.slice(0, 7)}\n`);
    expect(second.code).toBe(0);
    await eventually('no deployments left', async () => (await deploymentNames(env, ns)).length === 0, {
      fluxd,
    });
    expect(await syncTag(env)).toBe(head);
    // Only what git no longer has is collected.
    for (const name of ['ghost', 'mongodb', 'redis']) {
      expect(await helmReleaseObject(env, ns, name)).toBeDefined();
    }
    expect((await env.apis.core.readNamespace({ name: ns })).metadata?.name).toBe(ns);
  });

  it('a collection over --sync-garbage-collection-max is refused, and fluxctl sync says so', async () => {
    const fluxctl = fluxctlFor(fluxd.url);
    await env.user.git('rm', '--quiet', 'releases/ghost.yaml', 'releases/mongodb.yaml');
    const head = await env.user.commitAndPush('Remove two HelmReleases');

    const refused = await fluxctl('sync');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `Error: ${head.slice(0, 7)} is applied, but garbage collection was refused (nothing was deleted):\n  garbage collection: garbage collection refused: 2 objects to delete, over the budget of 1`,
    );
    for (const name of ['ghost', 'mongodb', 'redis']) {
      expect(await helmReleaseObject(env, ns, name)).toBeDefined();
    }
    // The sync itself is done: the tag follows the head.
    expect(await syncTag(env)).toBe(head);
  });
});
