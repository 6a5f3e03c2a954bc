import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { LogFields, Logger } from '@flux-ts/core';
import { createGpgHome, makeTempDir, type TempDir, type TestGpgHome } from '@flux-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitSecretPathError } from './errors.ts';
import { mappedFiles } from './git-secret.ts';
import { createMirror, type Mirror } from './mirror.ts';

const run = promisify(execFile);

function recordingLogger(lines: { fields: LogFields; message: string }[]): Logger {
  const log = (fields: LogFields, message: string): void => {
    lines.push({ fields, message });
  };
  const logger: Logger = { debug: log, info: log, warn: log, error: log, child: () => logger };
  return logger;
}

describe('git-secret reveal in a working clone', () => {
  let gpg: TestGpgHome;
  let work: TempDir;
  let outside: TempDir;
  const mirrors: Mirror[] = [];
  const env = (): Record<string, string> => ({
    PATH: process.env.PATH ?? '',
    HOME: work.path,
    ...gpg.env,
    GIT_AUTHOR_NAME: 'Seeder',
    GIT_AUTHOR_EMAIL: 'seed@example.com',
    GIT_COMMITTER_NAME: 'Seeder',
    GIT_COMMITTER_EMAIL: 'seed@example.com',
  });
  const git = async (cwd: string, ...args: string[]): Promise<string> =>
    (await run('git', args, { cwd, env: env() })).stdout.trim();

  beforeAll(async () => {
    gpg = await createGpgHome();
    work = await makeTempDir('flux-ts-git-secret');
    outside = await makeTempDir('flux-ts-git-secret-outside');
  });
  afterAll(async () => {
    for (const m of mirrors) await m.close();
    await gpg?.remove();
    await work?.remove();
    await outside?.remove();
  });

  it('reads the mapping as git-secret does', () => {
    expect(mappedFiles('a.yaml:0123abcd\n  dir/b.yaml\n\nc.yaml:\n')).toEqual([
      'a.yaml',
      'dir/b.yaml',
      'c.yaml',
    ]);
  });

  it('never writes a secret outside the clone, and reveals the others', async () => {
    const wc = join(work.path, 'wc');
    const upstream = join(work.path, 'upstream.git');
    await git(work.path, 'init', '-q', '--bare', '-b', 'main', upstream);
    await git(work.path, 'init', '-q', '-b', 'main', wc);
    await mkdir(join(wc, 'out'));
    await writeFile(join(wc, 'secret.yaml'), 'password: hunter2\n');
    await writeFile(join(wc, 'out', 'secret.yaml'), 'password: escaped\n');
    await writeFile(join(wc, 'link.yaml'), 'password: through-a-link\n');
    await git(wc, 'secret', 'init');
    await git(wc, 'secret', 'tell', gpg.email);
    await git(wc, 'secret', 'add', 'secret.yaml', 'out/secret.yaml', 'link.yaml');
    await git(wc, 'secret', 'hide');
    // `out` becomes a committed symbolic link to a directory outside the repository, where its
    // encrypted file now lies; `link.yaml` a committed link to a file outside.
    await rename(join(wc, 'out', 'secret.yaml.secret'), join(outside.path, 'secret.yaml.secret'));
    await rm(join(wc, 'out'), { recursive: true });
    await symlink(outside.path, join(wc, 'out'));
    await rm(join(wc, 'link.yaml'));
    await symlink(join(outside.path, 'target.yaml'), join(wc, 'link.yaml'));
    await rm(join(wc, 'secret.yaml'));
    await git(wc, 'add', '-A');
    await git(wc, 'add', '-f', 'link.yaml');
    await git(wc, 'commit', '-q', '-m', 'secrets, two of them leading out');
    await git(wc, 'push', '-q', upstream, 'HEAD:refs/heads/main');
    expect(await readdir(outside.path)).toEqual(['secret.yaml.secret']);

    const lines: { fields: LogFields; message: string }[] = [];
    const m = createMirror({
      url: `file://${upstream}`,
      branch: 'main',
      gnupgHome: gpg.home,
      gitSecret: true,
      readonly: true,
      workDir: work.path,
      logger: recordingLogger(lines),
    });
    mirrors.push(m);
    await m.refresh();
    const co = await m.clone();

    // Nothing was written outside the clone: neither through the directory link nor the file link.
    expect(await readdir(outside.path)).toEqual(['secret.yaml.secret']);
    // The file beside them was revealed.
    expect(await readFile(join(co.dir, 'secret.yaml'), 'utf8')).toBe('password: hunter2\n');
    expect(co.unrevealedSecrets.map((e) => e.path).sort()).toEqual(['link.yaml', 'out/secret.yaml']);
    for (const err of co.unrevealedSecrets) {
      expect(err).toBeInstanceOf(GitSecretPathError);
      expect(err.message).toContain(`"${err.path}"`);
      expect(err.message).toContain('symbolic link');
    }
    const logged = lines.filter((l) => l.message === 'git-secret file not revealed');
    expect(logged.map((l) => l.fields.path).sort()).toEqual(['link.yaml', 'out/secret.yaml']);
    await co.clean();

    // A pooled tree is revealed the same way.
    const again = await m.clone();
    expect(await readdir(outside.path)).toEqual(['secret.yaml.secret']);
    expect(await readFile(join(again.dir, 'secret.yaml'), 'utf8')).toBe('password: hunter2\n');
    expect(again.unrevealedSecrets).toHaveLength(2);
    await again.clean();
  });
});
