import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { noopLogger } from '@flux-ts/core';
import { createMirror, type Mirror } from '@flux-ts/git';
import type { KubeClient } from '@flux-ts/k8s';
import { makeTempDir, type TempDir } from '@flux-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitOnHead } from './commit-changes.ts';
import type { JobContext } from './context.ts';
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

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  namespace: default
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx:1.25 # pinned for now
`;

describe('jobs against a real git repository (file://)', () => {
  let work: TempDir;
  let bare: string;
  let other: string;
  let mirror: Mirror;
  let ctx: JobContext;

  beforeAll(async () => {
    work = await makeTempDir('jobs-git');
    bare = join(work.path, 'upstream.git');
    await git(work.path, 'init', '-q', '--bare', '-b', 'main', bare);
    other = join(work.path, 'other');
    await git(work.path, 'clone', '-q', bare, other);
    await git(other, 'checkout', '-q', '-B', 'main');
    await mkdir(join(other, 'deploy'));
    await writeFile(join(other, 'deploy', 'app.yaml'), deployment);
    await git(other, 'add', '-A');
    await git(other, 'commit', '-q', '-m', 'initial');
    await git(other, 'push', '-q', 'origin', 'HEAD:main');
    mirror = createMirror({
      url: `file://${bare}`,
      branch: 'main',
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
      gitPaths: [],
      manifestGeneration: false,
      logger: noopLogger,
      listWorkloads: async () => [],
    };
  });

  afterAll(async () => {
    await mirror?.close();
    await work?.remove();
  });

  it('re-plans on the new head when another client pushed in the meantime, losing nothing', async () => {
    let attempts = 0;
    const { commit } = await commitOnHead(ctx, async (clone) => {
      attempts++;
      if (attempts === 1) {
        // Someone else pushes between our plan and our push.
        await writeFile(join(other, 'README.md'), 'raced\n');
        await git(other, 'add', '-A');
        await git(other, 'commit', '-q', '-m', 'a concurrent change');
        await git(other, 'push', '-q', 'origin', 'HEAD:main');
      }
      await clone.setImages('default:deployment/app', [
        { container: 'app', current: 'nginx:1.25', target: 'nginx:1.26' },
      ]);
      return { message: 'Release nginx:1.26 to default:deployment/app', value: undefined };
    });
    expect(attempts).toBe(2);
    await git(other, 'pull', '-q', 'origin', 'main');
    expect((await git(other, 'log', '--format=%s')).trim().split('\n')).toEqual([
      'Release nginx:1.26 to default:deployment/app',
      'a concurrent change',
      'initial',
    ]);
    expect((await git(other, 'rev-parse', 'HEAD')).trim()).toBe(commit.revision);
    expect(await readFile(join(other, 'deploy', 'app.yaml'), 'utf8')).toBe(
      deployment.replace('nginx:1.25 # pinned', 'nginx:1.26 # pinned'),
    );
    expect(await readFile(join(other, 'README.md'), 'utf8')).toBe('raced\n');
  });

  it('writes policy annotations byte-exactly with one commit and a note', async () => {
    await mirror.refresh();
    const spec = {
      type: 'policy' as const,
      cause: { Message: '', User: 'jane' },
      spec: { 'default:deployment/app': { add: { automated: 'true', 'tag.app': 'semver:>=1.26 <2' } } },
    };
    const { result, automationRequested } = await runPolicyUpdate(ctx, spec, 'job-1');
    expect(automationRequested).toBe(true);
    expect(result.result).toEqual({ 'default:deployment/app': { Status: 'success', PerContainer: null } });
    await git(other, 'pull', '-q', 'origin', 'main');
    const text = await readFile(join(other, 'deploy', 'app.yaml'), 'utf8');
    expect(text).toContain("fluxcd.io/automated: 'true'");
    expect(text).toContain('fluxcd.io/tag.app: semver:>=1.26 <2');
    expect(text).toContain('image: nginx:1.26 # pinned for now');
    await git(other, 'fetch', '-q', 'origin', '+refs/notes/*:refs/notes/*');
    const note = JSON.parse(await git(other, 'notes', '--ref=flux', 'show', 'HEAD')) as { jobID: string };
    expect(note.jobID).toBe('job-1');
    await expect(runPolicyUpdate(ctx, spec, 'job-2')).rejects.toThrow('no changes made in repo');
  });
});
