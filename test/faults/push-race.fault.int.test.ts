import {
  type FluxdEnv,
  finishedJob,
  getObject,
  type RunningFluxd,
  startFluxdEnv,
} from '@flux-ts/daemon/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  clusterImage,
  commitSubjects,
  configMap,
  deployment,
  healthy,
  logLines,
  namespaceYaml,
  startFluxdViaProxy,
  startTcpProxy,
  type TcpProxy,
  upstreamGit,
  upstreamIntegrity,
  waitConverged,
} from './support/faults.ts';

const kubeInfo = inject('kube');

describe('fault: another client pushes to the repo during a release', { timeout: 90_000 }, () => {
  let env: FluxdEnv;
  let fluxd: RunningFluxd;
  let proxy: TcpProxy;
  let image: string;

  beforeAll(async () => {
    if (!kubeInfo) throw new Error('this test needs the kube-apiserver (run without FLUX_TS_UNIT=1)');
    env = await startFluxdEnv(kubeInfo, {});
    image = `${env.registry.host}/team/app`;
    await env.registry.pushImage({ repo: 'team/app', tag: '1.0.0', created: '2024-01-01T00:00:00Z' });
    await env.registry.pushImage({ repo: 'team/app', tag: '1.1.0', created: '2024-02-01T00:00:00Z' });
    await env.user.write('ns.yaml', namespaceYaml(env.namespace));
    await env.user.write('app.yaml', deployment(env.namespace, 'app', `${image}:1.0.0`));
    await env.user.commitAndPush('Add app');
    // fluxd reaches git through a proxy that can make it slow; the other client goes direct.
    proxy = await startTcpProxy(env.gitServer.port);
    fluxd = await startFluxdViaProxy(env, proxy, ['--automation-interval=10m']);
  }, 180_000);

  afterAll(async () => {
    await fluxd?.stop();
    await proxy?.close();
    await env?.close();
  });

  it('re-plans on the moved branch and pushes once: both commits kept, state converged', async () => {
    await waitConverged(env, fluxd, [{ file: 'app.yaml', name: 'app' }]);
    proxy.delayMs = 5_000; // every new git connection of fluxd now takes 5 s to open
    const release = await fluxd.api('/v9/update-manifests', {
      method: 'POST',
      body: JSON.stringify({
        type: 'image',
        cause: { Message: 'release during a race', User: 'Jane <jane@example.com>' },
        spec: {
          ServiceSpecs: [`${env.namespace}:deployment/app`],
          ImageSpec: `${image}:1.1.0`,
          Kind: 'execute',
          Excludes: null,
          Force: false,
        },
      }),
    });
    expect(release.status).toBe(200);
    const jobId = (await release.json()) as string;
    // The other client pushes while the job works on the old head.
    await env.user.write('other.yaml', configMap(env.namespace, 'other', 'from another client'));
    const other = await env.user.commitAndPush('Another client pushes');
    proxy.delayMs = 0; // connections already waiting keep their delay; the re-plan runs at full speed
    const status = await finishedJob(fluxd, jobId, 'the release');
    expect(status).toMatchObject({ StatusString: 'succeeded', Err: '' });
    const revision = (status.Result as { revision?: string } | undefined)?.revision;
    expect(revision).toMatch(/^[0-9a-f]{40}$/);

    const head = await waitConverged(
      env,
      fluxd,
      [{ file: 'app.yaml', name: 'app', image: `${image}:1.1.0` }],
      {
        configMaps: ['other'],
      },
    );
    expect(head).toBe(revision);
    // Nothing lost: the other client's commit is an ancestor of fluxd's release commit.
    await upstreamGit(env, 'merge-base', '--is-ancestor', other, head);
    expect((await upstreamGit(env, 'rev-parse', `${head}^`)).trim()).toBe(other);
    expect(await commitSubjects(env)).toEqual(['Add app', 'Another client pushes', 'release during a race']);
    expect(await clusterImage(env, env.namespace, 'app')).toBe(`${image}:1.1.0`);
    expect(await getObject(env.kube, `/api/v1/namespaces/${env.namespace}/configmaps/other`)).toBeDefined();
    expect(await upstreamIntegrity(env)).toEqual({ fsck: '', locks: [] });
    // The job's note is on its commit; the log says the push was rejected and re-planned.
    const note = JSON.parse(await upstreamGit(env, 'notes', '--ref=flux', 'show', head)) as { jobID: string };
    expect(note.jobID).toBe(jobId);
    expect(await logLines(fluxd, 'push rejected: the branch moved')).toHaveLength(1);
    expect(await healthy(fluxd)).toBe(true);
  });
});
