// Flux v1's test/e2e/11_fluxctl_install.bats against our fluxd: install with the manifests
// `fluxctl install` writes, and the `demo` namespace and podinfo appear.
//
// Flux v1 ran the fluxd image in kind and patched the manifests with kustomize (image, intervals,
// known_hosts). Here the manifests are applied as written to the run's kube-apiserver; the real
// scheduler places the flux pod on the kube-testenv node stand-in, and testkit's runPodProcess runs
// its container as a process, as a kubelet would: the pod's args, its secret volume, a token of its
// service account (so fluxd has exactly the RBAC the install grants). The patches, in kustomize's
// place: the ClusterRole and its binding get this test's name (they are cluster-wide), the pod gets
// the node stand-in's port-forward annotation, and the process gets free loopback ports, short
// intervals and the git server's known_hosts. As a user would, the test then adds the deploy key
// fluxd generated (read with `fluxctl identity`) to the git server before `fluxctl sync`.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildFluxd } from '@flux-ts/daemon/testing';
import { freePort, type PodProcess, runPodProcess } from '@flux-ts/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fluxctlInCluster } from '../support/fluxctl.ts';
import { run } from './support/acceptance.ts';
import {
  deploymentImage,
  eventually,
  type FluxdEnv,
  getStartedFiles,
  helmReleaseObject,
  installHelmReleaseCrd,
  startFluxdEnv,
  syncTag,
} from './support/scenario.ts';

const kubeInfo = inject('kube');

/** Replaces `from` by `to` in `text`, failing loudly when the manifests no longer hold `from`. */
function patch(text: string, from: string | RegExp, to: string): string {
  const next = text.replace(from, to);
  if (next === text) throw new Error(`install manifests changed: ${String(from)} not found`);
  return next;
}

describe('11 fluxctl install', { timeout: 240_000 }, () => {
  let env: FluxdEnv;
  let fluxNs: string;
  let pod: PodProcess | undefined;

  beforeAll(async () => {
    if (!kubeInfo) throw new Error('this test needs the kube-apiserver (run without FLUX_TS_UNIT=1)');
    env = await startFluxdEnv(kubeInfo, {});
    await installHelmReleaseCrd(env);
    for (const [path, text] of Object.entries(getStartedFiles(env.namespace)))
      await env.user.write(path, text);
    await env.user.commitAndPush('Seed flux-get-started');
    fluxNs = `${env.namespace}-flux`;
  }, 180_000);

  afterAll(async () => {
    await pod?.stop();
    if (env) {
      await run('kubectl', ['delete', '--ignore-not-found', 'clusterrole,clusterrolebinding', fluxNs], {
        env: { ...process.env, KUBECONFIG: env.kubeInfo.kubeconfigPath },
      }).catch(() => undefined);
    }
    await env?.apis.core.deleteNamespace({ name: fluxNs }).catch(() => undefined);
    await env?.close();
  });

  it('fluxd installed from the fluxctl install manifests syncs the repo: demo namespace and podinfo appear', async () => {
    const kubectlEnv = { ...process.env, KUBECONFIG: env.kubeInfo.kubeconfigPath };
    const fluxctl = fluxctlInCluster({
      env: { HOME: env.tmp.path, KUBECONFIG: env.kubeInfo.kubeconfigPath, FLUX_FORWARD_NAMESPACE: fluxNs },
      timeoutMs: 90_000,
    });

    // fluxctl install --git-url=… --git-email=foo --namespace … -o <dir>, as the bats file.
    const dir = join(env.tmp.path, 'install');
    await mkdir(dir);
    const installed = await fluxctl(
      'install',
      `--git-url=${env.repo.sshUrl}`,
      '--git-email=foo',
      '--git-branch=main',
      `--namespace=${fluxNs}`,
      '--registry-disable-scanning',
      `--output-dir=${dir}`,
    );
    expect(installed.code, installed.stderr).toBe(0);

    const port = await freePort();
    const account = join(dir, 'flux-account.yaml');
    const accountYaml = await readFile(account, 'utf8');
    // ClusterRole `flux` and ClusterRoleBinding `flux` (metadata and roleRef, indented two spaces;
    // the binding's subject, the ServiceAccount `flux`, is indented four and stays).
    const renamed = accountYaml
      .split(/^(?=---\n)/m)
      .map((doc) =>
        /^kind: ClusterRole(Binding)?$/m.test(doc)
          ? patch(doc, /^ {2}name: flux$/gm, `  name: ${fluxNs}`)
          : doc,
      )
      .join('');
    expect(renamed.match(new RegExp(`name: ${fluxNs}$`, 'gm'))).toHaveLength(3);
    await writeFile(account, renamed);
    const deployment = join(dir, 'flux-deployment.yaml');
    await writeFile(
      deployment,
      patch(
        await readFile(deployment, 'utf8'),
        '        prometheus.io/port: "3031"\n',
        `        prometheus.io/port: "3031"\n        kube-testenv.flux-ts.dev/forward-3030: 127.0.0.1:${port}\n`,
      ),
    );

    await run('kubectl', ['create', 'namespace', fluxNs], { env: kubectlEnv });
    const applied = await run('kubectl', ['apply', '-f', dir], { env: kubectlEnv });
    expect(applied.stdout).toContain('deployment.apps/flux created');
    expect(applied.stdout).toContain('secret/flux-git-deploy created');

    pod = await runPodProcess(env.kubeInfo.kubeconfigPath, {
      namespace: fluxNs,
      labelSelector: 'name=flux',
      container: 'flux',
      command: await buildFluxd(),
      extraArgs: [
        `--listen=127.0.0.1:${port}`,
        `--listen-metrics=127.0.0.1:${await freePort()}`,
        '--git-poll-interval=2s',
        '--sync-interval=10s',
      ],
      env: {
        FLUXD_KNOWN_HOSTS: env.gitServer.knownHostsFile,
        FLUXD_GIT_WORKDIR: join(env.tmp.path, 'pod-git'),
        FLUXD_CACHE_DIR: join(env.tmp.path, 'pod-cache'),
      },
      logFile: join(env.tmp.path, 'flux-pod.log'),
    });
    // The manifests' own args reached fluxd, the keygen dir moved under the pod's root.
    expect(pod.args).toContain(`--git-url=${env.repo.sshUrl}`);
    expect(pod.args).toContain('--git-email=foo');
    expect(pod.args).toContain(`--ssh-keygen-dir=${pod.root}/var/fluxd/keygen`);

    // The Secret was empty: fluxd made a key and stored it there, through its service account.
    const identity = await eventually(
      'fluxctl identity through the pod',
      async () => {
        const r = await fluxctl('identity');
        return r.code === 0 && r.stdout.startsWith('ssh-') ? r.stdout : undefined;
      },
      { timeoutMs: 60_000 },
    );
    const secret = await env.apis.core.readNamespacedSecret({ name: 'flux-git-deploy', namespace: fluxNs });
    expect(
      Buffer.from(secret.data?.['identity.pub'] ?? '', 'base64')
        .toString('utf8')
        .trim(),
    ).toBe(identity.trim());
    // Before the key is a deploy key of the repository, fluxd cannot read it: no workload yet, and
    // `fluxctl sync` says why within seconds.
    expect(await deploymentImage(env, env.namespace, 'podinfo')).toBeUndefined();
    const early = await fluxctl('sync');
    expect(early.code).toBe(1);
    expect(early.stderr).toContain(`git repository ${env.repo.sshUrl} is not ready to sync`);
    expect(early.stderr).toMatch(/Permission denied|Could not read from remote/);
    expect(early.stderr).toContain('add its key (fluxctl identity) to the\nrepository as a deploy key');

    // Added as a deploy key: the next `fluxctl sync` has fluxd try at once (no wait for its retry).
    await env.gitServer.authorizeKey(identity);
    const synced = await fluxctl('sync');
    expect(synced.code, synced.stderr).toBe(0);
    const head = (await env.user.git('rev-parse', 'HEAD')).trim();
    expect(synced.stderr).toContain(`Revision of main to apply is ${head.slice(0, 7)}\n`);
    expect(synced.stderr).toMatch(/Done\.\n$/);

    // What 11_fluxctl_install.bats checks: the demo namespace and podinfo appear.
    const ns = await env.apis.core.readNamespace({ name: env.namespace });
    expect(ns.metadata?.name).toBe(env.namespace);
    expect(await deploymentImage(env, env.namespace, 'podinfo')).toBe('stefanprodan/podinfo:3.1.0');
    expect(await helmReleaseObject(env, env.namespace, 'ghost')).toBeDefined();
    expect(await syncTag(env)).toBe(head);

    const workloads = await fluxctl('list-workloads', '--namespace', env.namespace);
    expect(workloads.code, workloads.stderr).toBe(0);
    expect(workloads.stdout).toMatch(/^WORKLOAD +CONTAINER +IMAGE +RELEASE +POLICY\n/);
    expect(workloads.stdout).toMatch(
      new RegExp(`${env.namespace}:deployment/podinfo +podinfod +stefanprodan/podinfo:3\\.1\\.0`),
    );
  });
});
