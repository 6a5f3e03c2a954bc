/**
 * The acceptance scenarios' common ground: the repository Flux v1's end-to-end tests were seeded
 * with (fluxcd/flux-get-started: podinfo + three HelmReleases, flux-v1.md §14.2), the images of
 * its release tests, the HelmRelease CRD, and the sync tag as a user sees it.
 */
import type { FluxdEnv, RunningFluxd } from '@flux-ts/daemon/testing';
import { eventually, installHelmReleaseCrd, startFluxd, startFluxdEnv } from '@flux-ts/daemon/testing';
import { kubeRequest } from '@flux-ts/k8s';
import type { KubeInfo } from '@flux-ts/testkit';
import type { FluxctlResult } from '../../support/fluxctl.ts';

// The daemon fixture, re-exported so the scenario files import from one place.
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

/** Where the images live: Docker Hub names (as in flux-get-started), or the test registry. */
export interface ScenarioImages {
  podinfo: string;
  ghost: string;
}

/** Flux v1's names; not scanned (`--registry-disable-scanning` or excluded). */
export const hubImages: ScenarioImages = { podinfo: 'stefanprodan/podinfo', ghost: 'bitnami/ghost' };

/** The same repositories in the test registry (`host:port/…`), for the scenarios that scan. */
export function registryImages(env: FluxdEnv): ScenarioImages {
  return {
    podinfo: `${env.registry.host}/stefanprodan/podinfo`,
    ghost: `${env.registry.host}/bitnami/ghost`,
  };
}

/**
 * Pushes the empty images of Flux v1's release tests (`lib/release_image.bash`) with their
 * creation times: ghost 3.0.2-debian-9-r3 (Jan 2020), 3.1.1-debian-9-r0 (Feb), podinfo 3.1.0
 * (Mar), 3.0.5 (Apr).
 */
export async function pushScenarioImages(env: FluxdEnv): Promise<void> {
  await env.registry.pushImage({
    repo: 'bitnami/ghost',
    tag: '3.0.2-debian-9-r3',
    created: '2020-01-20T13:53:05.47178071Z',
  });
  await env.registry.pushImage({
    repo: 'bitnami/ghost',
    tag: '3.1.1-debian-9-r0',
    created: '2020-02-20T13:53:05.47178071Z',
  });
  await env.registry.pushImage({
    repo: 'stefanprodan/podinfo',
    tag: '3.1.0',
    created: '2020-03-20T13:53:05.47178071Z',
  });
  await env.registry.pushImage({
    repo: 'stefanprodan/podinfo',
    tag: '3.0.5',
    created: '2020-04-20T13:53:05.47178071Z',
  });
}

/** flux-get-started's `workloads/podinfo-dep.yaml` (podinfo 3.1.0, automated, semver:~3.1). */
export function podinfoDeployment(ns: string, images: ScenarioImages): string {
  return `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: podinfo
  namespace: ${ns}
  labels:
    app: podinfo
  annotations:
    fluxcd.io/automated: "true"
    fluxcd.io/tag.init: regex:^3.10.*
    fluxcd.io/tag.podinfod: semver:~3.1
spec:
  strategy:
    rollingUpdate:
      maxUnavailable: 0
    type: RollingUpdate
  selector:
    matchLabels:
      app: podinfo
  template:
    metadata:
      annotations:
        prometheus.io/scrape: "true"
      labels:
        app: podinfo
    spec:
      initContainers:
      - name: init
        image: alpine:3.10.1
        command:
        - sleep
        - "1"
      containers:
      - name: podinfod
        image: ${images.podinfo}:3.1.0
        imagePullPolicy: IfNotPresent
        ports:
        - containerPort: 9898
          name: http
          protocol: TCP
        command:
        - ./podinfo
        - --port=9898
        - --level=info
        env:
        - name: PODINFO_UI_COLOR
          value: blue
        resources:
          requests:
            cpu: 10m
            memory: 64Mi
`;
}

function helmRelease(
  ns: string,
  name: string,
  annotations: string,
  chartVersion: string,
  repository: string,
  tag: string,
): string {
  return `---
apiVersion: helm.fluxcd.io/v1
kind: HelmRelease
metadata:
  name: ${name}
  namespace: ${ns}
  annotations:
${annotations}spec:
  releaseName: ${name}
  chart:
    repository: https://charts.bitnami.com/bitnami
    name: ${name}
    version: ${chartVersion}
  values:
    image:
      repository: ${repository}
      tag: ${tag}
`;
}

/**
 * The repository of Flux v1's e2e tests, with the demo workloads in namespace `ns`: podinfo and
 * the HelmReleases ghost (not automated, `glob:3.1.1-debian-9-*`), mongodb (not automated) and
 * redis (automated and locked). mongodb, redis and alpine stay Docker Hub names.
 */
export function getStartedFiles(ns: string, images: ScenarioImages = hubImages): Record<string, string> {
  return {
    'namespaces/demo-ns.yaml': `---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`,
    'workloads/podinfo-dep.yaml': podinfoDeployment(ns, images),
    'releases/ghost.yaml': helmRelease(
      ns,
      'ghost',
      '    fluxcd.io/automated: "false"\n    fluxcd.io/tag.chart-image: glob:3.1.1-debian-9-*\n',
      '9.1.13',
      images.ghost,
      '3.1.1-debian-9-r0',
    ),
    'releases/mongodb.yaml': helmRelease(
      ns,
      'mongodb',
      '    fluxcd.io/automated: "false"\n    fluxcd.io/tag.chart-image: semver:~4.0\n',
      '7.6.3',
      'bitnami/mongodb',
      '4.0.13',
    ),
    'releases/redis.yaml': helmRelease(
      ns,
      'redis',
      '    fluxcd.io/automated: "true"\n    fluxcd.io/tag.chart-image: semver:~5.0\n    fluxcd.io/locked: "true"\n',
      '10.3.4',
      'bitnami/redis',
      '5.0.7',
    ),
  };
}

/** The commit the sync tag (`name`, e.g. `flux` from `--git-label=flux`) points at, as `git rev-list -n 1`. */
export async function syncTag(env: FluxdEnv, name = 'flux'): Promise<string | undefined> {
  try {
    await env.user.git('fetch', '--quiet', '--force', 'origin', `+refs/tags/${name}:refs/tags/${name}`);
    return (await env.user.git('rev-list', '-n', '1', name)).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Waits until the sync tag points at `revision`. */
export function syncTagAt(
  env: FluxdEnv,
  revision: string,
  fluxd: RunningFluxd,
  name = 'flux',
): Promise<string> {
  return eventually(
    `sync tag ${name} at ${revision.slice(0, 7)}`,
    async () => ((await syncTag(env, name)) === revision ? revision : undefined),
    { fluxd, timeoutMs: 60_000 },
  );
}

/** The image of a Deployment's first container, or undefined when there is no such Deployment. */
export async function deploymentImage(env: FluxdEnv, ns: string, name: string): Promise<string | undefined> {
  const res = await kubeRequest(env.kube.connection, {
    path: `/apis/apps/v1/namespaces/${ns}/deployments/${name}`,
  });
  if (res.status !== 200) return undefined;
  const body = res.body as { spec: { template: { spec: { containers: { image: string }[] } } } };
  return body.spec.template.spec.containers[0]?.image;
}

/** Names of the Deployments in a namespace. */
export async function deploymentNames(env: FluxdEnv, ns: string): Promise<string[]> {
  const list = await env.apis.apps.listNamespacedDeployment({ namespace: ns });
  return list.items.map((d) => d.metadata?.name ?? '');
}

/** The HelmRelease's JSON from the cluster, or undefined. */
export async function helmReleaseObject(
  env: FluxdEnv,
  ns: string,
  name: string,
): Promise<Record<string, unknown> | undefined> {
  const res = await kubeRequest(env.kube.connection, {
    path: `/apis/helm.fluxcd.io/v1/namespaces/${ns}/helmreleases/${name}`,
  });
  return res.status === 200 ? (res.body as Record<string, unknown>) : undefined;
}

/**
 * Waits until the scanner has the tags of `repo` (`host:port/path`) for the workloads of `ns`:
 * our counterpart of waiting for Flux v1's `component=warmer updated=<repo>` log line.
 */
export function scanned(
  fluxd: RunningFluxd,
  ns: string,
  repo: string,
  tags: readonly string[],
): Promise<true> {
  return eventually(
    `${repo} scanned (${tags.join(', ')})`,
    async () => {
      const res = await fluxd.api(`/v10/images?containerFields=&namespace=${ns}&service=%3Call%3E`);
      const images = (await res.json()) as {
        Containers: { Current?: { ID?: string }; Available?: { ID: string }[] | null }[];
      }[];
      const found = new Set(
        images
          .flatMap((i) => i.Containers)
          .flatMap((c) => c.Available ?? [])
          .map((a) => a.ID)
          .filter((id) => id.startsWith(`${repo}:`))
          .map((id) => id.slice(repo.length + 1)),
      );
      return tags.every((t) => found.has(t)) ? true : undefined;
    },
    { fluxd, timeoutMs: 60_000 },
  );
}

/**
 * The flux-get-started scenarios' start (12, 13, 16): the components, the HelmRelease CRD, the seed
 * commit, and fluxd with `--git-label=flux`, limited to this file's namespace, plus `args`.
 */
export async function startGetStarted(
  kube: KubeInfo | null | undefined,
  args: readonly string[],
): Promise<{ env: FluxdEnv; fluxd: RunningFluxd }> {
  if (!kube) throw new Error('this test needs the kube-apiserver (run without FLUX_TS_UNIT=1)');
  const env = await startFluxdEnv(kube, {});
  await installHelmReleaseCrd(env);
  for (const [path, text] of Object.entries(getStartedFiles(env.namespace))) await env.user.write(path, text);
  await env.user.commitAndPush('Seed flux-get-started');
  const fluxd = await startFluxd(env, [
    `--k8s-allow-namespace=${env.namespace}`,
    '--git-label=flux',
    ...args,
  ]);
  return { env, fluxd };
}

/**
 * The release scenarios' start (15, and the Go fluxctl compatibility suite): the images of Flux v1's
 * release test pushed to the test registry, flux-get-started pointing at them, and fluxd scanning
 * that registry only (alpine, mongodb and redis stay Docker Hub names, excluded), automation every
 * few seconds, the sync tag `flux`, plus `args`.
 */
export async function startReleaseScenario(
  kube: KubeInfo | null | undefined,
  args: readonly string[] = [],
): Promise<{ env: FluxdEnv; fluxd: RunningFluxd }> {
  if (!kube) throw new Error('this test needs the kube-apiserver (run without FLUX_TS_UNIT=1)');
  const env = await startFluxdEnv(kube, {});
  await installHelmReleaseCrd(env);
  await pushScenarioImages(env);
  for (const [path, text] of Object.entries(getStartedFiles(env.namespace, registryImages(env))))
    await env.user.write(path, text);
  await env.user.commitAndPush('Seed flux-get-started');
  const fluxd = await startFluxd(env, [
    `--k8s-allow-namespace=${env.namespace}`,
    '--git-label=flux',
    '--registry-exclude-image=index.docker.io/*',
    '--automation-interval=5s',
    ...args,
  ]);
  return { env, fluxd };
}

/**
 * Settles what the release scenario's listings show: podinfo locked (no automation races), both
 * scenario images scanned, and the lock and podinfo's rollout visible in the cluster. `fluxctl` runs
 * a fluxctl against the scenario's fluxd.
 */
export async function settleReleaseScenario(
  env: FluxdEnv,
  fluxd: RunningFluxd,
  fluxctl: (...args: string[]) => Promise<FluxctlResult>,
): Promise<void> {
  const ns = env.namespace;
  await eventually(
    'lock podinfo',
    async () => (await fluxctl('lock', `--workload=${ns}:deployment/podinfo`)).code === 0,
    { fluxd, timeoutMs: 60_000 },
  );
  const { podinfo, ghost } = registryImages(env);
  await scanned(fluxd, ns, podinfo, ['3.1.0', '3.0.5']);
  await scanned(fluxd, ns, ghost, ['3.0.2-debian-9-r3', '3.1.1-debian-9-r0']);
  // The lock reached the cluster too (the workload listing reads the cluster's annotations), and
  // podinfo rolled out (kube-testenv's node stand-in runs its pods).
  await eventually(
    'podinfo locked and ready in the cluster',
    async () => {
      const out = (await fluxctl('list-workloads', '--namespace', ns)).stdout;
      return out.includes('automated,locked') && /deployment\/podinfo\s.*\sready\s/.test(out);
    },
    { fluxd },
  );
}
