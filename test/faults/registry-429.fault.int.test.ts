import {
  eventually,
  type FluxdEnv,
  type RunningFluxd,
  startFluxd,
  startFluxdEnv,
} from '@flux-ts/daemon/testing';
import { type FaultProxy, startFaultProxy } from '@flux-ts/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  commitSubjects,
  deployment,
  healthy,
  logLines,
  namespaceYaml,
  upstreamIntegrity,
  waitConverged,
} from './support/faults.ts';

const kubeInfo = inject('kube');

describe('fault: the registry answers 429 with Retry-After, then 5xx, then fine', { timeout: 90_000 }, () => {
  let env: FluxdEnv;
  let proxy: FaultProxy;
  let fluxd: RunningFluxd;
  let image: string;
  /** Every request to the registry through the proxy, with its arrival time. */
  const seen: { at: number; method: string; path: string }[] = [];

  beforeAll(async () => {
    if (!kubeInfo) throw new Error('this test needs the kube-apiserver (run without FLUX_TS_UNIT=1)');
    env = await startFluxdEnv(kubeInfo, {});
    proxy = await startFaultProxy(`http://${env.registry.host}`);
    image = `${proxy.host}/team/app`;
    await env.registry.pushImage({ repo: 'team/app', tag: '1.0.0', created: '2024-01-01T00:00:00Z' });
    await env.user.write('ns.yaml', namespaceYaml(env.namespace));
    await env.user.write('app.yaml', deployment(env.namespace, 'app', `${image}:1.0.0`, true));
    await env.user.commitAndPush('Add app');
    // First in the list, never used up, never matching: records every request's arrival time.
    proxy.inject({
      times: Number.MAX_SAFE_INTEGER,
      match: (req) => {
        seen.push({ at: Date.now(), ...req });
        return false;
      },
    });
    fluxd = await startFluxd(env, [
      `--k8s-allow-namespace=${env.namespace}`,
      `--registry-insecure-host=${proxy.host}`,
      '--automation-interval=2s',
    ]);
  }, 180_000);

  afterAll(async () => {
    await fluxd?.stop();
    await proxy?.close();
    await env?.close();
  });

  it('backs off for Retry-After, survives the 5xx, then releases the new tag once: nothing lost, state converged', async () => {
    await waitConverged(env, fluxd, [{ file: 'app.yaml', name: 'app' }]);
    // fluxd has scanned 1.0.0 through the proxy.
    await eventually('the first scan through the proxy', async () =>
      proxy.requests.some((r) => r.path.includes('/team/app/tags/list') && r.status === 200),
    );

    const isTeamApp = (req: { path: string }): boolean => req.path.startsWith('/v2/team/app/');
    const mark = seen.length;
    proxy.inject({ match: isTeamApp, times: 2, status: 429, retryAfterSeconds: 2 });
    proxy.inject({ match: isTeamApp, times: 2, status: 503 });
    proxy.inject({ match: isTeamApp, times: 1, status: 500 });
    await env.registry.pushImage({ repo: 'team/app', tag: '1.1.0', created: '2024-02-01T00:00:00Z' });
    const notify = await fluxd.api('/v11/notify', {
      method: 'POST',
      body: JSON.stringify({ Kind: 'image', Source: { Name: { Domain: proxy.host, Image: 'team/app' } } }),
    });
    expect(notify.status).toBe(202);

    const head = await waitConverged(
      env,
      fluxd,
      [{ file: 'app.yaml', name: 'app', image: `${image}:1.1.0` }],
      {
        timeoutMs: 50_000,
      },
    );
    expect(
      (await env.user.git('ls-remote', 'origin', 'refs/heads/main')).split('\t')[0],
      'the sync tag is at the head',
    ).toBe(head);
    await env.user.pull();
    expect(await env.user.read('app.yaml')).toContain(`image: ${image}:1.1.0`);

    // Every injected fault was met, and fluxd was told each status.
    const injected = proxy.requests.filter((r) => r.injected).map((r) => r.status);
    expect(injected).toEqual([429, 429, 503, 503, 500]);
    // Retry-After was honoured: after the first 429, nothing reached team/app for 2 s.
    const after = seen.slice(mark).filter(isTeamApp);
    expect(after.length).toBeGreaterThanOrEqual(6);
    expect((after[1]?.at ?? 0) - (after[0]?.at ?? 0)).toBeGreaterThanOrEqual(1_900);

    // Nothing lost, nothing twice: one commit for the release, the user's commits intact.
    const subjects = await commitSubjects(env);
    expect(subjects).toEqual(['Add app', `Auto-release ${image}:1.1.0`]);
    expect(await upstreamIntegrity(env)).toEqual({ fsck: '', locks: [] });

    // The log says what happened: one rate-limit warning with the Retry-After, the 5xx reported.
    const limited = await logLines(fluxd, 'registry rate limited us');
    expect(limited).toHaveLength(1);
    expect(limited[0]).toMatchObject({ host: proxy.host, retryAfterMs: 2_000 });
    const failures = [
      ...(await logLines(fluxd, 'cannot refresh image repository')),
      ...(await logLines(fluxd, 'cannot read image metadata')),
    ];
    expect(failures.map((l) => String(l.err)).join('\n')).toMatch(/50[03]/);
    expect(await healthy(fluxd)).toBe(true);
  });
});
