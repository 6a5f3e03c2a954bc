import { execFile } from 'node:child_process';
import { access, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GitPathError, noopLogger } from '@flux-ts/core';
import { createMirror, type Mirror } from '@flux-ts/git';
import type { KubeClient } from '@flux-ts/k8s';
import { makeTempDir, type TempDir } from '@flux-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRepoResources } from '../repo/load-resources.ts';
import type { JobContext } from './context.ts';
import { editableClone } from './edit-clone.ts';
import { runPolicyUpdate } from './policy.ts';

const run = promisify(execFile);
const identity = {
  GIT_AUTHOR_NAME: 'Other',
  GIT_AUTHOR_EMAIL: 'other@example.com',
  GIT_COMMITTER_NAME: 'Other',
  GIT_COMMITTER_EMAIL: 'other@example.com',
  HOME: '/nonexistent',
  PATH: process.env.PATH ?? '/usr/bin:/bin',
};
const git = async (cwd: string, ...args: string[]): Promise<string> =>
  (await run('git', args, { cwd, env: identity })).stdout;

const deployment = (name: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: default
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx:1.25
`;

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

describe('a job on a clone whose git path links out of the repository', () => {
  let work: TempDir;
  let other: string;
  let marker: string;
  let mirror: Mirror;
  let ctx: JobContext;

  beforeAll(async () => {
    work = await makeTempDir('jobs-git-path');
    marker = join(work.path, 'generator-ran');
    // Outside the repository: a .flux.yaml whose generator would leave a marker.
    const outside = join(work.path, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'app.yaml'), deployment('outside'));
    await writeFile(
      join(outside, '.flux.yaml'),
      `version: 1\ncommandUpdated:\n  generators:\n    - command: touch ${marker} && cat app.yaml\n`,
    );
    const bare = join(work.path, 'upstream.git');
    await git(work.path, 'init', '-q', '--bare', '-b', 'main', bare);
    other = join(work.path, 'other');
    await git(work.path, 'clone', '-q', bare, other);
    await git(other, 'checkout', '-q', '-B', 'main');
    await mkdir(join(other, 'good'));
    await writeFile(join(other, 'good', 'app.yaml'), deployment('app'));
    await writeFile(
      join(other, 'good', '.flux.yaml'),
      'version: 1\npatchUpdated:\n  generators:\n    - command: cat app.yaml\n  patchFile: flux-patch.yaml\n',
    );
    // The first git path is a committed link out of the repository: an updater looking for the
    // workload's generator would run the one out there first.
    await symlink(outside, join(other, 'linked'));
    await git(other, 'add', '-A');
    await git(other, 'commit', '-q', '-m', 'initial');
    await git(other, 'push', '-q', 'origin', 'HEAD:main');
    const gitPaths = ['linked', 'good'];
    mirror = createMirror({
      url: `file://${bare}`,
      branch: 'main',
      paths: gitPaths,
      manifestGeneration: true,
      workDir: work.path,
      ambientEnv: identity,
    });
    await mirror.refresh();
    await mirror.refresh();
    expect(mirror.status().status).toBe('ready');
    ctx = {
      mirror,
      kube: {} as KubeClient, // policy jobs never read the cluster
      scanner: undefined,
      gitPaths,
      manifestGeneration: true,
      logger: noopLogger,
      listWorkloads: async () => [],
    };
  });

  afterAll(async () => {
    await mirror?.close();
    await work?.remove();
  });

  it('loads the inside path only and names the refused one', async () => {
    const clone = await editableClone(ctx);
    try {
      expect([...clone.resources.keys()]).toEqual(['default:deployment/app']);
      const reloaded = await clone.reload();
      expect([...reloaded.keys()]).toEqual(['default:deployment/app']);
    } finally {
      await clone.checkout.clean();
    }
    expect(await exists(marker)).toBe(false);
  });

  it('changes a policy without running the generator out there', async () => {
    const spec = {
      type: 'policy' as const,
      cause: { Message: '', User: 'jane' },
      spec: { 'default:deployment/app': { add: { automated: 'true' } } },
    };
    const { result } = await runPolicyUpdate(ctx, spec, 'job-1');
    expect(result.result).toEqual({ 'default:deployment/app': { Status: 'success', PerContainer: null } });
    expect(await exists(marker)).toBe(false);
    await git(other, 'pull', '-q', 'origin', 'main');
    expect(await readFile(join(other, 'good', 'flux-patch.yaml'), 'utf8')).toContain(
      'fluxcd.io/automated: "true"',
    );
  });

  it('reports the refused path as a GitPathError among the load errors', async () => {
    const clone = await mirror.clone();
    try {
      const loaded = await loadRepoResources({
        dir: clone.dir,
        manifestDirs: clone.manifestDirs(),
        gitPaths: ctx.gitPaths,
        manifestGeneration: true,
      });
      expect(loaded.errors).toHaveLength(1);
      expect(loaded.errors[0]).toBeInstanceOf(GitPathError);
      expect(loaded.errors[0]?.message).toBe('git path "linked" is outside the repository');
      expect(loaded.resources.map((r) => r.id.toString())).toEqual(['default:deployment/app']);
    } finally {
      await clone.clean();
    }
    expect(await exists(marker)).toBe(false);
  });
});
