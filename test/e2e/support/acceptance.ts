/**
 * Shared pieces of the Flux v1 acceptance scenarios (test/e2e/17..33): the daemon fixture and the
 * test kit, re-exported by path (the root package does not depend on the workspace packages), and
 * small builders for the manifests and checks the scenarios repeat.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eventually, type FluxdEnv, type RunningFluxd, startFluxd } from '@flux-ts/daemon/testing';
import { kubeRequest } from '@flux-ts/k8s';
import type { KubeInfo, TestGpgHome } from '@flux-ts/testkit';
import { type FluxctlResult, runFluxctl } from '../../support/fluxctl.ts';

export {
  eventually,
  type FluxdEnv,
  finishedJob,
  getObject,
  installHelmReleaseCrd,
  type RunningFluxd,
  startFluxd,
  startFluxdEnv,
} from '@flux-ts/daemon/testing';
export { createGpgHome, type TestGpgHome } from '@flux-ts/testkit';
export type { FluxctlResult } from '../../support/fluxctl.ts';

export const run: (
  file: string,
  args: readonly string[],
  options?: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string },
) => Promise<{ stdout: string; stderr: string }> = (file, args, options = {}) =>
  new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { cwd: options.cwd, env: options.env ?? process.env, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        if (err) reject(Object.assign(err, { stdout: String(stdout), stderr: String(stderr) }));
        else resolve({ stdout: String(stdout), stderr: String(stderr) });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });

/** The run's kube-apiserver, or a clear failure when the run has none. */
export function needKube(kube: KubeInfo | null): KubeInfo {
  if (!kube) throw new Error('this test needs the kube-apiserver (run without FLUX_TS_UNIT=1)');
  return kube;
}

/** The built fluxctl as a process against `fluxd`, with the fixture's kubeconfig and a private HOME. */
export function fluxctlOf(env: FluxdEnv, fluxd: RunningFluxd): (...args: string[]) => Promise<FluxctlResult> {
  return (...args) =>
    runFluxctl(fluxd.url, args, {
      env: { HOME: env.tmp.path, KUBECONFIG: env.kubeInfo.kubeconfigPath },
    });
}

/** A Namespace manifest. */
export function namespaceYaml(ns: string): string {
  return `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`;
}

/** A Deployment with one container per `[name, image]`, and `annotations` written double-quoted. */
export function deploymentYaml(
  ns: string,
  name: string,
  containers: readonly (readonly [string, string])[],
  annotations: Record<string, string> = {},
): string {
  const ann = Object.entries(annotations)
    .map(([k, v]) => `    ${k}: "${v}"\n`)
    .join('');
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${ns}
${ann ? `  annotations:\n${ann}` : ''}spec:
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
${containers.map(([c, image]) => `      - name: ${c}\n        image: ${image}\n`).join('')}`;
}

/** The commit a tag of the user's remote points at (annotated tags peeled), or undefined. */
export async function remoteTag(env: FluxdEnv, tag: string): Promise<string | undefined> {
  const out = await env.user.git('ls-remote', 'origin', `refs/tags/${tag}`, `refs/tags/${tag}^{}`);
  const lines = out.trim().split('\n').filter(Boolean);
  const peeled = lines.find((l) => l.endsWith('^{}')) ?? lines[0];
  return peeled?.split('\t')[0];
}

/** The images of a Deployment's containers in the cluster, by container name. */
export async function clusterImages(
  env: FluxdEnv,
  ns: string,
  name: string,
): Promise<Record<string, string>> {
  const res = await kubeRequest(env.kube.connection, {
    path: `/apis/apps/v1/namespaces/${ns}/deployments/${name}`,
  });
  if (res.status !== 200) return {};
  const spec = (
    res.body as { spec: { template: { spec: { containers: { name: string; image: string }[] } } } }
  ).spec;
  return Object.fromEntries(spec.template.spec.containers.map((c) => [c.name, c.image]));
}

/** The tags fluxd has scanned for each container of a workload (`/v10/images`), by container name. */
export async function scannedTags(fluxd: RunningFluxd, id: string): Promise<Record<string, string[]>> {
  const res = await fluxd.api(`/v10/images?containerFields=&namespace=&service=${encodeURIComponent(id)}`);
  const images = (await res.json()) as {
    Containers: { Name: string; Available?: { ID: string }[] | null }[];
  }[];
  return Object.fromEntries(
    (images[0]?.Containers ?? []).map((c) => [
      c.Name,
      (c.Available ?? []).map((a) => a.ID.split(':').at(-1) as string).sort(),
    ]),
  );
}

/** Tells fluxd (`POST /v11/notify`) that `repo` of the test registry has new tags, as a registry webhook would. */
export async function notifyImage(fluxd: RunningFluxd, host: string, repo: string): Promise<void> {
  const res = await fluxd.api('/v11/notify', {
    method: 'POST',
    body: JSON.stringify({ Kind: 'image', Source: { Name: { Domain: host, Image: repo } } }),
  });
  if (res.status !== 202) throw new Error(`notify ${repo}: fluxd answered ${res.status}`);
}

/** Waits until the user's clone sees a head other than `before`, and returns it. */
export function nextCommit(
  env: FluxdEnv,
  fluxd: RunningFluxd,
  before: string,
  what: string,
): Promise<string> {
  return eventually(
    what,
    async () => {
      const head = await env.user.pull();
      return head !== before ? head : undefined;
    },
    { fluxd, timeoutMs: 40_000 },
  );
}

/** The lines a diff adds and removes (without the file headers). */
export function changedLines(diff: string): string[] {
  return diff.split('\n').filter((l) => /^[-+](?![-+]{2} )/.test(l));
}

/**
 * fluxd that imports `gpg`'s secret key from a 0600 file (as the upstream chart mounts it) and signs
 * its sync tag and commits with it; the sync tag is `flux`, scanning off, limited to the env's
 * namespace, plus `args`.
 */
export async function startSigningFluxd(
  env: FluxdEnv,
  gpg: TestGpgHome,
  name: string,
  args: readonly string[] = [],
): Promise<RunningFluxd> {
  const keyFile = join(env.tmp.path, `${name}-key.asc`);
  await writeFile(keyFile, await gpg.exportSecretKey(), { mode: 0o600 });
  return startFluxd(
    env,
    [
      `--k8s-allow-namespace=${env.namespace}`,
      `--git-gpg-key-import=${keyFile}`,
      `--git-signing-key=${gpg.fingerprint}`,
      '--git-label=flux',
      '--registry-disable-scanning',
      ...args,
    ],
    name,
  );
}
