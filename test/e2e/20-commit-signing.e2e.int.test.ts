// Flux v1 e2e 20_commit_signing.bats: fluxd imports a GPG key, signs the sync tag and its own
// commits with --git-signing-key; signature verification stays off.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createGpgHome,
  deploymentYaml,
  eventually,
  type FluxdEnv,
  fluxctlOf,
  namespaceYaml,
  needKube,
  type RunningFluxd,
  remoteTag,
  run,
  startFluxdEnv,
  startSigningFluxd,
  type TestGpgHome,
} from './support/acceptance.ts';

const kubeInfo = inject('kube');

describe('20 commit signing', { timeout: 60_000 }, () => {
  let env: FluxdEnv;
  let fluxd: RunningFluxd;
  let gpg: TestGpgHome;
  let head: string;

  /** git in the user's clone with the key's keyring, to verify signatures. */
  const verify = (...args: string[]) =>
    run('git', args, { cwd: env.user.dir, env: { ...process.env, ...env.gitServer.env, ...gpg.env } });

  beforeAll(async () => {
    env = await startFluxdEnv(needKube(kubeInfo), {});
    gpg = await createGpgHome({ name: 'Flux Signer', email: 'signer@example.com' });
    const ns = env.namespace;
    await env.user.write('ns.yaml', namespaceYaml(ns));
    await env.user.write(
      'podinfo.yaml',
      deploymentYaml(ns, 'podinfo', [['podinfod', 'stefanprodan/podinfo:3.1.0']]),
    );
    head = await env.user.commitAndPush('Add podinfo');
    fluxd = await startSigningFluxd(env, gpg, 'signing');
  }, 120_000);

  afterAll(async () => {
    await fluxd?.stop();
    await env?.close();
    await gpg?.remove();
  });

  it('signs the sync tag: git verify-tag --raw flux succeeds', async () => {
    expect(
      await eventually('the sync tag at HEAD', async () => (await remoteTag(env, 'flux')) === head, {
        fluxd,
      }),
    ).toBe(true);
    await env.user.git('fetch', '--quiet', '--force', 'origin', '+refs/tags/flux:refs/tags/flux');
    const out = await verify('verify-tag', '--raw', 'flux');
    expect(out.stderr).toContain(`[GNUPG:] VALIDSIG ${gpg.fingerprint}`);
    expect(out.stderr).toContain('[GNUPG:] GOODSIG');
  });

  it('signs its commits: after fluxctl lock, git verify-commit HEAD succeeds', async () => {
    const lock = await fluxctlOf(env, fluxd)('lock', `--workload=${env.namespace}:deployment/podinfo`);
    expect(lock, lock.stderr).toMatchObject({ code: 0 });
    const after = await env.user.pull();
    expect(after).not.toBe(head);
    expect(lock.stderr).toBe(`Commit pushed:\t${after.slice(0, 7)}\n`);
    expect(await env.user.read('podinfo.yaml')).toContain("    fluxcd.io/locked: 'true'\n");
    const out = await verify('verify-commit', '--raw', 'HEAD');
    expect(out.stderr).toContain(`[GNUPG:] VALIDSIG ${gpg.fingerprint}`);
    expect((await verify('log', '-1', '--format=%G? %GF')).stdout.trim()).toBe(`G ${gpg.fingerprint}`);
    // The user's own commit below it was not signed: verification is off, so fluxd synced it anyway.
    expect((await verify('log', '-1', '--format=%G?', head)).stdout.trim()).toBe('N');
  });
});
