import { setTimeout as sleep } from 'node:timers/promises';
import {
  eventually,
  type FluxdEnv,
  type RunningFluxd,
  startFluxd,
  startFluxdEnv,
} from '@flux-ts/daemon/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  commitSubjects,
  deployment,
  healthy,
  logLines,
  namespaceYaml,
  startMemcachedOn,
  upstreamIntegrity,
  waitConverged,
} from './support/faults.ts';

const kubeInfo = inject('kube');

describe('fault: memcached killed and restarted', { timeout: 90_000 }, () => {
  let env: FluxdEnv;
  let fluxd: RunningFluxd;
  let image: string;
  let restarted: { stop(): Promise<void> } | undefined;

  beforeAll(async () => {
    if (!kubeInfo) throw new Error('this test needs the kube-apiserver (run without FLUX_TS_UNIT=1)');
    env = await startFluxdEnv(kubeInfo, {});
    image = `${env.registry.host}/team/app`;
    await env.registry.pushImage({ repo: 'team/app', tag: '1.0.0', created: '2024-01-01T00:00:00Z' });
    await env.user.write('ns.yaml', namespaceYaml(env.namespace));
    await env.user.write('app.yaml', deployment(env.namespace, 'app', `${image}:1.0.0`, true));
    await env.user.commitAndPush('Add app');
    fluxd = await startFluxd(env, [`--k8s-allow-namespace=${env.namespace}`, '--automation-interval=2s']);
  }, 180_000);

  afterAll(async () => {
    await fluxd?.stop();
    await restarted?.stop();
    await env?.close();
  });

  it('keeps running without its cache, and releases the new tag once memcached is back: nothing lost, state converged', async () => {
    await waitConverged(env, fluxd, [{ file: 'app.yaml', name: 'app' }]);
    expect(await logLines(fluxd, 'image metadata cache: memcached')).toHaveLength(1);
    await eventually(
      'the first scan',
      async () => (await logLines(fluxd, 'refreshed image repository')).length > 0,
      {
        fluxd,
      },
    );

    const port = env.memcached.port;
    await env.memcached.stop();
    await env.registry.pushImage({ repo: 'team/app', tag: '1.1.0', created: '2024-02-01T00:00:00Z' });
    const notify = await fluxd.api('/v11/notify', {
      method: 'POST',
      body: JSON.stringify({
        Kind: 'image',
        Source: { Name: { Domain: env.registry.host, Image: 'team/app' } },
      }),
    });
    expect(notify.status).toBe(202);
    await eventually(
      'fluxd to notice memcached is gone',
      async () => (await logLines(fluxd, 'memcached unreachable')).length > 0,
      { fluxd },
    );
    // Several automation passes and scans while memcached is down: still healthy, one warning.
    await sleep(5_000);
    expect(await healthy(fluxd)).toBe(true);
    const down = await logLines(fluxd, 'memcached unreachable');
    expect(down).toHaveLength(1);
    expect(down[0]).toMatchObject({ level: 'warn', cache: 'memcached' });

    restarted = await startMemcachedOn(port, env.tmp.path);
    await eventually(
      'fluxd to see memcached again',
      async () => (await logLines(fluxd, 'memcached reachable again')).length > 0,
      { fluxd, timeoutMs: 30_000 },
    );
    const head = await waitConverged(
      env,
      fluxd,
      [{ file: 'app.yaml', name: 'app', image: `${image}:1.1.0` }],
      {
        timeoutMs: 40_000,
      },
    );

    // Let a few more automation passes run: nothing is released twice.
    await sleep(3_000);
    expect((await env.user.git('ls-remote', 'origin', 'refs/heads/main')).split('\t')[0]).toBe(head);
    expect(await commitSubjects(env)).toEqual(['Add app', `Auto-release ${image}:1.1.0`]);
    expect(await upstreamIntegrity(env)).toEqual({ fsck: '', locks: [] });
    expect(await logLines(fluxd, 'memcached unreachable')).toHaveLength(1);
    expect(await healthy(fluxd)).toBe(true);
  });
});
