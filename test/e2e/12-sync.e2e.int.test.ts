// Flux v1's test/e2e/12_sync.bats against our fluxd: the repository syncs, the sync tag follows
// the head, and a duplicate resource definition stops the sync.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  deploymentImage,
  eventually,
  type FluxdEnv,
  helmReleaseObject,
  type RunningFluxd,
  startGetStarted,
  syncTag,
  syncTagAt,
} from './support/scenario.ts';

const kubeInfo = inject('kube');

describe('12 sync', { timeout: 150_000 }, () => {
  let env: FluxdEnv;
  let fluxd: RunningFluxd;
  let ns: string;

  beforeAll(async () => {
    // Garbage collection on, so that "nothing is deleted when the sync fails" means something.
    ({ env, fluxd } = await startGetStarted(kubeInfo, [
      '--sync-interval=10s',
      '--registry-disable-scanning',
      '--sync-garbage-collection',
    ]));
    ns = env.namespace;
  }, 180_000);

  afterAll(async () => {
    await fluxd?.stop();
    await env?.close();
  });

  it('basic sync: workloads appear, the sync tag follows the head, a pushed image change is applied', async () => {
    await eventually('deployment/podinfo', () => deploymentImage(env, ns, 'podinfo'), { fluxd });
    for (const name of ['ghost', 'mongodb', 'redis']) {
      await eventually(`helmrelease/${name}`, () => helmReleaseObject(env, ns, name), { fluxd });
    }
    let head = (await env.user.git('rev-parse', 'HEAD')).trim();
    await syncTagAt(env, head, fluxd);

    const file = 'workloads/podinfo-dep.yaml';
    const text = await env.user.read(file);
    await env.user.write(file, text.replace(/stefanprodan\/podinfo:.*/, 'stefanprodan/podinfo:3.1.5'));
    head = await env.user.commitAndPush('Bump podinfo');
    await eventually(
      'podinfo at 3.1.5',
      async () => (await deploymentImage(env, ns, 'podinfo')) === 'stefanprodan/podinfo:3.1.5',
      { fluxd },
    );
    await syncTagAt(env, head, fluxd);
  });

  it('sync fails on a duplicate resource: logged, nothing applied, the sync tag stays', async () => {
    await env.user.pull();
    const head = (await env.user.git('rev-parse', 'HEAD')).trim();
    await syncTagAt(env, head, fluxd);
    const imageBefore = await deploymentImage(env, ns, 'podinfo');
    expect(imageBefore).toBe('stefanprodan/podinfo:3.1.5');

    // Bump podinfo and duplicate its definition (to cause a sync failure).
    const file = 'workloads/podinfo-dep.yaml';
    const bumped = (await env.user.read(file)).replace(
      /stefanprodan\/podinfo:.*/,
      'stefanprodan/podinfo:3.1.6',
    );
    await env.user.write(file, bumped);
    await env.user.write('workloads/podinfo-dep-2.yaml', bumped);
    const duplicated = await env.user.commitAndPush('Bump podinfo and duplicate it to cause an error');
    expect(duplicated).not.toBe(head);

    await eventually(
      'the duplicate definition in the log',
      async () => (await fluxd.log()).includes(`duplicate definition of '${ns}:deployment/podinfo'`),
      { fluxd },
    );
    // A full sync pass (--sync-interval=10s) also sees the duplicate; nothing moves meanwhile.
    await new Promise((r) => setTimeout(r, 3_000));
    expect.soft(await deploymentImage(env, ns, 'podinfo'), 'the running image').toBe(imageBefore);
    expect.soft(await syncTag(env), 'the sync tag').toBe(head);
    // Nothing was garbage collected.
    for (const name of ['ghost', 'mongodb', 'redis']) {
      expect(await helmReleaseObject(env, ns, name), `helmrelease/${name}`).toBeDefined();
    }
    expect(await deploymentImage(env, ns, 'podinfo')).toBeDefined();
  });
});
