import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigMode } from './config.ts';
import { FluxYamlError, GitPathError } from './errors.ts';
import { type FileStat, type FluxYamlFs, findConfigFile, loadConfigFile } from './find-config.ts';

const scan = 'version: 1\nscanForFiles: {}\n';

describe('findConfigFile (real directories)', () => {
  let outer: string;
  let repo: string;
  beforeAll(async () => {
    // outer/.flux.yaml sits above the repository root and must never be found.
    outer = await mkdtemp(join(tmpdir(), 'flux-ts-find-config-'));
    repo = join(outer, 'repo');
    const write = async (path: string, text: string): Promise<void> => {
      await mkdir(join(repo, path, '..'), { recursive: true });
      await writeFile(join(repo, path), text);
    };
    await writeFile(join(outer, '.flux.yaml'), scan);
    await write('clusters/.flux.yaml', scan);
    await write('clusters/staging/app/deploy.yaml', 'kind: Deployment\n');
    await write('clusters/production/.flux.yaml', scan);
    await write('clusters/production/deploy.yaml', 'kind: Deployment\n');
    await write('raw/deploy.yaml', 'kind: Deployment\n');
    await mkdir(join(repo, 'dir-named-config/.flux.yaml'), { recursive: true });
  });
  afterAll(async () => {
    await rm(outer, { recursive: true, force: true });
  });

  it.each`
    target                              | workingDirRelative        | fileRelative                        | fileRelativeToWorkingDir | label
    ${'clusters/staging'}               | ${'clusters/staging'}     | ${'clusters/.flux.yaml'}            | ${'../.flux.yaml'}       | ${'clusters/staging/../.flux.yaml'}
    ${'clusters/staging/app/'}          | ${'clusters/staging/app'} | ${'clusters/.flux.yaml'}            | ${'../../.flux.yaml'}    | ${'clusters/staging/app/../../.flux.yaml'}
    ${'clusters'}                       | ${'clusters'}             | ${'clusters/.flux.yaml'}            | ${'.flux.yaml'}          | ${'clusters/.flux.yaml'}
    ${'clusters/production'}            | ${'clusters/production'}  | ${'clusters/production/.flux.yaml'} | ${'.flux.yaml'}          | ${'clusters/production/.flux.yaml'}
    ${'clusters/production/.flux.yaml'} | ${'clusters/production'}  | ${'clusters/production/.flux.yaml'} | ${'.flux.yaml'}          | ${'clusters/production/.flux.yaml'}
  `(
    'finds the config of $target',
    async ({
      target,
      workingDirRelative,
      fileRelative,
      fileRelativeToWorkingDir,
      label,
    }: {
      target: string;
      workingDirRelative: string;
      fileRelative: string;
      fileRelativeToWorkingDir: string;
      label: string;
    }) => {
      const found = await findConfigFile({ repoRoot: repo, target });

      expect(found).toEqual({
        target,
        workingDir: join(repo, workingDirRelative),
        workingDirRelative,
        file: join(repo, fileRelative),
        fileRelative,
        fileRelativeToWorkingDir,
        label,
      });
    },
  );

  it.each`
    target                               | why
    ${''}                                | ${'the root has none, and the one above the root does not count'}
    ${'.'}                               | ${'the root as "."'}
    ${'raw'}                             | ${'no config up to the root'}
    ${'raw/deploy.yaml'}                 | ${'a file not named .flux.yaml'}
    ${'clusters/production/deploy.yaml'} | ${'a file, even next to a .flux.yaml'}
    ${'dir-named-config'}                | ${'a directory named .flux.yaml is not a config'}
  `('finds none for "$target" ($why)', async ({ target }: { target: string }) => {
    await expect(findConfigFile({ repoRoot: repo, target })).resolves.toBeUndefined();
  });

  it.each`
    target           | message
    ${'missing'}     | ${'git path "missing" not found'}
    ${'../'}         | ${'git path "../" is outside the repository'}
    ${'raw/../../x'} | ${'git path "raw/../../x" is outside the repository'}
    ${'/etc'}        | ${'git path "/etc" is outside the repository'}
  `('rejects "$target"', async ({ target, message }: { target: string; message: string }) => {
    const found = findConfigFile({ repoRoot: repo, target });

    await expect(found).rejects.toThrow(GitPathError);
    await expect(found).rejects.toThrow(message);
  });

  it('loads and validates the config it finds', async () => {
    const loaded = await loadConfigFile({ repoRoot: repo, target: 'clusters/staging' });

    expect(loaded?.config).toEqual({ mode: ConfigMode.ScanForFiles });
    expect(loaded?.label).toBe('clusters/staging/../.flux.yaml');
  });

  it('names the file of a bad config, relative to the repository', async () => {
    await write(repo, 'bad/.flux.yaml', 'version: 1\ncommandUpdated: {}\n');

    const loaded = loadConfigFile({ repoRoot: repo, target: 'bad' });

    await expect(loaded).rejects.toThrow(FluxYamlError);
    await expect(loaded).rejects.toThrow(
      'bad/.flux.yaml:2:17: invalid .flux.yaml: commandUpdated.generators is required',
    );
  });
});

async function write(root: string, path: string, text: string): Promise<void> {
  await mkdir(join(root, path, '..'), { recursive: true });
  await writeFile(join(root, path), text);
}

describe('findConfigFile (injected file system)', () => {
  const dir: FileStat = { isFile: () => false, isDirectory: () => true };
  const file: FileStat = { isFile: () => true, isDirectory: () => false };
  const tree: Record<string, FileStat> = {
    '/r': dir,
    '/r/a': dir,
    '/r/a/b': dir,
    '/r/a/.flux.yaml': file,
  };
  const looked: string[] = [];
  const fs: FluxYamlFs = {
    stat: async (path) => {
      looked.push(path);
      return tree[path];
    },
    readFile: async () => scan,
  };

  it('looks in the target, then each parent, and stops at the one it finds', async () => {
    looked.length = 0;

    const found = await findConfigFile({ repoRoot: '/r', target: 'a/b', fs });

    expect(found?.fileRelative).toBe('a/.flux.yaml');
    expect(looked).toEqual(['/r/a/b', '/r/a/b/.flux.yaml', '/r/a/.flux.yaml']);
  });

  it('stops at the repository root', async () => {
    looked.length = 0;

    const found = await findConfigFile({ repoRoot: '/r/a/b', target: '', fs });

    expect(found).toBeUndefined();
    expect(looked).toEqual(['/r/a/b', '/r/a/b/.flux.yaml']);
  });
});
