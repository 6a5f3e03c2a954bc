import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGpgHome, type TestGpgHome } from './gpg.ts';
import { makeTempDir, type TempDir } from './temp-dir.ts';

const exec = promisify(execFile);

describe('gpg signing and git-secret', () => {
  let gpg: TestGpgHome;
  let dir: TempDir;
  let env: NodeJS.ProcessEnv;
  const git = (cwd: string, ...args: string[]) => exec('git', args, { cwd, env });

  beforeAll(async () => {
    gpg = await createGpgHome();
    dir = await makeTempDir('flux-ts-gpg-repo');
    env = { ...process.env, ...gpg.env, GIT_CONFIG_GLOBAL: '/dev/null' };
    await git(dir.path, 'init', '-q', '-b', 'main');
    await git(dir.path, 'config', 'user.name', gpg.name);
    await git(dir.path, 'config', 'user.email', gpg.email);
  });
  afterAll(async () => {
    await gpg?.remove();
    await dir?.remove();
  });

  it('makes a signed commit that git verify-commit accepts', async () => {
    await git(dir.path, 'commit', '-q', '--allow-empty', '-m', 'signed', `--gpg-sign=${gpg.fingerprint}`);

    await expect(git(dir.path, 'verify-commit', 'HEAD')).resolves.toBeDefined();
    const { stdout } = await git(dir.path, 'log', '-1', '--format=%G? %GF');
    expect(stdout.trim()).toBe(`G ${gpg.fingerprint}`);
  });

  it('leaves an unsigned commit unverified', async () => {
    await git(dir.path, 'commit', '-q', '--allow-empty', '-m', 'unsigned', '--no-gpg-sign');

    await expect(git(dir.path, 'verify-commit', 'HEAD')).rejects.toMatchObject({ code: 1 });
  });

  it('hides and reveals a secret with git-secret', async () => {
    const repo = join(dir.path, 'secrets');
    await exec('git', ['init', '-q', '-b', 'main', repo], { env });
    const secret = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  password: hunter2\n';
    await writeFile(join(repo, 'secret.yaml'), secret);
    const gitSecret = (...args: string[]) => exec('git', ['secret', ...args], { cwd: repo, env });

    await gitSecret('init');
    await gitSecret('tell', gpg.email);
    await gitSecret('add', 'secret.yaml');
    await gitSecret('hide');
    const encrypted = await readFile(join(repo, 'secret.yaml.secret'));
    await rm(join(repo, 'secret.yaml'));
    await gitSecret('reveal', '-f');

    expect(encrypted.includes('hunter2')).toBe(false);
    expect(await readFile(join(repo, 'secret.yaml'), 'utf8')).toBe(secret);
    await exec('gpgconf', ['--homedir', join(repo, '.gitsecret', 'keys'), '--kill', 'all'], { env }).catch(
      () => undefined,
    );
  });
});
