import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManifestReadError } from './errors.ts';
import { loadManifests, ManifestDirError } from './load.ts';

describe('loadManifests', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flux-ts-load-'));
    const write = async (path: string, text: string): Promise<void> => {
      await mkdir(join(dir, path, '..'), { recursive: true });
      await writeFile(join(dir, path), text);
    };
    await write('apps/web.yaml', 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n');
    await write('apps/deep/job.yml', 'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: once\n');
    await write('apps/cm.json', '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg"}}');
    await write('broken.yaml', 'kind: [\n');
    await write('dup/a.yaml', 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n');
    await write('chart/Chart.yaml', 'name: chart\n');
    await write('chart/values.yaml', 'image: x\n');
    await write('chart/templates/d.yaml', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: from-chart\n');
    await write('README.md', '# not yaml\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('walks the tree, skips Helm charts, and reports bad files without losing the rest', async () => {
    const { resources, errors } = await loadManifests(dir);

    expect(resources.map((r) => `${r.file} ${r.id}`)).toEqual([
      'apps/cm.json default:configmap/cfg',
      'apps/deep/job.yml default:job/once',
      'apps/web.yaml default:service/web',
    ]);
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^broken\.yaml:\d+:\d+: cannot parse YAML/),
      "duplicate definition of 'default:service/web' (in apps/web.yaml:1:1 and dup/a.yaml:1:1)",
    ]);
  });

  it('names a missing directory', async () => {
    await expect(loadManifests(join(dir, 'nope'))).rejects.toThrow(ManifestDirError);
    await expect(loadManifests(join(dir, 'nope'))).rejects.toThrow(/unable to read manifests in .*nope/);
  });
});

describe('loadManifests reading many files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flux-ts-load-many-'));
    for (let i = 0; i < 300; i++) {
      await writeFile(
        join(dir, `cm-${i}.yaml`),
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n`,
      );
    }
    await writeFile(
      join(dir, 'unreadable.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: secret\n',
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps at most 64 reads open at once, and a file that cannot be read is an error of its own', async () => {
    let open = 0;
    let most = 0;
    const { resources, errors } = await loadManifests(dir, {
      fs: {
        readdir: (d) => readdir(d, { withFileTypes: true }),
        readFile: async (file) => {
          open++;
          most = Math.max(most, open);
          try {
            if (file.endsWith('unreadable.yaml'))
              throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
            return await readFile(file, 'utf8');
          } finally {
            open--;
          }
        },
      },
    });
    expect(most).toBeLessThanOrEqual(64);
    expect(resources).toHaveLength(300);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ManifestReadError);
    expect(errors[0]?.message).toBe('unreadable.yaml: cannot read the file: EACCES: permission denied');
  });
});
