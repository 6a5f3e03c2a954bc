import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { type DaemonProcess, spawnDaemon } from './daemon-process.ts';
import { type KubeApis, kubeApis } from './kube-apis.ts';
import { makeTempDir, type TempDir } from './temp-dir.ts';

export interface PodProcessOptions {
  namespace: string;
  /** Selects the pod, e.g. `name=flux` (the first Running and ready one). */
  labelSelector: string;
  /** The container whose args and mounts the process gets (default: the pod's first). */
  container?: string;
  /** The executable standing in for the container image's entrypoint. */
  command: string;
  /**
   * Appended after the container's args: the harness's own patches, as Flux v1's e2e patched the
   * install manifests with kustomize (fluxd's flags: a later one wins).
   */
  extraArgs?: readonly string[];
  /** Environment beyond the container's own literal `env` (PATH and HOME are set). */
  env?: Record<string, string>;
  /** Where the process's stdout and stderr go. */
  logFile: string;
  timeoutMs?: number;
}

/** A container of a scheduled pod, run as a local process. */
export interface PodProcess {
  namespace: string;
  /** The pod's name. */
  name: string;
  /** The process's file system root: a mount path `/x` is `<root>/x`. */
  root: string;
  /** The args it was started with (mount paths rewritten, extraArgs appended). */
  args: string[];
  /** A kubeconfig holding a token of the pod's service account (what it runs as). */
  kubeconfigPath: string;
  process: DaemonProcess;
  /** Stops the process and removes its root. */
  stop(): Promise<void>;
}

/** A volume type the stand-in cannot materialise. */
export class UnsupportedPodVolumeError extends Error {
  constructor(pod: string, volume: string) {
    super(
      `pod ${pod}: volume ${volume} is not a secret, configMap or emptyDir; runPodProcess materialises only those`,
    );
    this.name = 'UnsupportedPodVolumeError';
  }
}

async function runningPod(apis: KubeApis, options: PodProcessOptions, deadline: number): Promise<V1Pod> {
  for (;;) {
    const list = await apis.core.listNamespacedPod({
      namespace: options.namespace,
      labelSelector: options.labelSelector,
    });
    const pod = list.items.find(
      (p) =>
        !p.metadata?.deletionTimestamp &&
        p.status?.phase === 'Running' &&
        p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    );
    if (pod) return pod;
    if (Date.now() > deadline) {
      const phases = list.items.map((p) => `${p.metadata?.name}: ${p.status?.phase}`).join(', ') || 'none';
      throw new Error(
        `no Running and ready pod ${options.labelSelector} in ${options.namespace} (pods: ${phases}): is the kube-testenv node stand-in running?`,
      );
    }
    await sleep(100);
  }
}

/** Writes the pod's secret, configMap and emptyDir volumes under `root` at their mount paths. */
async function materialiseVolumes(
  pod: V1Pod,
  container: V1Container,
  root: string,
  apis: KubeApis,
): Promise<void> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const podName = `${namespace}/${pod.metadata?.name}`;
  for (const mount of container.volumeMounts ?? []) {
    const volume = pod.spec?.volumes?.find((v) => v.name === mount.name);
    const dir = join(root, mount.mountPath);
    await mkdir(dir, { recursive: true, mode: 0o755 });
    if (!volume || volume.emptyDir) continue;
    let files: Record<string, Buffer> = {};
    let mode = 0o644;
    if (volume.secret?.secretName) {
      const secret = await apis.core.readNamespacedSecret({ name: volume.secret.secretName, namespace });
      files = Object.fromEntries(
        Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
      );
      mode = volume.secret.defaultMode ?? mode;
    } else if (volume.configMap?.name) {
      const map = await apis.core.readNamespacedConfigMap({ name: volume.configMap.name, namespace });
      files = Object.fromEntries(Object.entries(map.data ?? {}).map(([k, v]) => [k, Buffer.from(v)]));
      mode = volume.configMap.defaultMode ?? mode;
    } else {
      throw new UnsupportedPodVolumeError(podName, mount.name);
    }
    for (const [key, bytes] of Object.entries(files)) {
      const file = join(dir, key);
      await writeFile(file, bytes);
      await chmod(file, mode);
    }
  }
}

/** A token of the pod's service account, bound to the pod, as a kubeconfig on the test's API server. */
async function serviceAccountKubeconfig(pod: V1Pod, root: string, apis: KubeApis): Promise<string> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const account = pod.spec?.serviceAccountName ?? 'default';
  const review = await apis.core.createNamespacedServiceAccountToken({
    name: account,
    namespace,
    body: {
      spec: {
        audiences: [],
        expirationSeconds: 3600,
        boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata?.name, uid: pod.metadata?.uid },
      },
    },
  });
  const cluster = apis.config.getCurrentCluster();
  if (!cluster || !review.status?.token)
    throw new Error(`no token for service account ${namespace}/${account}`);
  const ca = cluster.caData
    ? `certificate-authority-data: ${cluster.caData}`
    : `certificate-authority: ${cluster.caFile}`;
  const path = join(root, 'var/run/secrets/kubernetes.io/serviceaccount/kubeconfig');
  await mkdir(dirname(path), { recursive: true });
  await writeFile(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: in-cluster',
      '  cluster:',
      `    server: ${cluster.server}`,
      `    ${ca}`,
      'users:',
      `- name: ${account}`,
      '  user:',
      `    token: ${review.status.token}`,
      'contexts:',
      '- name: in-cluster',
      '  context:',
      '    cluster: in-cluster',
      `    user: ${account}`,
      `    namespace: ${namespace}`,
      'current-context: in-cluster',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return path;
}

/** An arg naming a path under one of the container's mounts, moved under `root` (`--flag=/path` or `/path`). */
function rewriteArg(arg: string, mounts: readonly string[], root: string): string {
  const match = /^(--[^=]+=)?(\/.*)$/.exec(arg);
  if (!match) return arg;
  const path = match[2] as string;
  const under = mounts.some((m) => path === m || path.startsWith(`${m.replace(/\/$/, '')}/`));
  return under ? `${match[1] ?? ''}${posix.join(root, path)}` : arg;
}

/**
 * Runs a container of a scheduled pod as a local process: what a kubelet would do, for the
 * kube-testenv node stand-in (which marks pods Running but runs no containers). Waits for a Running
 * and ready pod matching `labelSelector`, materialises its secret, configMap and emptyDir volumes under
 * a temporary root (args naming mount paths are rewritten to match), gives it a bound token of the
 * pod's service account as its kubeconfig (so it runs with the RBAC the manifests grant), and starts
 * `command` with the container's args plus `extraArgs`. Only literal `env` values are supported.
 */
export async function runPodProcess(kubeconfigPath: string, options: PodProcessOptions): Promise<PodProcess> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const apis = kubeApis(kubeconfigPath);
  const pod = await runningPod(apis, options, deadline);
  const name = pod.metadata?.name ?? '';
  const containers = pod.spec?.containers ?? [];
  const container = options.container ? containers.find((c) => c.name === options.container) : containers[0];
  if (!container)
    throw new Error(`pod ${options.namespace}/${name} has no container ${options.container ?? ''}`);
  const tmp: TempDir = await makeTempDir('pod', { short: true });
  try {
    await materialiseVolumes(pod, container, tmp.path, apis);
    const kubeconfig = await serviceAccountKubeconfig(pod, tmp.path, apis);
    const mounts = (container.volumeMounts ?? []).map((m) => m.mountPath);
    const args = [
      ...(container.args ?? []).map((a) => rewriteArg(a, mounts, tmp.path)),
      ...(options.extraArgs ?? []),
    ];
    const containerEnv: Record<string, string> = {};
    for (const e of container.env ?? []) {
      if (e.valueFrom)
        throw new Error(`pod ${options.namespace}/${name}: env ${e.name} uses valueFrom (unsupported)`);
      containerEnv[e.name] = e.value ?? '';
    }
    const home = join(tmp.path, 'home');
    await mkdir(home, { recursive: true });
    const child = spawnDaemon(options.command, args, {
      logFile: options.logFile,
      cwd: tmp.path,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: home,
        KUBECONFIG: kubeconfig,
        ...containerEnv,
        ...options.env,
      },
    });
    return {
      namespace: options.namespace,
      name,
      root: tmp.path,
      args,
      kubeconfigPath: kubeconfig,
      process: child,
      stop: async () => {
        await child.stop(10_000);
        await tmp.remove();
      },
    };
  } catch (err) {
    await tmp.remove();
    throw err;
  }
}
