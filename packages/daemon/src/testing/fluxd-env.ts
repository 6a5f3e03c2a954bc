import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { JobStatusJson } from '@flux-ts/core';
import { createKubeClient, type KubeClient, kubeRequest } from '@flux-ts/k8s';
import {
  createGitServer,
  type DaemonProcess,
  freePort,
  type KubeApis,
  type KubeInfo,
  kubeApis,
  makeTempDir,
  spawnDaemon,
  startMemcached,
  startRegistry,
  type TempDir,
  type TestGitServer,
  type TestMemcached,
  type TestRegistry,
  type TestRepo,
  waitUntilReady,
} from '@flux-ts/testkit';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const fluxdBin = join(repoRoot, 'packages/daemon/dist/bin/fluxd.js');

/** Builds the packages (incremental: about a second when up to date), so the fluxd binary is current. */
export async function buildFluxd(): Promise<string> {
  await run('npx', ['tsc', '-b', 'packages/daemon'], { cwd: repoRoot, maxBuffer: 16 << 20 });
  // Run as installed (`fluxd` on PATH is this file): its shebang sets node's flags.
  await chmod(fluxdBin, 0o755);
  return fluxdBin;
}

/** A working copy of the test repository, for pushing commits as a user would. */
export interface UserClone {
  dir: string;
  git(...args: string[]): Promise<string>;
  write(path: string, text: string): Promise<void>;
  read(path: string): Promise<string>;
  /** Adds everything, commits, pushes; returns the new head. */
  commitAndPush(message: string): Promise<string>;
  /** Fetches and resets to the remote branch (to see fluxd's commits). */
  pull(): Promise<string>;
}

/** Real components for a fluxd test: registry, memcached, git over ssh, the run's kube-apiserver. */
export interface FluxdEnv {
  tmp: TempDir;
  registry: TestRegistry;
  memcached: TestMemcached;
  gitServer: TestGitServer;
  repo: TestRepo;
  kube: KubeClient;
  /** client-node's typed clients, to arrange and check cluster state independently of the code under test. */
  apis: KubeApis;
  kubeInfo: KubeInfo;
  user: UserClone;
  /** A fresh namespace name for this test file. */
  namespace: string;
  close(): Promise<void>;
}

/** Starts the components and seeds the repo with `files` (path → text) on branch `main`. */
export async function startFluxdEnv(
  kubeInfo: KubeInfo,
  files: Record<string, string>,
  options: { registryAuth?: 'none' | 'basic' | 'token' } = {},
): Promise<FluxdEnv> {
  const tmp = await makeTempDir('fluxd-e2e', { short: true });
  const [registry, memcached, gitServer] = await Promise.all([
    startRegistry({ auth: options.registryAuth ?? 'none' }),
    startMemcached(),
    createGitServer(),
  ]);
  const repo = await gitServer.createRepo('config');
  const dir = join(tmp.path, 'user');
  const gitEnv = {
    ...gitServer.env,
    GIT_AUTHOR_NAME: 'Test User',
    GIT_AUTHOR_EMAIL: 'user@example.com',
    GIT_COMMITTER_NAME: 'Test User',
    GIT_COMMITTER_EMAIL: 'user@example.com',
  };
  const git = async (...args: string[]): Promise<string> =>
    (await run('git', args, { cwd: dir, env: gitEnv, maxBuffer: 64 << 20 })).stdout;
  await run('git', ['clone', '--quiet', repo.sshUrl, dir], { env: gitEnv });
  await git('checkout', '--quiet', '-B', 'main');
  const user: UserClone = {
    dir,
    git,
    write: async (path, text) => {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    },
    read: (path) => readFile(join(dir, path), 'utf8'),
    commitAndPush: async (message) => {
      await git('add', '-A');
      await git('commit', '--quiet', '-m', message);
      await git('push', '--quiet', 'origin', 'HEAD:main');
      return (await git('rev-parse', 'HEAD')).trim();
    },
    pull: async () => {
      await git(
        'fetch',
        '--quiet',
        'origin',
        '+refs/heads/*:refs/remotes/origin/*',
        '+refs/notes/*:refs/notes/*',
        '--tags',
        '--force',
      );
      await git('reset', '--quiet', '--hard', 'origin/main');
      return (await git('rev-parse', 'HEAD')).trim();
    },
  };
  for (const [path, text] of Object.entries(files)) await user.write(path, text);
  if (Object.keys(files).length > 0) await user.commitAndPush('Initial manifests');
  const namespace = `e2e-${Math.random().toString(36).slice(2, 8)}`;
  return {
    tmp,
    registry,
    memcached,
    gitServer,
    repo,
    kube: createKubeClient({ kubeconfigPath: kubeInfo.kubeconfigPath }),
    apis: kubeApis(kubeInfo.kubeconfigPath),
    kubeInfo,
    user,
    namespace,
    close: async () => {
      await Promise.allSettled([registry.stop(), memcached.stop(), gitServer.stop()]);
      // gpg-agents started for keyrings inside working clones (git-secret) detach from fluxd.
      await run('pkill', ['-f', `gpg-agent.*${tmp.path}`]).catch(() => undefined);
      await tmp.remove();
    },
  };
}

/** A docker config (`~/.docker/config.json` form) with basic-auth credentials for `host`. */
export function dockerConfigJson(host: string, username: string, password: string): string {
  return JSON.stringify({
    auths: { [host]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } },
  });
}

/**
 * A workload from a private registry (start the env with `registryAuth: 'basic'`): pushes
 * `private/app` 1.0.0 (Jan 2024) and 1.1.0 (Feb 2024), and commits the env's namespace and a
 * Deployment `app` running 1.0.0. Returns the workload's ID.
 */
export async function seedPrivateApp(env: FluxdEnv): Promise<string> {
  const ns = env.namespace;
  await env.registry.pushImage({ repo: 'private/app', tag: '1.0.0', created: '2024-01-01T00:00:00Z' });
  await env.registry.pushImage({ repo: 'private/app', tag: '1.1.0', created: '2024-02-01T00:00:00Z' });
  await env.user.write('ns.yaml', `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`);
  await env.user.write(
    'app.yaml',
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  namespace: ${ns}
spec:
  selector:
    matchLabels: {app: app}
  template:
    metadata:
      labels: {app: app}
    spec:
      containers:
      - name: app
        image: ${env.registry.host}/private/app:1.0.0
`,
  );
  await env.user.commitAndPush('An app from a private registry');
  return `${ns}:deployment/app`;
}

/** A running fluxd process with its API address. */
export interface RunningFluxd {
  process: DaemonProcess;
  url: string;
  /** `fetch` against the API (`path` relative to `/api/flux`). */
  api(path: string, init?: RequestInit): Promise<Response>;
  log(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts fluxd (the built binary, as a process) against `env`, with the git server's client key as
 * its mounted deploy key, memcached, the registry as an insecure host, and quick loop intervals.
 * `args` are added (and may override: later flags win).
 */
export async function startFluxd(
  env: FluxdEnv,
  args: readonly string[] = [],
  name = 'fluxd',
  more: { env?: Record<string, string>; mountDeployKey?: boolean; waitForHealth?: boolean } = {},
): Promise<RunningFluxd> {
  const bin = await buildFluxd();
  const home = join(env.tmp.path, `${name}-home`);
  const mount = join(home, 'ssh-mount');
  await mkdir(mount, { recursive: true });
  if (more.mountDeployKey ?? true) {
    await copyFile(env.gitServer.clientKeyFile, join(mount, 'identity'));
    await chmod(join(mount, 'identity'), 0o600);
  }
  const port = await freePort();
  const logFile = join(env.tmp.path, `${name}.log`);
  const process = spawnDaemon(
    bin,
    [
      `--listen=127.0.0.1:${port}`,
      `--git-url=${env.repo.sshUrl}`,
      '--git-branch=main',
      `--k8s-namespace=${env.namespace}`,
      `--k8s-secret-volume-mount-path=${mount}`,
      `--ssh-keygen-dir=${join(home, 'keygen')}`,
      `--memcached-hostname=127.0.0.1`,
      `--memcached-port=${env.memcached.port}`,
      '--memcached-service=',
      `--registry-insecure-host=${env.registry.host}`,
      '--git-poll-interval=1s',
      '--sync-interval=1m',
      '--automation-interval=2s',
      '--automation-settle=200ms',
      '--log-format=json',
      ...args,
    ],
    {
      logFile,
      env: {
        PATH: globalThis.process.env.PATH ?? '/usr/bin:/bin',
        HOME: home,
        KUBECONFIG: env.kubeInfo.kubeconfigPath,
        FLUXD_CACHE_DIR: join(home, 'cache'),
        FLUXD_GIT_WORKDIR: join(home, 'git'),
        // The git server's own host key: never the machine's ~/.ssh/known_hosts (ports get reused).
        FLUXD_KNOWN_HOSTS: env.gitServer.knownHostsFile,
        ...more.env,
      },
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const running: RunningFluxd = {
    process,
    url,
    api: (path, init) => fetch(`${url}/api/flux${path}`, init),
    log: () => readFile(logFile, 'utf8'),
    stop: () => process.stop(10_000),
  };
  if (more.waitForHealth ?? true) {
    await waitUntilReady(process, name, async () => (await fetch(`${url}/healthz`)).ok, 30_000);
  }
  return running;
}

/** Polls `check` until it returns a value (not undefined/false) or `timeoutMs` passes. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  options: { timeoutMs?: number; fluxd?: RunningFluxd } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 40_000);
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const log = options.fluxd
    ? `\nfluxd log (tail):\n${(await options.fluxd.log()).split('\n').slice(-40).join('\n')}`
    : '';
  throw new Error(
    `timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}${log}`,
  );
}

/** GET of a namespaced object's JSON, or undefined when it does not exist. */
export async function getObject(
  kube: KubeClient,
  path: string,
): Promise<Record<string, unknown> | undefined> {
  const res = await kubeRequest(kube.connection, { path });
  return res.status === 200 ? (res.body as Record<string, unknown>) : undefined;
}

/** Polls `GET /v6/jobs` until the job succeeded or failed, and returns its final status. */
export function finishedJob(
  fluxd: RunningFluxd,
  jobId: string,
  what = `job ${jobId}`,
): Promise<JobStatusJson> {
  return eventually(
    what,
    async () => {
      const s = (await (await fluxd.api(`/v6/jobs?id=${jobId}`)).json()) as JobStatusJson;
      return s.StatusString === 'succeeded' || s.StatusString === 'failed' ? s : undefined;
    },
    { fluxd },
  );
}

const crdPath = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

/**
 * Installs the Helm Operator's HelmRelease CRD (`helm.fluxcd.io/v1`) outside git, as Flux v1's
 * e2e harness did, and waits until it is established. Shared by every file of the run: creating
 * it again is a no-op.
 */
export async function installHelmReleaseCrd(env: FluxdEnv): Promise<void> {
  const res = await kubeRequest(env.kube.connection, {
    method: 'POST',
    path: crdPath,
    body: {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'helmreleases.helm.fluxcd.io' },
      spec: {
        group: 'helm.fluxcd.io',
        scope: 'Namespaced',
        names: {
          kind: 'HelmRelease',
          listKind: 'HelmReleaseList',
          plural: 'helmreleases',
          singular: 'helmrelease',
          shortNames: ['hr'],
        },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        ],
      },
    },
  });
  if (res.status !== 201 && res.status !== 409) {
    throw new Error(`creating the HelmRelease CRD: ${res.status} ${JSON.stringify(res.body)}`);
  }
  await eventually('the HelmRelease CRD established', async () => {
    const crd = await kubeRequest(env.kube.connection, { path: `${crdPath}/helmreleases.helm.fluxcd.io` });
    const conditions =
      (crd.body as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions ?? [];
    return conditions.some((c) => c.type === 'Established' && c.status === 'True');
  });
}
