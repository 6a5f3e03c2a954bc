import { access, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GitPathError } from '@flux-ts/core';
import { makeTempDir, type TempDir } from '@flux-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitPathScope, resolvesTo } from './git-path-scope.ts';
import { loadRepoResources } from './load-resources.ts';

const configMap = (name: string): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\n`;

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

describe('git paths that link out of a working clone', () => {
  let work: TempDir;
  let clone: string;
  let marker: string;
  let rooted: string;

  beforeAll(async () => {
    work = await makeTempDir('git-path-scope');
    clone = join(work.path, 'clone');
    marker = join(work.path, 'generator-ran');
    const outside = join(work.path, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'cm.yaml'), configMap('outside'));
    await mkdir(join(outside, 'sub'));
    await writeFile(
      join(outside, '.flux.yaml'),
      `version: 1\ncommandUpdated:\n  generators:\n    - command: touch ${marker} && cat cm.yaml\n`,
    );
    await mkdir(join(clone, 'good'), { recursive: true });
    await writeFile(join(clone, 'good', 'cm.yaml'), configMap('good'));
    await symlink(outside, join(clone, 'linked'));
    // Another clone with a generator at its root: what an empty list of git paths (the whole
    // repository) would run.
    rooted = join(work.path, 'rooted');
    await mkdir(rooted);
    await symlink(outside, join(rooted, 'linked'));
    await writeFile(
      join(rooted, '.flux.yaml'),
      `version: 1\ncommandUpdated:\n  generators:\n    - command: touch ${marker} && echo\n`,
    );
  });
  afterAll(async () => {
    await work?.remove();
  });

  it('sorts them: inside paths kept, outside ones refused by name', async () => {
    expect(await resolvesTo(clone, join(clone, 'linked', 'cm.yaml'))).toBe('outside');
    expect(await resolvesTo(clone, join(clone, 'good', 'cm.yaml'))).toBe('inside');
    expect(await resolvesTo(clone, join(clone, 'gone.yaml'))).toBe('missing');
    const scope = await gitPathScope(clone, [join(clone, 'linked'), join(clone, 'good')], ['linked', 'good']);
    expect(scope.dirs).toEqual([join(clone, 'good')]);
    expect(scope.paths).toEqual(['good']);
    expect(scope.refused.map((e) => e.message)).toEqual(['git path "linked" is outside the repository']);
    const all = await gitPathScope(clone, [join(clone, 'good')], ['./good']);
    expect(all).toEqual({ dirs: [join(clone, 'good')], paths: ['./good'], refused: [] });
  });

  it('loads (as the listing and jobs do) only the inside path, running no generator out there', async () => {
    const loaded = await loadRepoResources({
      dir: clone,
      manifestDirs: [join(clone, 'linked'), join(clone, 'linked', 'sub'), join(clone, 'good')],
      gitPaths: ['linked', 'linked/sub', 'good'],
      manifestGeneration: true,
    });
    expect(loaded.resources.map((r) => r.id.toString())).toEqual(['default:configmap/good']);
    expect(loaded.errors.map((e) => e.message)).toEqual([
      'git path "linked" is outside the repository',
      'git path "linked/sub" is outside the repository',
    ]);
    expect(await exists(marker)).toBe(false);
  });

  it('reads nothing when every git path is refused (not the whole repository)', async () => {
    for (const manifestGeneration of [false, true]) {
      const loaded = await loadRepoResources({
        dir: rooted,
        manifestDirs: [join(rooted, 'linked')],
        gitPaths: ['linked'],
        manifestGeneration,
      });
      expect(loaded.resources).toEqual([]);
      expect(loaded.errors).toHaveLength(1);
      expect(loaded.errors[0]).toBeInstanceOf(GitPathError);
    }
    expect(await exists(marker)).toBe(false);
  });
});
