import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { noopLogger } from '@flux-ts/core';
import { createMirror, type Mirror } from '@flux-ts/git';
import type { KubeClient } from '@flux-ts/k8s';
import { makeTempDir, type TempDir } from '@flux-ts/testkit';
import type { JobContext } from '../jobs/context.ts';

const run = promisify(execFile);

/** The committer of the user's clone (not fluxd). */
export const otherIdentity: Record<string, string> = {
  GIT_AUTHOR_NAME: 'Other',
  GIT_AUTHOR_EMAIL: 'other@example.com',
  GIT_COMMITTER_NAME: 'Other',
  GIT_COMMITTER_EMAIL: 'other@example.com',
  HOME: '/nonexistent',
  PATH: process.env.PATH ?? '/usr/bin:/bin',
};

/** A real repository (file://) with a user's clone, a ready mirror of it and a job context. */
export interface JobRepo {
  work: TempDir;
  /** The bare upstream repository. */
  bare: string;
  /** Another client's clone (branch `main`). */
  other: string;
  mirror: Mirror;
  ctx: JobContext;
  /** git in `cwd` as {@link otherIdentity}; resolves with stdout. */
  git(cwd: string, ...args: string[]): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts a repository for job tests: `seed` writes the first commit's files into the user's clone
 * (it is committed and pushed), then the mirror is refreshed until ready. Policy jobs never read the
 * cluster, so the context's kube client is a placeholder.
 */
export async function startJobRepo(
  prefix: string,
  seed: (dir: string) => Promise<void>,
  options: { gitPaths?: string[]; manifestGeneration?: boolean } = {},
): Promise<JobRepo> {
  const work = await makeTempDir(prefix);
  const git = async (cwd: string, ...args: string[]): Promise<string> =>
    (await run('git', args, { cwd, env: otherIdentity })).stdout;
  const bare = join(work.path, 'upstream.git');
  const other = join(work.path, 'other');
  await git(work.path, 'init', '-q', '--bare', '-b', 'main', bare);
  await git(work.path, 'clone', '-q', bare, other);
  await git(other, 'checkout', '-q', '-B', 'main');
  await seed(other);
  await git(other, 'add', '-A');
  await git(other, 'commit', '-q', '-m', 'initial');
  await git(other, 'push', '-q', 'origin', 'HEAD:main');
  const gitPaths = options.gitPaths ?? [];
  const manifestGeneration = options.manifestGeneration ?? false;
  const mirror = createMirror({
    url: `file://${bare}`,
    branch: 'main',
    ...(gitPaths.length > 0 ? { paths: gitPaths } : {}),
    ...(manifestGeneration ? { manifestGeneration } : {}),
    workDir: work.path,
    ambientEnv: otherIdentity,
  });
  await mirror.refresh();
  await mirror.refresh();
  if (mirror.status().status !== 'ready') throw new Error(`mirror of ${bare} is not ready`);
  const ctx: JobContext = {
    mirror,
    kube: {} as KubeClient,
    scanner: undefined,
    gitPaths,
    manifestGeneration,
    logger: noopLogger,
    listWorkloads: async () => [],
  };
  return {
    work,
    bare,
    other,
    mirror,
    ctx,
    git,
    close: async () => {
      await mirror.close();
      await work.remove();
    },
  };
}
