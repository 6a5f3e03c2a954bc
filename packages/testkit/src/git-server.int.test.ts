import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type SimpleGit, simpleGit } from 'simple-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitServer, type TestGitServer } from './git-server.ts';
import { makeTempDir, type TempDir } from './temp-dir.ts';

const run = promisify(execFile);

describe('git server over ssh and file://', () => {
  let server: TestGitServer;
  let work: TempDir;
  const git = (dir?: string): SimpleGit =>
    simpleGit(dir ?? work.path, {
      unsafe: { allowUnsafeSshCommand: true },
      allowEnvironment: [
        'GIT_SSH_COMMAND',
        'GIT_AUTHOR_NAME',
        'GIT_AUTHOR_EMAIL',
        'GIT_COMMITTER_NAME',
        'GIT_COMMITTER_EMAIL',
      ],
    }).env({
      ...server.env,
      GIT_AUTHOR_NAME: 'Flux Test',
      GIT_AUTHOR_EMAIL: 'flux-test@example.com',
      GIT_COMMITTER_NAME: 'Flux Test',
      GIT_COMMITTER_EMAIL: 'flux-test@example.com',
    });

  beforeAll(async () => {
    server = await createGitServer();
    work = await makeTempDir('flux-ts-git-work');
  });
  afterAll(async () => {
    await server?.stop();
    await work?.remove();
  });

  it('clones, commits, pushes, tags and adds notes over ssh', async () => {
    const repo = await server.createRepo('config');
    const wc = join(work.path, 'ssh-clone');

    await git().clone(repo.sshUrl, wc);
    await writeFile(join(wc, 'deploy.yaml'), 'kind: Deployment\n');
    await git(wc).add('deploy.yaml').commit('Add deployment');
    await git(wc).push('origin', 'HEAD:main');
    await git(wc).raw(['tag', '-a', '-m', 'Sync pointer', 'flux-sync']);
    await git(wc).push('origin', 'refs/tags/flux-sync');
    await git(wc).raw(['notes', '--ref', 'flux', 'add', '-m', '{"jobID":"1"}', 'HEAD']);
    await git(wc).push('origin', 'refs/notes/flux');

    const remote = await git().listRemote([repo.sshUrl]);
    const fresh = join(work.path, 'ssh-fresh');
    await git().clone(repo.sshUrl, fresh);
    await git(fresh).fetch('origin', '+refs/notes/*:refs/notes/*');
    const note = await git(fresh).raw(['notes', '--ref', 'flux', 'show', 'HEAD']);

    expect(remote).toMatch(/refs\/heads\/main/);
    expect(remote).toMatch(/refs\/tags\/flux-sync/);
    expect(remote).toMatch(/refs\/notes\/flux/);
    expect(note.trim()).toBe('{"jobID":"1"}');
    expect((await git(fresh).log()).latest?.message).toBe('Add deployment');
  });

  it('rejects a client without the key and checks the host key strictly', async () => {
    const repo = await server.createRepo('locked');
    const env = { ...process.env, GIT_SSH_COMMAND: `${server.sshCommand.replace(/-i \S+/, '-i /dev/null')}` };

    const failed = await run('git', ['ls-remote', repo.sshUrl], { env }).catch((e: { stderr: string }) => e);

    expect(failed).toHaveProperty('stderr');
    expect((failed as { stderr: string }).stderr).toMatch(/Permission denied|Could not read from remote/);
  });

  it('lets in a key once it is authorized, as a deploy key added to a repository host', async () => {
    const repo = await server.createRepo('deploy-key');
    const key = join(work.path, 'deploy_ed25519');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'deploy', '-f', key]);
    const env = { ...process.env, GIT_SSH_COMMAND: server.sshCommand.replace(/-i \S+/, `-i ${key}`) };
    const lsRemote = () => run('git', ['ls-remote', repo.sshUrl], { env });

    await expect(lsRemote()).rejects.toThrow(/Permission denied|Could not read from remote/);
    await server.authorizeKey(await readFile(`${key}.pub`, 'utf8'));
    await expect(lsRemote()).resolves.toHaveProperty('stdout', '');
    await expect(server.authorizeKey('not a key\nssh-ed25519 AAAA x')).rejects.toThrow(
      /one OpenSSH public key/,
    );
  });

  it('serves the same repository over file://', async () => {
    const repo = await server.createRepo('local');
    const wc = join(work.path, 'file-clone');
    await git().clone(repo.fileUrl, wc);
    await writeFile(join(wc, 'a.yaml'), 'a: 1\n');
    await git(wc).add('a.yaml').commit('a');

    await git(wc).push('origin', 'HEAD:main');

    const { stdout } = await run('git', ['--git-dir', repo.path, 'log', '--format=%s', 'main']);
    expect(stdout.trim()).toBe('a');
  });
});
