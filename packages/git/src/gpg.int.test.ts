import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  createGitServer,
  createGpgHome,
  makeTempDir,
  type TempDir,
  type TestGitServer,
  type TestGpgHome,
} from '@flux-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importGpgKeys } from './gpg.ts';
import { createMirror, type Mirror } from './mirror.ts';
import { createGitSyncState } from './sync-tag.ts';

const run = promisify(execFile);

describe('gpg key import and git-secret', () => {
  let server: TestGitServer;
  let gpg: TestGpgHome;
  let verifier: TempDir;
  let work: TempDir;
  const mirrors: Mirror[] = [];
  const env = (): Record<string, string> => ({
    ...server.env,
    ...gpg.env,
    GIT_AUTHOR_NAME: 'Seeder',
    GIT_AUTHOR_EMAIL: 'seed@example.com',
    GIT_COMMITTER_NAME: 'Seeder',
    GIT_COMMITTER_EMAIL: 'seed@example.com',
  });
  const git = async (cwd: string, ...args: string[]): Promise<string> =>
    (await run('git', args, { cwd, env: env() })).stdout.trim();

  beforeAll(async () => {
    server = await createGitServer();
    gpg = await createGpgHome();
    verifier = await makeTempDir('fts-ver', { short: true });
    await chmod(verifier.path, 0o700);
    work = await makeTempDir('flux-ts-git-gpg');
  });
  afterAll(async () => {
    for (const m of mirrors) await m.close();
    await run('gpgconf', ['--homedir', verifier.path, '--kill', 'all']).catch(() => undefined);
    await verifier?.remove();
    await server?.stop();
    await gpg?.remove();
    await work?.remove();
  });

  it('accepts a signature only once the imported key is trusted', async () => {
    const repo = await server.createRepo('trust');
    const wc = join(work.path, 'trust');
    await git(work.path, 'init', '-q', '-b', 'main', wc);
    await writeFile(join(wc, 'a.yaml'), 'a\n');
    await git(wc, 'add', '-A');
    await git(wc, 'commit', '-q', `--gpg-sign=${gpg.fingerprint}`, '-m', 'signed');
    const signed = await git(wc, 'rev-parse', 'HEAD');
    await git(wc, 'push', '-q', repo.fileUrl, 'HEAD:refs/heads/main');
    const keys = join(work.path, 'keys');
    await mkdir(keys);
    await writeFile(join(keys, 'flux.asc'), await gpg.exportPublicKey());
    const m = createMirror({
      url: repo.sshUrl,
      branch: 'main',
      sshCommand: server.sshCommand,
      gnupgHome: verifier.path,
      readonly: true,
      workDir: work.path,
    });
    mirrors.push(m);
    await m.refresh();

    await importGpgKeys([keys], { gnupgHome: verifier.path });
    const untrusted = await createGitSyncState(m, { verifyMode: 'all' }).verify();
    const imported = await importGpgKeys([keys], { gnupgHome: verifier.path, trustAll: true });
    const trusted = await createGitSyncState(m, { verifyMode: 'all' }).verify();

    expect(untrusted).toMatchObject({
      head: signed,
      verified: undefined,
      invalid: { revision: signed, signature: 'U' },
    });
    expect(imported).toEqual([join(keys, 'flux.asc')]);
    expect(trusted).toEqual({ head: signed, verified: signed });
  });

  it('reveals git-secret files in a working clone', async () => {
    const repo = await server.createRepo('secret');
    const wc = join(work.path, 'secret');
    await git(work.path, 'init', '-q', '-b', 'main', wc);
    await writeFile(join(wc, 'secret.yaml'), 'password: hunter2\n');
    await git(wc, 'secret', 'init');
    await git(wc, 'secret', 'tell', gpg.email);
    await git(wc, 'secret', 'add', 'secret.yaml');
    await git(wc, 'secret', 'hide');
    await git(wc, 'add', '-A');
    await git(wc, 'commit', '-q', '-m', 'encrypted');
    await git(wc, 'push', '-q', repo.fileUrl, 'HEAD:refs/heads/main');
    const m = createMirror({
      url: repo.fileUrl,
      branch: 'main',
      gnupgHome: gpg.home,
      gitSecret: true,
      workDir: work.path,
    });
    mirrors.push(m);
    await m.refresh();

    const co = await m.clone();

    expect(await readFile(join(co.dir, 'secret.yaml'), 'utf8')).toBe('password: hunter2\n');
    await co.clean();
  });
});
