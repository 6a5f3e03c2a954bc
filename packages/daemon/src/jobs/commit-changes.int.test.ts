import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type JobRepo, startJobRepo } from '../testing/job-repo.ts';
import { commitOnHead } from './commit-changes.ts';
import type { JobContext } from './context.ts';
import { runPolicyUpdate } from './policy.ts';

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
  let repo: JobRepo;
  let other: string;
  let ctx: JobContext;
  const git = (cwd: string, ...args: string[]): Promise<string> => repo.git(cwd, ...args);

  beforeAll(async () => {
    repo = await startJobRepo('jobs-git', async (dir) => {
      await mkdir(join(dir, 'deploy'));
      await writeFile(join(dir, 'deploy', 'app.yaml'), deployment);
    });
    ({ other, ctx } = repo);
  });

  afterAll(async () => {
    await repo?.close();
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
    await repo.mirror.refresh();
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
