import { setTimeout as sleep } from 'node:timers/promises';
import {
  eventually,
  type FluxdEnv,
  finishedJob,
  type RunningFluxd,
  startFluxdEnv,
} from '@flux-ts/daemon/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  commitSubjects,
  configMap,
  deployment,
  healthy,
  logLines,
  namespaceYaml,
  startFluxdViaProxy,
  startTcpProxy,
  type TcpProxy,
  upstreamIntegrity,
  waitConverged,
  waitGitReady,
} from './support/faults.ts';

const kubeInfo = inject('kube');

describe('fault: the git remote is down for a while', { timeout: 90_000 }, () => {
  let env: FluxdEnv;
  let fluxd: RunningFluxd;
  let proxy: TcpProxy;
  let image: string;

  beforeAll(async () => {
    if (!kubeInfo) throw new Error('this test needs the kube-apiserver (run without FLUX_TS_UNIT=1)');
    env = await startFluxdEnv(kubeInfo, {});
    image = `${env.registry.host}/team/app`;
    await env.registry.pushImage({ repo: 'team/app', tag: '1.0.0', created: '2024-01-01T00:00:00Z' });
    await env.registry.pushImage({ repo: 'team/other', tag: '1.0.0', created: '2024-01-01T00:00:00Z' });
    await env.registry.pushImage({ repo: 'team/other', tag: '2.0.0', created: '2024-02-01T00:00:00Z' });
    await env.user.write('ns.yaml', namespaceYaml(env.namespace));
    await env.user.write('app.yaml', deployment(env.namespace, 'app', `${image}:1.0.0`, true));
    await env.user.write(
      'other.yaml',
      deployment(env.namespace, 'other', `${env.registry.host}/team/other:1.0.0`),
    );
    await env.user.commitAndPush('Add app');
    // fluxd reaches git through a forwarder that can go down (connections refused).
    proxy = await startTcpProxy(env.gitServer.port);
    fluxd = await startFluxdViaProxy(env, proxy, ['--automation-interval=2s']);
  }, 180_000);

  afterAll(async () => {
    await fluxd?.stop();
    await proxy?.close();
    await env?.close();
  });

  it('reports the outage, keeps serving, and catches up once the remote is back: nothing lost, state converged', async () => {
    await waitConverged(env, fluxd, [
      { file: 'app.yaml', name: 'app' },
      { file: 'other.yaml', name: 'other' },
    ]);
    await eventually(
      'the first scan',
      async () => (await logLines(fluxd, 'refreshed image repository')).length > 0,
      {
        fluxd,
      },
    );

    await proxy.down();
    const downAt = Date.now();
    // While fluxd cannot reach git: another client pushes, a new tag appears, someone releases.
    await env.user.write('outage.yaml', configMap(env.namespace, 'outage', 'pushed while fluxd was cut off'));
    await env.user.commitAndPush('Pushed during the outage');
    await env.registry.pushImage({ repo: 'team/app', tag: '1.1.0', created: '2024-02-01T00:00:00Z' });
    await fluxd.api('/v11/notify', {
      method: 'POST',
      body: JSON.stringify({
        Kind: 'image',
        Source: { Name: { Domain: env.registry.host, Image: 'team/app' } },
      }),
    });
    await eventually(
      'fluxd to notice the remote is gone',
      async () => (await logLines(fluxd, 'git refresh failed')).length > 0,
      { fluxd },
    );
    const release = await fluxd.api('/v9/update-manifests', {
      method: 'POST',
      headers: { Accept: 'application/json' },
      body: JSON.stringify({
        type: 'image',
        cause: { Message: '', User: 'Jane <jane@example.com>' },
        spec: {
          ServiceSpecs: [`${env.namespace}:deployment/other`],
          ImageSpec: `${env.registry.host}/team/other:2.0.0`,
          Kind: 'execute',
          Excludes: null,
          Force: false,
        },
      }),
    });
    // Either refused at once or accepted and then failed: never a silent success.
    if (release.status === 200) {
      const failed = await finishedJob(
        fluxd,
        (await release.json()) as string,
        'the release during the outage',
      );
      expect(failed.StatusString).toBe('failed');
      expect(failed.Err).not.toBe('');
    } else {
      expect(release.status).toBeGreaterThanOrEqual(400);
      expect(((await release.json()) as { error: string }).error).toMatch(/git/i);
    }
    await sleep(Math.max(0, 8_000 - (Date.now() - downAt)));
    expect(await healthy(fluxd)).toBe(true);
    const ping = await fluxd.api('/v11/ping');
    expect(ping.status).toBe(204);
    const warnings = await logLines(fluxd, 'git refresh failed');
    // Reported, but not a flood: at most about one line per second of outage.
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.length).toBeLessThanOrEqual(12);

    await proxy.up();
    await waitGitReady(fluxd);
    // The release asked for during the outage is retried by its user once git is back.
    const retry = await fluxd.api('/v9/update-manifests', {
      method: 'POST',
      body: JSON.stringify({
        type: 'image',
        cause: { Message: '', User: 'Jane <jane@example.com>' },
        spec: {
          ServiceSpecs: [`${env.namespace}:deployment/other`],
          ImageSpec: `${env.registry.host}/team/other:2.0.0`,
          Kind: 'execute',
          Excludes: null,
          Force: false,
        },
      }),
    });
    expect(
      (await finishedJob(fluxd, (await retry.json()) as string, 'the retried release')).StatusString,
    ).toBe('succeeded');
    await waitConverged(
      env,
      fluxd,
      [
        { file: 'app.yaml', name: 'app', image: `${image}:1.1.0` },
        { file: 'other.yaml', name: 'other', image: `${env.registry.host}/team/other:2.0.0` },
      ],
      { configMaps: ['outage'], timeoutMs: 40_000 },
    );
    const subjects = await commitSubjects(env);
    expect(subjects.slice(0, 2)).toEqual(['Add app', 'Pushed during the outage']);
    expect([...subjects.slice(2)].sort()).toEqual(
      [
        `Auto-release ${image}:1.1.0`,
        `Release ${env.registry.host}/team/other:2.0.0 to ${env.namespace}:deployment/other`,
      ].sort(),
    );
    expect(await upstreamIntegrity(env)).toEqual({ fsck: '', locks: [] });
    expect(await logLines(fluxd, 'git repository ready')).toHaveLength(2);
    expect(await healthy(fluxd)).toBe(true);
  });
});
