// Flux v1's test/e2e/16_fluxctl_sync.bats against our fluxd: with the sync and poll intervals
// set to a year, `fluxctl sync` is what brings the cluster to the head.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fluxctlFor } from '../support/fluxctl.ts';
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

describe('16 fluxctl sync', { timeout: 150_000 }, () => {
  let env: FluxdEnv;
  let fluxd: RunningFluxd;
  let ns: string;

  beforeAll(async () => {
    ({ env, fluxd } = await startGetStarted(kubeInfo, [
      '--registry-disable-scanning',
      '--sync-interval=8760h',
      '--git-poll-interval=8760h',
    ]));
    ns = env.namespace;
  }, 180_000);

  afterAll(async () => {
    await fluxd?.stop();
    await env?.close();
  });

  it('fluxctl sync succeeds, the workloads appear and the sync tag is the head', async () => {
    const fluxctl = fluxctlFor(fluxd.url);
    const head = (await env.user.git('rev-parse', 'HEAD')).trim();
    // As the bats test: poll until `fluxctl sync` succeeds (the repository may still be cloning).
    const out = await eventually(
      'fluxctl sync to succeed',
      async () => {
        const r = await fluxctl('sync');
        return r.code === 0 ? r : undefined;
      },
      { fluxd, timeoutMs: 60_000 },
    );
    expect(out.stderr).toBe(
      `Synchronizing with ${env.repo.sshUrl}\nRevision of main to apply is ${head.slice(0, 7)}\nWaiting for ${head.slice(0, 7)} to be applied ...\nDone.\n`,
    );
    await eventually('deployment/podinfo', () => deploymentImage(env, ns, 'podinfo'), { fluxd });
    expect(await deploymentImage(env, ns, 'podinfo')).toBe('stefanprodan/podinfo:3.1.0');
    for (const name of ['ghost', 'mongodb', 'redis']) {
      expect(await helmReleaseObject(env, ns, name)).toBeDefined();
    }
    await syncTagAt(env, head, fluxd);

    // A year-long interval is not a busy loop (a timer past 2^31-1 ms would fire at once).
    await new Promise((r) => setTimeout(r, 2_000));
    const syncs = (await fluxd.log()).split('\n').filter((l) => l.includes('trying to sync git changes'));
    expect(syncs.length).toBeLessThanOrEqual(3);

    // A commit is not seen until asked: no poll, no sync; `fluxctl sync` fetches and applies it.
    const file = 'workloads/podinfo-dep.yaml';
    const text = await env.user.read(file);
    await env.user.write(file, text.replace(/stefanprodan\/podinfo:.*/, 'stefanprodan/podinfo:3.1.5'));
    const next = await env.user.commitAndPush('Bump podinfo');
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await syncTag(env)).toBe(head);
    const again = await fluxctl('sync');
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`Revision of main to apply is ${next.slice(0, 7)}\n`);
    expect(await deploymentImage(env, ns, 'podinfo')).toBe('stefanprodan/podinfo:3.1.5');
    await syncTagAt(env, next, fluxd);

    // Drift on the same head: someone edits the Deployment in the cluster; `fluxctl sync` applies
    // git again (as Flux v1's sync did), it does not skip a head it has already synced.
    await env.apis.apps.patchNamespacedDeployment({
      name: 'podinfo',
      namespace: ns,
      body: [
        {
          op: 'replace',
          path: '/spec/template/spec/containers/0/image',
          value: 'stefanprodan/podinfo:hand-edited',
        },
      ],
    });
    expect(await deploymentImage(env, ns, 'podinfo')).toBe('stefanprodan/podinfo:hand-edited');
    const repaired = await fluxctl('sync');
    expect(repaired.code, repaired.stderr).toBe(0);
    expect(repaired.stderr).toContain(`Revision of main to apply is ${next.slice(0, 7)}\n`);
    expect(await deploymentImage(env, ns, 'podinfo')).toBe('stefanprodan/podinfo:3.1.5');
  });
});
