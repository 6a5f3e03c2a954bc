import { access, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GitPathError } from '@flux-ts/core';
import { makeTempDir, type TempDir } from '@flux-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRepoResources } from '../repo/load-resources.ts';
import { type JobRepo, startJobRepo } from '../testing/job-repo.ts';
import type { JobContext } from './context.ts';
import { editableClone } from './edit-clone.ts';
import { runPolicyUpdate } from './policy.ts';

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
  let outsideDir: TempDir;
  let marker: string;
  let repo: JobRepo;
  let ctx: JobContext;

  beforeAll(async () => {
    outsideDir = await makeTempDir('jobs-git-path-outside');
    marker = join(outsideDir.path, 'generator-ran');
    // Outside the repository: a .flux.yaml whose generator would leave a marker.
    const outside = join(outsideDir.path, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'app.yaml'), deployment('outside'));
    await writeFile(
      join(outside, '.flux.yaml'),
      `version: 1\ncommandUpdated:\n  generators:\n    - command: touch ${marker} && cat app.yaml\n`,
    );
    repo = await startJobRepo(
      'jobs-git-path',
      async (dir) => {
        await mkdir(join(dir, 'good'));
        await writeFile(join(dir, 'good', 'app.yaml'), deployment('app'));
        await writeFile(
          join(dir, 'good', '.flux.yaml'),
          'version: 1\npatchUpdated:\n  generators:\n    - command: cat app.yaml\n  patchFile: flux-patch.yaml\n',
        );
        // The first git path is a committed link out of the repository: an updater looking for the
        // workload's generator would run the one out there first.
        await symlink(outside, join(dir, 'linked'));
      },
      { gitPaths: ['linked', 'good'], manifestGeneration: true },
    );
    ctx = repo.ctx;
  });

  afterAll(async () => {
    await repo?.close();
    await outsideDir?.remove();
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
    await repo.git(repo.other, 'pull', '-q', 'origin', 'main');
    expect(await readFile(join(repo.other, 'good', 'flux-patch.yaml'), 'utf8')).toContain(
      'fluxcd.io/automated: "true"',
    );
  });

  it('reports the refused path as a GitPathError among the load errors', async () => {
    const clone = await repo.mirror.clone();
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
