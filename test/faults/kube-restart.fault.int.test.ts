import {
  eventually,
  type FluxdEnv,
  type RunningFluxd,
  startFluxd,
  startFluxdEnv,
} from '@flux-ts/daemon/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  commitSubjects,
  configMap,
  deployment,
  healthy,
  logLines,
  namespaceYaml,
  type RestartableKube,
  startRestartableKube,
  upstreamIntegrity,
  waitConverged,
} from './support/faults.ts';

const MANY = 40;

// Its own kube-apiserver: restarting the run's shared one would break the other test files.
describe('fault: the kube-apiserver restarts in the middle of a sync', { timeout: 90_000 }, () => {
  let kube: RestartableKube;
  let env: FluxdEnv;
  let fluxd: RunningFluxd;
  let image: string;

  beforeAll(async () => {
    kube = await startRestartableKube();
    env = await startFluxdEnv(kube.info, {});
    image = `${env.registry.host}/team/app`;
    await env.registry.pushImage({ repo: 'team/app', tag: '1.0.0', created: '2024-01-01T00:00:00Z' });
    await env.registry.pushImage({ repo: 'team/app', tag: '1.1.0', created: '2024-02-01T00:00:00Z' });
    await env.user.write('ns.yaml', namespaceYaml(env.namespace));
    await env.user.write('app.yaml', deployment(env.namespace, 'app', `${image}:1.0.0`));
    await env.user.commitAndPush('Add app');
    // A failed sync is retried at the next --sync-interval (as in Flux v1): keep it short here.
    fluxd = await startFluxd(env, [
      `--k8s-allow-namespace=${env.namespace}`,
      '--sync-interval=5s',
      '--automation-interval=10m',
    ]);
  }, 180_000);

  afterAll(async () => {
    await fluxd?.stop();
    await env?.close();
    await kube?.close();
  });

  it('retries the interrupted sync once the API server is back: nothing lost, state converged', async () => {
    await waitConverged(env, fluxd, [{ file: 'app.yaml', name: 'app' }]);
    // A commit with many objects, so the sync takes a while, and the image changed by hand.
    for (let i = 0; i < MANY; i++)
      await env.user.write(`cm/cm-${i}.yaml`, configMap(env.namespace, `cm-${i}`, `v${i}`));
    await env.user.write('app.yaml', deployment(env.namespace, 'app', `${image}:1.1.0`));
    const head = await env.user.commitAndPush('Many objects and a new image');
    const notify = await fluxd.api('/v11/notify', {
      method: 'POST',
      body: JSON.stringify({ Kind: 'git', Source: { URL: env.repo.sshUrl, Branch: 'main' } }),
    });
    expect(notify.status).toBe(202);
    await eventually(
      'the sync of the new commit to start',
      async () => (await logLines(fluxd, 'trying to sync git changes')).some((l) => l.new === head),
      { fluxd, timeoutMs: 20_000 },
    );
    await kube.stop(true); // crash it (SIGKILL) while fluxd applies
    const syncsBefore = (await logLines(fluxd, 'sync done')).length;
    await new Promise((r) => setTimeout(r, 2_000));
    await kube.start();

    const converged = await waitConverged(
      env,
      fluxd,
      [{ file: 'app.yaml', name: 'app', image: `${image}:1.1.0` }],
      {
        configMaps: Array.from({ length: MANY }, (_, i) => `cm-${i}`),
        timeoutMs: 40_000,
      },
    );
    expect(converged).toBe(head);
    // The interrupted attempt is in the log: a failed sync, or a sync with failed objects.
    const failed = await logLines(fluxd, 'sync failed');
    const partial = (await logLines(fluxd, 'sync done')).filter(
      (l) => l.revision === head && typeof l.failed === 'number' && l.failed > 0,
    );
    expect(failed.length + partial.length, 'the log reports the interrupted sync').toBeGreaterThan(0);
    expect((await logLines(fluxd, 'sync done')).length).toBeGreaterThan(syncsBefore);
    // fluxd wrote nothing to git; the user's commits are all there, once.
    expect(await commitSubjects(env)).toEqual(['Add app', 'Many objects and a new image']);
    expect(await upstreamIntegrity(env)).toEqual({ fsck: '', locks: [] });
    expect(await healthy(fluxd)).toBe(true);
  });
});
