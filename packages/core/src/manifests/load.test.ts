import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
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

describe('loadManifests and symbolic links', () => {
  let base: string;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'flux-ts-load-links-'));
    const cm = (name: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;
    await mkdir(join(base, 'repo', 'shared'), { recursive: true });
    await mkdir(join(base, 'repo', 'apps'), { recursive: true });
    await mkdir(join(base, 'elsewhere'), { recursive: true });
    await writeFile(join(base, 'repo', 'shared', 'in-repo.yaml'), cm('in-repo'));
    await writeFile(join(base, 'elsewhere', 'secret.yaml'), cm('from-outside'));
    await symlink('../shared/in-repo.yaml', join(base, 'repo', 'apps', 'linked.yaml'));
    await symlink(join(base, 'elsewhere', 'secret.yaml'), join(base, 'repo', 'apps', 'leak.yaml'));
    await symlink(join(base, 'elsewhere'), join(base, 'repo', 'apps', 'dir-leak'));
    await symlink('/nonexistent/x.yaml', join(base, 'repo', 'apps', 'dangling.yaml'));
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('follows file links within the repository, refuses (naming the file) links that leave it, and does not walk into linked directories', async () => {
    const { resources, errors } = await loadManifests(join(base, 'repo', 'apps'), {
      root: join(base, 'repo'),
    });
    expect(resources.map((r) => `${r.file} ${r.id}`)).toEqual(['apps/linked.yaml default:configmap/in-repo']);
    expect(errors.map((e) => e.message).sort()).toEqual([
      'apps/dangling.yaml: cannot read the file: a symbolic link to nothing',
      'apps/leak.yaml: cannot read the file: a symbolic link to a file outside the repository: not followed',
    ]);
  });

  it('refuses the files of a git path that is itself a link out of the repository', async () => {
    await symlink(join(base, 'elsewhere'), join(base, 'repo', 'clusters'));
    const { resources, errors } = await loadManifests(join(base, 'repo', 'clusters'), {
      root: join(base, 'repo'),
    });
    expect(resources).toEqual([]);
    expect(errors.map((e) => e.message)).toEqual([
      'clusters/secret.yaml: cannot read the file: a symbolic link to a file outside the repository: not followed',
    ]);
  });
});
