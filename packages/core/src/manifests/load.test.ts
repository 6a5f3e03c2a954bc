import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManifestReadError, ManifestTooLargeError } from './errors.ts';
import { DEFAULT_MAX_MANIFEST_FILE_BYTES, loadManifests, ManifestDirError, type ManifestFs } from './load.ts';

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

describe('loadManifests and the size limit of one file', () => {
  let dir: string;
  const cm = (name: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;
  /** node:fs, recording the files read. */
  const recording = (read: string[], withStat: boolean): ManifestFs => ({
    readdir: (d) => readdir(d, { withFileTypes: true }),
    readFile: async (file) => {
      read.push(file);
      return readFile(file, 'utf8');
    },
    ...(withStat ? { stat: (file: string) => stat(file) } : {}),
  });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flux-ts-load-size-'));
    await writeFile(join(dir, 'a-small.yaml'), cm('small'));
    // 50 MiB without writing 50 MiB: a sparse file (zero bytes) that only stat can size cheaply.
    await writeFile(join(dir, 'huge.yaml'), '');
    await truncate(join(dir, 'huge.yaml'), 50 * 1024 * 1024);
    await writeFile(join(dir, 'z-after.yaml'), cm('after'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('defaults to 16 MiB', () => {
    expect(DEFAULT_MAX_MANIFEST_FILE_BYTES).toBe(16 * 1024 * 1024);
  });

  it('refuses a file over the limit before reading it (naming file, size, limit and what to do); the rest loads', async () => {
    const read: string[] = [];
    const { resources, errors } = await loadManifests(dir, { fs: recording(read, true) });
    expect(resources.map((r) => r.id.toString())).toEqual([
      'default:configmap/small',
      'default:configmap/after',
    ]);
    expect(read.map((f) => f.slice(dir.length + 1)).sort()).toEqual(['a-small.yaml', 'z-after.yaml']);
    expect(errors).toHaveLength(1);
    const error = errors[0];
    expect(error).toBeInstanceOf(ManifestTooLargeError);
    expect(error).toMatchObject({
      file: 'huge.yaml',
      size: 52428800,
      limit: 16777216,
      code: 'manifest.too-large',
    });
    expect(error?.message).toBe(
      'huge.yaml: the file is 50 MiB (52428800 bytes), over the 16 MiB (16777216 bytes) limit for one manifest file: not read',
    );
    expect(error?.help).toMatch(/^Split huge\.yaml into smaller files/);
  });

  it('refuses it with node:fs too (the default file system stats first)', async () => {
    const { resources, errors } = await loadManifests(dir, { root: join(dir, '..') });
    expect(resources).toHaveLength(2);
    expect(errors.map((e) => (e as ManifestTooLargeError).file)).toEqual([
      `${dir.split('/').at(-1)}/huge.yaml`,
    ]);
  });

  it('takes another limit through maxFileBytes: a file of exactly the limit loads, one byte more does not', async () => {
    const size = Buffer.byteLength(cm('small'));
    const atLimit = await loadManifests(dir, { maxFileBytes: size, fs: recording([], true) });
    expect(atLimit.resources.map((r) => r.name)).toContain('small');
    const below = await loadManifests(dir, { maxFileBytes: size - 1 });
    expect(below.resources.map((r) => r.name)).not.toContain('small');
    expect(below.errors.map((e) => e.message)).toContain(
      `a-small.yaml: the file is ${size} bytes, over the ${size - 1} bytes limit for one manifest file: not read`,
    );
  });

  it('measures the text read when the file system has no stat', async () => {
    const small = join(dir, 'only-small');
    await mkdir(small);
    await writeFile(join(small, 'cm.yaml'), cm('measured'));
    const { resources, errors } = await loadManifests(small, { maxFileBytes: 10, fs: recording([], false) });
    expect(resources).toEqual([]);
    expect(errors[0]).toBeInstanceOf(ManifestTooLargeError);
    expect(errors[0]?.message).toMatch(/^cm\.yaml: the file is \d+ bytes, over the 10 bytes limit/);
  });
});
