import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { eventually, type FluxdEnv, type RunningFluxd, startFluxdEnv } from '@flux-ts/daemon/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fluxctlFor } from '../support/fluxctl.ts';
import {
  commitSubjects,
  deployment,
  healthy,
  killHard,
  logLines,
  namespaceYaml,
  startFluxdViaProxy,
  startTcpProxy,
  type TcpProxy,
  upstreamGit,
  upstreamIntegrity,
  upstreamRefs,
  waitConverged,
  waitGitReady,
} from './support/faults.ts';

const kubeInfo = inject('kube');

describe('fault: fluxd killed with SIGKILL during a release, then restarted', { timeout: 90_000 }, () => {
  let env: FluxdEnv;
  let proxy: TcpProxy;
  let image: string;
  const started: RunningFluxd[] = [];
  let start: () => Promise<RunningFluxd>;

  beforeAll(async () => {
    if (!kubeInfo) throw new Error('this test needs the kube-apiserver (run without FLUX_TS_UNIT=1)');
    env = await startFluxdEnv(kubeInfo, {});
    image = `${env.registry.host}/team/app`;
    await env.registry.pushImage({ repo: 'team/app', tag: '1.0.0', created: '2024-01-01T00:00:00Z' });
    await env.registry.pushImage({ repo: 'team/app', tag: '1.1.0', created: '2024-02-01T00:00:00Z' });
    await env.user.write('ns.yaml', namespaceYaml(env.namespace));
    await env.user.write('app.yaml', deployment(env.namespace, 'app', `${image}:1.0.0`));
    await env.user.commitAndPush('Add app');
    // fluxd reaches git through a proxy that can make it slow, so the kill lands inside the job.
    proxy = await startTcpProxy(env.gitServer.port);
    // Same name: the same home, git working directory and cache directory across the restart.
    start = async () => {
      const f = await startFluxdViaProxy(env, proxy, ['--automation-interval=10m']);
      started.push(f);
      return f;
    };
  }, 180_000);

  afterAll(async () => {
    for (const f of started) await f.stop();
    await proxy?.close();
    await env?.close();
  });

  it('leaves no half-written commit, and after the restart a new release succeeds: nothing lost, state converged', async () => {
    const first = await start();
    const before = await waitConverged(env, first, [{ file: 'app.yaml', name: 'app' }]);
    const refsBefore = (await upstreamGit(env, 'for-each-ref', '--format=%(refname)')).trim();

    proxy.delayMs = 30_000; // fluxd's next git connection hangs: the job cannot finish before the kill
    const connections = proxy.connections;
    const release = await first.api('/v9/update-manifests', {
      method: 'POST',
      body: JSON.stringify({
        type: 'image',
        cause: { Message: '', User: 'Jane <jane@example.com>' },
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
    await eventually(
      'the job to be running and talking to git',
      async () => {
        const s = (await (await first.api(`/v6/jobs?id=${jobId}`)).json()) as { StatusString: string };
        return s.StatusString === 'running' && proxy.connections > connections;
      },
      { fluxd: first },
    );
    await killHard(first);
    await proxy.down(); // cut the connections the killed job left half open
    proxy.delayMs = 0;
    await proxy.up();

    // Git never saw half a change: same head, same refs, fsck clean, no lock files.
    expect((await upstreamRefs(env)).head).toBe(before);
    expect((await upstreamGit(env, 'for-each-ref', '--format=%(refname)')).trim()).toBe(refsBefore);
    expect(await upstreamIntegrity(env)).toEqual({ fsck: '', locks: [] });

    const second = await start();
    expect(await logLines(second, 'starting fluxd')).toHaveLength(2);
    // The killed job's status died with the process: asking for it says so (Flux v1's answer).
    const lost = await second.api(`/v6/jobs?id=${jobId}`, { headers: { Accept: 'application/json' } });
    expect(lost.status).toBe(404);
    expect(await lost.json()).toMatchObject({ error: `unknown job "${jobId}"` });

    await waitGitReady(second);
    const fluxctl = fluxctlFor(second.url);
    const out = await fluxctl(
      'release',
      '-n',
      env.namespace,
      '--workload',
      'deployment/app',
      '--update-image',
      `${image}:1.1.0`,
      '--user',
      'Jane <jane@example.com>',
    );
    expect(out.stderr).toMatch(/^Submitting release \.\.\.\nCommit pushed:\t[0-9a-f]{7}\n/);
    expect(out.code).toBe(0);
    const head = await waitConverged(env, second, [
      { file: 'app.yaml', name: 'app', image: `${image}:1.1.0` },
    ]);
    expect(out.stderr).toContain(`Commit pushed:\t${head.slice(0, 7)}`);
    expect(await commitSubjects(env)).toEqual([
      'Add app',
      `Release ${image}:1.1.0 to ${env.namespace}:deployment/app`,
    ]);
    expect(await upstreamIntegrity(env)).toEqual({ fsck: '', locks: [] });
    expect(await healthy(second)).toBe(true);
    // The killed process's working directories do not pile up in FLUXD_GIT_WORKDIR: what is there
    // belongs to the running fluxd (one mirror; working clones it pools).
    const workdir = join(env.tmp.path, 'fluxd-home', 'git');
    const mirrors = (await readdir(workdir)).filter((d) => d.startsWith('flux-gitclone'));
    expect(mirrors, `${workdir} holds ${JSON.stringify(await readdir(workdir))}`).toHaveLength(1);
  });
});
