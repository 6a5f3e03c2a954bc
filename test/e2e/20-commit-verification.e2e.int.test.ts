// Flux v1 e2e 20_commit_verification.bats: with --git-verify-signatures fluxd syncs only up to the
// last commit signed by a key it trusts, says so to `fluxctl sync`, and refuses to commit on top of
// an unsigned HEAD.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createGpgHome,
  deploymentYaml,
  eventually,
  type FluxdEnv,
  fluxctlOf,
  getObject,
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

/** fluxd with the key imported (public and secret: it signs its sync tag) and verification on. */
function startVerifyingFluxd(env: FluxdEnv, gpg: TestGpgHome, name: string): Promise<RunningFluxd> {
  return startSigningFluxd(env, gpg, name, [
    '--git-verify-signatures',
    // Upstream's e2e setting. fluxd recreates a deleted sync tag at the next sync, and neither the
    // deletion nor a sync job on an unverified HEAD asks for one, so the full sync brings it back.
    '--sync-interval=10s',
  ]);
}

describe('20 commit verification: a signed history', { timeout: 60_000 }, () => {
  let env: FluxdEnv;
  let fluxd: RunningFluxd;
  let gpg: TestGpgHome;
  let signed: string;

  beforeAll(async () => {
    env = await startFluxdEnv(needKube(kubeInfo), {});
    gpg = await createGpgHome({ name: 'Repo Signer', email: 'repo-signer@example.com' });
    const ns = env.namespace;
    await env.user.write('ns.yaml', namespaceYaml(ns));
    await env.user.write(
      'podinfo.yaml',
      deploymentYaml(ns, 'podinfo', [['podinfod', 'stefanprodan/podinfo:3.1.0']]),
    );
    await env.user.git('add', '-A');
    await run('git', ['commit', '--quiet', `--gpg-sign=${gpg.fingerprint}`, '-m', 'Signed start'], {
      cwd: env.user.dir,
      env: {
        ...process.env,
        ...gpg.env,
        GIT_AUTHOR_NAME: 'Test User',
        GIT_AUTHOR_EMAIL: 'user@example.com',
        GIT_COMMITTER_NAME: 'Test User',
        GIT_COMMITTER_EMAIL: 'user@example.com',
      },
    });
    await env.user.git('push', '--quiet', 'origin', 'HEAD:main');
    signed = (await env.user.git('rev-parse', 'HEAD')).trim();
    fluxd = await startVerifyingFluxd(env, gpg, 'verify-signed');
  }, 120_000);

  afterAll(async () => {
    await fluxd?.stop();
    await env?.close();
    await gpg?.remove();
  });

  it('syncs the signed HEAD: the sync tag is at it', async () => {
    await eventually(
      'the sync tag at the signed HEAD',
      async () => (await remoteTag(env, 'flux')) === signed,
      {
        fluxd,
      },
    );
    expect(
      await getObject(env.kube, `/apis/apps/v1/namespaces/${env.namespace}/deployments/podinfo`),
    ).toBeDefined();
  });

  it('an unsigned HEAD: fluxctl sync warns, exits 0, and the tag is recreated at the signed commit', async () => {
    await env.user.write(
      'cm.yaml',
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: unsigned\n  namespace: ${env.namespace}\n`,
    );
    const unsigned = await env.user.commitAndPush('Unsigned change');
    await env.user.git('push', '--quiet', 'origin', ':refs/tags/flux');
    expect(await remoteTag(env, 'flux')).toBeUndefined();
    const out = await fluxctlOf(env, fluxd)('sync');
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toContain('Warning: The branch HEAD in the git repo is not verified');
    expect(out.stderr).toContain(`HEAD is ${unsigned.slice(0, 8)}`);
    expect(out.stderr).toContain(`Revision of main to apply is ${signed.slice(0, 7)}\n`);
    await eventually(
      'the sync tag back at the signed commit',
      async () => (await remoteTag(env, 'flux')) === signed,
      {
        fluxd,
      },
    );
    expect(
      await getObject(env.kube, `/api/v1/namespaces/${env.namespace}/configmaps/unsigned`),
    ).toBeUndefined();
  });
});

describe('20 commit verification: an unsigned initial commit', { timeout: 60_000 }, () => {
  let env: FluxdEnv;
  let fluxd: RunningFluxd;
  let gpg: TestGpgHome;

  beforeAll(async () => {
    env = await startFluxdEnv(needKube(kubeInfo), {});
    gpg = await createGpgHome({ name: 'Repo Signer', email: 'repo-signer@example.com' });
    const ns = env.namespace;
    await env.user.write('ns.yaml', namespaceYaml(ns));
    await env.user.write(
      'podinfo.yaml',
      deploymentYaml(ns, 'podinfo', [['podinfod', 'stefanprodan/podinfo:3.1.0']]),
    );
    await env.user.commitAndPush('Unsigned start');
    fluxd = await startVerifyingFluxd(env, gpg, 'verify-unsigned');
  }, 120_000);

  afterAll(async () => {
    await fluxd?.stop();
    await env?.close();
    await gpg?.remove();
  });

  it('logs the invalid signature and syncs nothing', async () => {
    const head = (await env.user.git('rev-parse', 'HEAD')).trim();
    await eventually(
      'the invalid signature in the log',
      async () => (await fluxd.log()).includes(`found invalid GPG signature for commit ${head}`),
      { fluxd },
    );
    const out = await fluxctlOf(env, fluxd)('sync');
    // Nothing is verified, so there is no revision to wait for.
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(
      `Warning: The branch HEAD in the git repo is not verified, and fluxd is unable to sync to it. The last verified commit was . HEAD is ${head.slice(0, 8)}.\n`,
    );
    expect(await remoteTag(env, 'flux')).toBeUndefined();
    expect(
      await getObject(env.kube, `/apis/apps/v1/namespaces/${env.namespace}/deployments/podinfo`),
    ).toBeUndefined();
    // No change is made on top of an unverified head.
    const before = (await env.user.git('rev-parse', 'HEAD')).trim();
    const lock = await fluxctlOf(env, fluxd)('lock', '--workload', `${env.namespace}:deployment/podinfo`);
    expect(lock.code).toBe(1);
    expect(lock.stderr).toContain('Error: HEAD revision is unsigned');
    expect((await env.user.pull()).trim()).toBe(before);
  });
});
