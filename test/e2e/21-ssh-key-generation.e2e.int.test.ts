// Flux v1 e2e 21_ssh_key_generation.bats: with no deploy key mounted fluxd generates one, keeps it
// in its Secret, and `fluxctl identity` shows it with its fingerprint.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type FluxdEnv,
  fluxctlOf,
  needKube,
  type RunningFluxd,
  run,
  startFluxd,
  startFluxdEnv,
} from './support/acceptance.ts';

const kubeInfo = inject('kube');

describe('21 ssh key generation', { timeout: 60_000 }, () => {
  let env: FluxdEnv;
  let fluxd: RunningFluxd;

  beforeAll(async () => {
    env = await startFluxdEnv(needKube(kubeInfo), {});
    // As `fluxctl install` does: fluxd's namespace exists (its Secret is written there).
    await env.apis.core.createNamespace({ body: { metadata: { name: env.namespace } } });
    fluxd = await startFluxd(
      env,
      [`--k8s-allow-namespace=${env.namespace}`, '--registry-disable-scanning'],
      'keygen',
      { mountDeployKey: false },
    );
  }, 120_000);

  afterAll(async () => {
    await fluxd?.stop();
    await env?.close();
  });

  it('fluxctl identity prints the generated key; its MD5 fingerprint is what identity -l prints', async () => {
    const fluxctl = fluxctlOf(env, fluxd);
    const identity = await fluxctl('identity');
    expect(identity.code, identity.stderr).toBe(0);
    expect(identity.stdout).toMatch(/^ssh-(rsa|ed25519|ecdsa-sha2-nistp\d+) \S+( \S+)?\n$/);
    // Not the git server's client key that the other scenarios mount.
    const clientKey = (await run('ssh-keygen', ['-y', '-f', env.gitServer.clientKeyFile])).stdout.trim();
    expect(identity.stdout.split(' ').slice(0, 2)).not.toEqual(clientKey.split(' ').slice(0, 2));

    const { stdout: keygen } = await run('ssh-keygen', ['-E', 'md5', '-lf', '-'], { input: identity.stdout });
    const fingerprint = keygen.split(' ')[1];
    const listed = await fluxctl('identity', '-l');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}\n$/);
    expect(fingerprint).toBe(`MD5:${listed.stdout.trim()}`);

    // The key is kept in fluxd's Secret (flux-git-deploy), so a restart keeps it.
    const secret = await env.apis.core.readNamespacedSecret({
      name: 'flux-git-deploy',
      namespace: env.namespace,
    });
    expect(
      Buffer.from(secret.data?.['identity.pub'] ?? '', 'base64')
        .toString('utf8')
        .trim(),
    ).toBe(identity.stdout.trim());
    expect(secret.data?.identity).toBeTruthy();
  });
});
