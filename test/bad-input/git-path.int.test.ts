import { type FluxdEnv, startFluxd, startFluxdEnv } from '@flux-ts/daemon/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

// `--git-path` must stay inside the repository: a path escaping it (`../x`, `a/../../x`) or an
// absolute one stops fluxd at flag parsing, before it opens anything (no log, no deploy key, no
// clone), with exit code 1 and a message naming the flag and the value.

const kubeInfo = inject('kube');

describe('fluxd refuses a --git-path outside the repository', { timeout: 60_000 }, () => {
  let env: FluxdEnv;

  beforeAll(async () => {
    if (!kubeInfo) throw new Error('this test needs the kube-apiserver (run without FLUX_TS_UNIT=1)');
    env = await startFluxdEnv(kubeInfo, {
      'x/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n',
    });
  }, 180_000);

  afterAll(async () => {
    await env?.close();
  });

  it.each([
    ['../x', 'dotdot'],
    ['x/../../etc', 'nested-dotdot'],
    ['/etc', 'absolute'],
    ['x,../y', 'second-of-two'],
  ])('--git-path=%s: exit 1 with a clear message', async (path, name) => {
    const started = Date.now();
    const fluxd = await startFluxd(
      env,
      [`--k8s-allow-namespace=${env.namespace}`, `--git-path=${path}`],
      name,
      { waitForHealth: false },
    );
    const code = await Promise.race([
      fluxd.process.exited,
      new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 20_000)),
    ]);
    if (code === 'still running') await fluxd.stop();
    const log = await fluxd.log();
    expect(code, log).toBe(1);
    expect(Date.now() - started).toBeLessThan(20_000);
    const bad = path.split(',').find((p) => p.startsWith('/') || p.split('/').includes('..')) ?? path;
    // Refused at flag parsing (`invalid value "../x" for --git-path: …`), so fluxd never started:
    // not a line of its JSON log (`starting fluxd` is the first) was written.
    expect(log).toContain(`invalid value ${JSON.stringify(bad)} for --git-path: `);
    expect(log).toMatch(/inside the repository must not (start with \/|lead out of it with "\.\.")/);
    expect(log).not.toContain('starting fluxd');
    // Never reached the API: nothing listens.
    await expect(fetch(`${fluxd.url}/healthz`)).rejects.toThrow();
  });
});
