import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import {
  createGitServer,
  type DaemonProcess,
  freePort,
  makeTempDir,
  pushImage,
  spawnDaemon,
  startKube,
  startRegistry,
  type TempDir,
  type TestGitServer,
  type TestKube,
  type TestRegistry,
  type TestRepo,
  waitUntilReady,
} from '@flux-ts/testkit';
import type { Cleanup } from './cleanup.ts';
import { type KubeReader, kubeReader } from './kube-get.ts';
import { repoRoot, type SampleImage, seedFiles } from './seed.ts';

const run = promisify(execFile);

export const fluxdBin: string = join(repoRoot, 'packages/daemon/dist/bin/fluxd.js');
export const fluxctlBin: string = join(repoRoot, 'packages/fluxctl/dist/bin/fluxctl.js');

/** The namespace the seed manifests use. */
export const NAMESPACE = 'demo';

/** A command's outcome. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The user's working copy of the config repository. */
export interface Clone {
  dir: string;
  git(...args: string[]): Promise<string>;
  read(path: string): Promise<string>;
  /** Fetches and resets to origin/main; returns the head. */
  pull(): Promise<string>;
}

/** Everything the demo started. */
export interface Stack {
  tmp: TempDir;
  kube: TestKube;
  cluster: KubeReader;
  registry: TestRegistry;
  gitServer: TestGitServer;
  repo: TestRepo;
  user: Clone;
  fluxd: DaemonProcess;
  /** `http://127.0.0.1:<port>/api/flux` */
  apiUrl: string;
  /** Runs the built fluxctl against this fluxd. */
  fluxctl(...args: string[]): Promise<CommandResult>;
  /** GET on fluxd's API (path relative to /api/flux), parsed JSON. */
  api<T>(path: string): Promise<T>;
  push(image: SampleImage): Promise<void>;
  /** The temporary directories the stack made (for the record: each is removed on cleanup). */
  tempDirs(): string[];
}

/** Progress while the stack starts: one line per component; continuation lines start with two spaces. */
export type Progress = (line: string) => void;

const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'Demo User',
  GIT_AUTHOR_EMAIL: 'demo@example.com',
  GIT_COMMITTER_NAME: 'Demo User',
  GIT_COMMITTER_EMAIL: 'demo@example.com',
};

async function track<T extends { stop(): Promise<void> }>(
  cleanup: Cleanup,
  name: string,
  started: Promise<T>,
): Promise<T> {
  const value = await started;
  await cleanup.add(name, () => value.stop());
  return value;
}

/**
 * Starts the demo's components: the kube-apiserver, a registry with the sample images, a git
 * server seeded with the getting-started manifests, and the built fluxd with its file-backed cache.
 * Each is registered with `cleanup` as soon as it runs.
 */
export async function startStack(
  cleanup: Cleanup,
  images: readonly SampleImage[],
  progress: Progress,
): Promise<Stack> {
  const tmp = await makeTempDir('flux-ts-demo', { short: true });
  await cleanup.add('temp dir', () => tmp.remove());
  // The three components start side by side; the kube-apiserver takes the longest.
  const [kube, registry, gitServer] = await Promise.all([
    track(cleanup, 'kube-apiserver', startKube()),
    track(cleanup, 'registry', startRegistry({ auth: 'none' })),
    track(cleanup, 'git server', createGitServer()),
  ]);
  progress(`kube-apiserver, etcd, kube-controller-manager  ${kube.server}`);
  progress(`registry (docker-registry)                    http://${registry.host}`);
  progress(`git server (sshd)                             ssh://127.0.0.1:${gitServer.port}`);
  for (const image of images) {
    await registry.pushImage({ repo: image.repo, tag: image.tag, created: image.created });
  }
  progress(`pushed ${images.length} sample images to ${registry.host}:`);
  for (const line of describeImages(images)) progress(`  ${line}`);
  const repo = await gitServer.createRepo('config');
  const dir = join(tmp.path, 'clone');
  const env = { ...gitServer.env, ...GIT_IDENTITY };
  const git = async (...args: string[]): Promise<string> =>
    (await run('git', args, { cwd: dir, env, maxBuffer: 16 << 20 })).stdout;
  await run('git', ['clone', '--quiet', repo.sshUrl, dir], { env });
  await git('checkout', '--quiet', '-B', 'main');
  const files = await seedFiles(registry.host);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  await git('add', '-A');
  await git('commit', '--quiet', '-m', 'Getting started: the demo workloads');
  await git('push', '--quiet', 'origin', 'HEAD:main');
  progress(`seeded the git repository with examples/getting-started (${Object.keys(files).length} files):`);
  progress(`  ${repo.sshUrl}`);
  const user: Clone = {
    dir,
    git,
    read: (path) => readFile(join(dir, path), 'utf8'),
    pull: async () => {
      await git('fetch', '--quiet', 'origin', '+refs/heads/*:refs/remotes/origin/*');
      await git('reset', '--quiet', '--hard', 'origin/main');
      return (await git('rev-parse', 'HEAD')).trim();
    },
  };

  const fluxd = await startFluxd(tmp, kube, registry, gitServer, repo);
  await cleanup.add('fluxd', () => fluxd.process.stop(10_000));
  progress(`fluxd (file-backed image cache)               ${fluxd.url}`);
  progress(`  log: ${fluxd.process.logFile}`);

  const apiUrl = `${fluxd.url}/api/flux`;
  const stack: Stack = {
    tmp,
    kube,
    cluster: await kubeReader(kube.kubeconfigPath),
    registry,
    gitServer,
    repo,
    user,
    fluxd: fluxd.process,
    apiUrl,
    fluxctl: (...args) => runFluxctl(apiUrl, tmp.path, args),
    api: async <T>(path: string): Promise<T> => {
      const res = await fetch(`${apiUrl}${path}`);
      if (!res.ok) throw new Error(`GET ${path}: fluxd answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as T;
    },
    push: async (image) => {
      await pushImage({ url: registry.url }, { repo: image.repo, tag: image.tag, created: image.created });
    },
    tempDirs: () => [
      tmp.path,
      dirname(gitServer.clientKeyFile),
      ...(kube.external ? [] : [dirname(dirname(kube.kubeconfigPath))]),
    ],
  };
  return stack;
}

function describeImages(images: readonly SampleImage[]): string[] {
  const byRepo = new Map<string, string[]>();
  for (const i of images) byRepo.set(i.repo, [...(byRepo.get(i.repo) ?? []), i.tag]);
  const width = Math.max(...[...byRepo.keys()].map((r) => r.length)) + 2;
  return [...byRepo].map(([repo, tags]) => `${repo.padEnd(width)}${tags.join(', ')}`);
}

/** Starts the built fluxd against the components, with quick loop intervals and no memcached. */
async function startFluxd(
  tmp: TempDir,
  kube: TestKube,
  registry: TestRegistry,
  gitServer: TestGitServer,
  repo: TestRepo,
): Promise<{ process: DaemonProcess; url: string }> {
  const home = join(tmp.path, 'fluxd-home');
  const mount = join(home, 'ssh-mount');
  await mkdir(mount, { recursive: true });
  // The git server's client key is fluxd's deploy key, as if mounted from its Secret.
  await copyFile(gitServer.clientKeyFile, join(mount, 'identity'));
  await mkdir(join(home, 'tmp'), { recursive: true });
  const port = await freePort();
  const process = spawnDaemon(
    globalThis.process.execPath,
    [
      '--max-semi-space-size=2',
      fluxdBin,
      `--listen=127.0.0.1:${port}`,
      `--git-url=${repo.sshUrl}`,
      '--git-branch=main',
      '--git-user=Flux Demo',
      '--git-email=flux@example.com',
      `--k8s-namespace=${NAMESPACE}`,
      `--k8s-allow-namespace=${NAMESPACE}`,
      `--k8s-secret-volume-mount-path=${mount}`,
      `--ssh-keygen-dir=${join(home, 'keygen')}`,
      // No memcached: an empty hostname selects the file-backed cache under FLUXD_CACHE_DIR.
      '--memcached-hostname=',
      `--registry-insecure-host=${registry.host}`,
      '--git-poll-interval=1s',
      '--sync-interval=1m',
      '--automation-interval=2s',
      '--automation-settle=200ms',
      '--sync-garbage-collection',
    ],
    {
      logFile: join(tmp.path, 'fluxd.log'),
      env: {
        PATH: globalThis.process.env.PATH ?? '/usr/bin:/bin',
        HOME: home,
        KUBECONFIG: kube.kubeconfigPath,
        FLUXD_CACHE_DIR: join(home, 'cache'),
        FLUXD_GIT_WORKDIR: join(home, 'git'),
        FLUXD_KNOWN_HOSTS: gitServer.knownHostsFile,
        TMPDIR: join(home, 'tmp'),
      },
    },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitUntilReady(process, 'fluxd', async () => (await fetch(`${url}/healthz`)).ok, 30_000);
  // Ready: the git mirror has cloned the repository (before that, `fluxctl sync` says "not ready").
  await waitUntilReady(process, 'fluxd (git mirror)', async () => (await fetch(`${url}/readyz`)).ok, 60_000);
  return { process, url };
}

async function runFluxctl(apiUrl: string, home: string, args: readonly string[]): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [fluxctlBin, `--url=${apiUrl}`, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string; message: string };
    return {
      code: typeof e.code === 'number' ? e.code : 1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? e.message,
    };
  }
}
