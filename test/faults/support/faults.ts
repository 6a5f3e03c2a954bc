import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { eventually, type FluxdEnv, getObject, type RunningFluxd, startFluxd } from '@flux-ts/daemon/testing';
import {
  type DaemonProcess,
  freePort,
  type KubeInfo,
  kubeTestenvBinary,
  makeTempDir,
  memcachedCommand,
  requireBinary,
  spawnDaemon,
  type TempDir,
  waitUntilReady,
} from '@flux-ts/testkit';

const run = promisify(execFile);

/** A Deployment manifest; `automated` adds `fluxcd.io/automated` and a `semver:*` tag filter. */
export function deployment(ns: string, name: string, image: string, automated = false): string {
  const ann = automated
    ? `  annotations:\n    fluxcd.io/automated: "true"\n    fluxcd.io/tag.${name}: "semver:*"\n`
    : '';
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${ns}
${ann}spec:
  replicas: 1
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
      - name: ${name}
        image: ${image}
`;
}

export function namespaceYaml(ns: string): string {
  return `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`;
}

export function configMap(ns: string, name: string, value: string): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${ns}\ndata:\n  key: "${value}"\n`;
}

/** `git` in the bare upstream repository (not through ssh). */
export async function upstreamGit(env: FluxdEnv, ...args: string[]): Promise<string> {
  return (await run('git', ['-C', env.repo.path, ...args], { maxBuffer: 64 << 20 })).stdout;
}

/** The upstream branch head and the commit the sync tag points at. */
export async function upstreamRefs(env: FluxdEnv): Promise<{ head: string; syncTag: string | undefined }> {
  const head = (await upstreamGit(env, 'rev-parse', 'refs/heads/main')).trim();
  const tag = await upstreamGit(
    env,
    'rev-parse',
    '--verify',
    '--quiet',
    'refs/tags/flux-sync^{commit}',
  ).catch(() => '');
  return { head, syncTag: tag.trim() || undefined };
}

/** The image of a Deployment's first container in the cluster, or undefined when it does not exist. */
export async function clusterImage(env: FluxdEnv, ns: string, name: string): Promise<string | undefined> {
  const d = await getObject(env.kube, `/apis/apps/v1/namespaces/${ns}/deployments/${name}`);
  const spec = d?.spec as { template: { spec: { containers: { image: string }[] } } } | undefined;
  return spec?.template.spec.containers[0]?.image;
}

/** The image a Deployment's file holds at the upstream head. */
export async function gitImage(env: FluxdEnv, file: string): Promise<string | undefined> {
  const text = await upstreamGit(env, 'show', `refs/heads/main:${file}`);
  return text.match(/image: (\S+)/)?.[1];
}

/**
 * Waits until the state has converged: the sync tag is at the upstream head, and every listed
 * Deployment (file in git → name in the cluster) runs the image git holds for it.
 */
export async function waitConverged(
  env: FluxdEnv,
  fluxd: RunningFluxd,
  workloads: { file: string; name: string /** the image git must hold by then */; image?: string }[],
  options: { timeoutMs?: number; configMaps?: string[] } = {},
): Promise<string> {
  return eventually(
    'the cluster to equal git and the sync tag to reach the head',
    async () => {
      const { head, syncTag } = await upstreamRefs(env);
      if (syncTag !== head) return undefined;
      for (const w of workloads) {
        const want = await gitImage(env, w.file);
        if (!want || (w.image !== undefined && want !== w.image)) return undefined;
        if ((await clusterImage(env, env.namespace, w.name)) !== want) return undefined;
      }
      for (const cm of options.configMaps ?? []) {
        if (!(await getObject(env.kube, `/api/v1/namespaces/${env.namespace}/configmaps/${cm}`)))
          return undefined;
      }
      return head;
    },
    { fluxd, timeoutMs: options.timeoutMs ?? 40_000 },
  );
}

/** Asserts nothing is broken in the upstream repository: `git fsck` clean, no stray lock files. */
export async function upstreamIntegrity(env: FluxdEnv): Promise<{ fsck: string; locks: string[] }> {
  const { stdout, stderr } = await run(
    'git',
    ['-C', env.repo.path, 'fsck', '--full', '--strict', '--no-dangling', '--no-progress'],
    {
      maxBuffer: 16 << 20,
    },
  );
  const locks: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith('.lock')) locks.push(p);
    }
  };
  await walk(env.repo.path);
  return { fsck: `${stdout}${stderr}`.trim(), locks };
}

/** Subjects of the commits on the upstream branch, oldest first. */
export async function commitSubjects(env: FluxdEnv): Promise<string[]> {
  return (await upstreamGit(env, 'log', '--reverse', '--format=%s', 'refs/heads/main')).trim().split('\n');
}

/** Lines of fluxd's JSON log whose `msg` contains `text`. */
export async function logLines(fluxd: RunningFluxd, text: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (const line of (await fluxd.log()).split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (typeof parsed.msg === 'string' && parsed.msg.includes(text)) out.push(parsed);
    } catch {
      // a partial line
    }
  }
  return out;
}

/** GET /healthz answers 200. */
export async function healthy(fluxd: RunningFluxd): Promise<boolean> {
  return (await fetch(`${fluxd.url}/healthz`).catch(() => undefined))?.ok ?? false;
}

/** Sends SIGKILL to fluxd (and its watchdog and children: the whole process group), like a pod kill. */
export async function killHard(fluxd: RunningFluxd): Promise<void> {
  try {
    process.kill(-fluxd.process.pid, 'SIGKILL');
  } catch {
    // already gone
  }
  await fluxd.process.exited;
}

/** A memcached started on a given port (to restart one on the address fluxd knows). */
export async function startMemcachedOn(port: number, dir: string): Promise<{ stop(): Promise<void> }> {
  const binary = await requireBinary('memcached', 'apt-get install memcached', ['/usr/bin']);
  const user = process.getuid?.() === 0 ? ['-u', 'root'] : [];
  const daemon = spawnDaemon(
    binary,
    ['-l', '127.0.0.1', '-p', String(port), '-U', '0', '-m', '64', ...user],
    {
      logFile: join(dir, `memcached-${port}.log`),
    },
  );
  await waitUntilReady(daemon, `memcached on 127.0.0.1:${port}`, async () =>
    (await memcachedCommand(port, 'version')).startsWith('VERSION'),
  );
  return { stop: () => daemon.stop() };
}

/**
 * A TCP forwarder on a fixed loopback port: `down()` closes the listener and cuts every
 * connection (connections are refused, as when the host is down), `up()` listens again on the same
 * port; `delayMs` holds each new connection that long before forwarding (a slow remote).
 */
export interface TcpProxy {
  port: number;
  delayMs: number;
  connections: number;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const proxy: TcpProxy = {
    port,
    delayMs: 0,
    connections: 0,
    async up() {
      const s = createServer((client) => {
        proxy.connections++;
        sockets.add(client);
        client.on('close', () => sockets.delete(client));
        client.pause();
        const forward = async (): Promise<void> => {
          if (proxy.delayMs > 0) await sleep(proxy.delayMs);
          if (client.destroyed) return;
          const upstream = tcpConnect(targetPort, '127.0.0.1');
          sockets.add(upstream);
          upstream.on('close', () => sockets.delete(upstream));
          upstream.on('error', () => client.destroy());
          client.on('error', () => upstream.destroy());
          client.pipe(upstream);
          upstream.pipe(client);
          client.resume();
        };
        void forward();
      });
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, '127.0.0.1', () => resolve());
      });
      server = s;
    },
    async down() {
      const s = server;
      server = undefined;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      if (s) await new Promise<void>((r) => s.close(() => r()));
    },
    close: () => proxy.down(),
  };
  await proxy.up();
  return proxy;
}

/** A known_hosts file for the git server's host key at another port (the proxy's). */
export async function knownHostsFor(env: FluxdEnv, port: number): Promise<string> {
  const original = await readFile(env.gitServer.knownHostsFile, 'utf8');
  const key = original.trim().split(' ').slice(1).join(' ');
  const file = join(env.tmp.path, `known_hosts_${port}`);
  await writeFile(file, `[127.0.0.1]:${port} ${key}\n`);
  return file;
}

/** The repo's ssh URL through another port on 127.0.0.1. */
export function sshUrlVia(env: FluxdEnv, port: number): string {
  return env.repo.sshUrl.replace(`127.0.0.1:${env.gitServer.port}`, `127.0.0.1:${port}`);
}

/**
 * fluxd (named `fluxd`, so a restart reuses its home and work directories) limited to the env's
 * namespace, reaching git through `proxy` with the host key pinned for the proxy's port.
 */
export async function startFluxdViaProxy(
  env: FluxdEnv,
  proxy: { port: number },
  args: readonly string[],
): Promise<RunningFluxd> {
  return startFluxd(
    env,
    [`--k8s-allow-namespace=${env.namespace}`, `--git-url=${sshUrlVia(env, proxy.port)}`, ...args],
    'fluxd',
    { env: { FLUXD_KNOWN_HOSTS: await knownHostsFor(env, proxy.port) } },
  );
}

/**
 * A kube-apiserver of our own (tools/kube-testenv) that can be stopped and started again on the same
 * port, state directory (etcd data, serving certificate) and admin token, so its kubeconfig stays
 * valid across a restart.
 */
export interface RestartableKube {
  info: KubeInfo;
  /** Stops it (`hard`: SIGKILL, like a crash; else SIGTERM). */
  stop(hard?: boolean): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startRestartableKube(): Promise<RestartableKube> {
  const binary = await kubeTestenvBinary();
  const dir: TempDir = await makeTempDir('fault-kube', { short: true });
  const state = join(dir.path, 'state');
  await mkdir(state, { recursive: true });
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  let daemon: DaemonProcess | undefined;
  const start = async (): Promise<void> => {
    await rm(join(state, 'ready.json'), { force: true });
    const d = spawnDaemon(
      binary,
      ['--dir', state, '--keep', `--port=${port}`, `--token=${token}`, '--controllers='],
      { logFile: join(dir.path, 'kube-testenv.log') },
    );
    daemon = d;
    await waitUntilReady(
      d,
      `kube-testenv on 127.0.0.1:${port}`,
      async () => existsSync(join(state, 'ready.json')),
      120_000,
    );
  };
  const stop = async (hard = false): Promise<void> => {
    const d = daemon;
    daemon = undefined;
    if (!d) return;
    if (hard) {
      try {
        process.kill(-d.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await d.stop(30_000);
  };
  await start();
  return {
    info: { kubeconfigPath: join(state, 'kubeconfig'), server: `https://127.0.0.1:${port}`, external: false },
    stop,
    start,
    close: async () => {
      await stop();
      await dir.remove();
    },
  };
}

/** Waits until fluxd's git mirror is ready (`POST /v9/git-repo-config` says `ready`). */
export function waitGitReady(fluxd: RunningFluxd, timeoutMs = 30_000): Promise<boolean> {
  return eventually(
    'the git repository to be ready',
    async () => {
      const res = await fluxd.api('/v9/git-repo-config', { method: 'POST', body: 'false' });
      return ((await res.json()) as { status?: string }).status === 'ready';
    },
    { fluxd, timeoutMs },
  );
}
