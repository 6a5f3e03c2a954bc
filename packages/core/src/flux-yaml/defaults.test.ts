import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestGeneration } from './defaults.ts';

const deployment =
  'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.19\n';

describe('manifestGeneration with core defaults', () => {
  let repo: string;
  beforeAll(async () => {
    repo = await mkdtemp(join(tmpdir(), 'flux-ts-gen-'));
    await mkdir(join(repo, 'base'));
    await mkdir(join(repo, 'staging'));
    await writeFile(join(repo, 'base', 'web.yaml'), deployment);
    await writeFile(
      join(repo, 'staging', '.flux.yaml'),
      'version: 1\npatchUpdated:\n  generators:\n  - command: cat ../base/web.yaml\n  patchFile: flux-patch.yaml\n',
    );
  });
  afterAll(async () => {
    await rm(repo, { recursive: true, force: true });
  });

  it('generates with the real parser and records an image update in the patch file, in the prod namespace', async () => {
    const generation = manifestGeneration({
      repoRoot: repo,
      paths: ['staging'],
      parseOptions: { defaultNamespace: 'prod' },
    });

    const [target] = await generation.load();
    expect(target?.kind).toBe('generated');
    const ids = target?.kind === 'generated' ? target.resources.map((r) => r.id.toString()) : [];
    expect(ids).toEqual(['prod:deployment/web']);

    const result = await generation.updateImage({
      id: 'prod:deployment/web',
      container: 'app',
      image: 'nginx:1.20',
    });

    expect(result.changed).toBe(true);
    expect(await readFile(join(repo, 'staging', 'flux-patch.yaml'), 'utf8')).toContain('image: nginx:1.20');
    generation.invalidate();
    const [again] = await generation.load();
    const image = again?.kind === 'generated' ? again.resources[0]?.containers?.[0]?.image : undefined;
    expect(image).toBe('nginx:1.20');
  });
});
