import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ManualClock } from '@flux-ts/core';
import {
  createGitServer,
  freePort,
  makeTempDir,
  type TempDir,
  type TestGitServer,
  type TestRepo,
} from '@flux-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GitBranchMissingError,
  GitTimeoutError,
  GitUnreachableError,
  NoChangesError,
  PushRejectedError,
  ReadOnlyError,
} from './errors.ts';
import { createMirror, type Mirror, type MirrorOptions } from './mirror.ts';

const run = promisify(execFile);

describe('mirror and working clones', () => {
  let server: TestGitServer;
  let work: TempDir;
  const mirrors: Mirror[] = [];
  const identity = {
    GIT_AUTHOR_NAME: 'Seeder',
    GIT_AUTHOR_EMAIL: 'seed@example.com',
    GIT_COMMITTER_NAME: 'Seeder',
    GIT_COMMITTER_EMAIL: 'seed@example.com',
  };
  const git = (cwd: string, ...args: string[]): Promise<{ stdout: string }> =>
    run('git', args, { cwd, env: { ...server.env, ...identity } });

  /** A repository with `deploy/app.yaml` and `other/readme.md` on main. */
  async function seed(name: string): Promise<TestRepo> {
    const repo = await server.createRepo(name);
    const wc = join(work.path, `seed-${name}`);
    await mkdir(join(wc, 'deploy'), { recursive: true });
    await mkdir(join(wc, 'other'));
    await git(work.path, 'init', '-q', '-b', 'main', wc);
    await writeFile(join(wc, 'deploy', 'app.yaml'), 'kind: Deployment\n');
    await writeFile(join(wc, 'other', 'readme.md'), 'hi\n');
    await git(wc, 'add', '-A');
    await git(wc, 'commit', '-q', '-m', 'initial');
    await git(wc, 'push', '-q', repo.fileUrl, 'HEAD:refs/heads/main');
    return repo;
  }

  function mirrorOf(opts: MirrorOptions): Mirror {
    const m = createMirror({
      branch: 'main',
      sshCommand: server.sshCommand,
      workDir: work.path,
      user: 'Flux Bot',
      email: 'flux@example.com',
      ...opts,
    });
    mirrors.push(m);
    return m;
  }

  async function remoteHead(repo: TestRepo): Promise<string> {
    return (await run('git', ['--git-dir', repo.path, 'rev-parse', 'refs/heads/main'])).stdout.trim();
  }

  beforeAll(async () => {
    server = await createGitServer();
    work = await makeTempDir('flux-ts-git-mirror');
  });
  afterAll(async () => {
    for (const m of mirrors) await m.close();
    await server?.stop();
    await work?.remove();
  });

  it('is unconfigured without a URL', async () => {
    const m = mirrorOf({ url: '' });

    await m.refresh();

    expect(m.status()).toEqual({ status: 'unconfigured' });
  });

  it('clones over ssh, checks write access, commits with a note and pushes', async () => {
    const repo = await seed('ssh-commit');
    const m = mirrorOf({ url: repo.sshUrl, paths: ['deploy'], notesRef: 'flux' });

    expect(m.status().status).toBe('new');
    await m.refresh();
    expect(m.status()).toEqual({ status: 'ready' });
    const before = await m.head();
    const co = await m.clone();
    await writeFile(join(co.dir, 'deploy', 'app.yaml'), 'kind: Deployment\nmetadata: {name: x}\n');
    await writeFile(join(co.dir, 'other', 'readme.md'), 'outside the git paths\n');
    const commit = await co.commitAndPush({
      message: 'Auto-release x',
      note: { jobID: 'job-1', spec: { type: 'auto' }, result: null },
    });

    expect(commit.revision).toBe(await remoteHead(repo));
    expect(await m.head()).toBe(commit.revision);
    expect(await co.changedFiles(before, commit.revision)).toEqual(['deploy/app.yaml']);
    const note = await run('git', [
      '--git-dir',
      repo.path,
      'notes',
      '--ref',
      'flux',
      'show',
      commit.revision,
    ]);
    expect(note.stdout.trim()).toBe('{"jobID":"job-1","spec":{"type":"auto"},"result":null}');
    const committer = await run('git', [
      '--git-dir',
      repo.path,
      'log',
      '-1',
      '--format=%cn <%ce>|%s',
      'main',
    ]);
    expect(committer.stdout.trim()).toBe('Flux Bot <flux@example.com>|Auto-release x');
    const tags = await run('git', ['--git-dir', repo.path, 'tag', '--list']);
    expect(tags.stdout).not.toContain('flux-write-check');
    expect((await m.commitsBetween(before, commit.revision)).map((c) => c.revision)).toEqual([
      commit.revision,
    ]);
    await co.clean();
  });

  it('reads notes from a new working clone and refuses an empty commit', async () => {
    const repo = await seed('notes');
    const m = mirrorOf({ url: repo.fileUrl, ciSkip: true });
    await m.refresh();
    const first = await m.clone();
    await writeFile(join(first.dir, 'deploy', 'app.yaml'), 'changed\n');
    const commit = await first.commitAndPush({ message: 'm', note: { jobID: 'j', spec: {}, result: {} } });
    await first.clean();

    const second = await m.clone();
    const note = await run('git', ['notes', '--ref', 'flux', 'show', commit.revision], { cwd: second.dir });

    expect(note.stdout.trim()).toBe('{"jobID":"j","spec":{},"result":{}}');
    expect(commit.message).toBe('m\n\n[ci skip]');
    await expect(second.commitAndPush({ message: 'nothing' })).rejects.toBeInstanceOf(NoChangesError);
    await second.clean();
  });

  it('surfaces a push race as PushRejectedError, and a retry on the new head lands', async () => {
    const repo = await seed('race');
    const ours = mirrorOf({ url: repo.sshUrl });
    const theirs = mirrorOf({ url: repo.sshUrl });
    await ours.refresh();
    await theirs.refresh();
    const mine = await ours.clone();
    const other = await theirs.clone();
    await writeFile(join(other.dir, 'deploy', 'app.yaml'), 'theirs\n');
    const theirCommit = await other.commitAndPush({
      message: 'theirs',
      note: { jobID: 't', spec: {}, result: null },
    });
    await writeFile(join(mine.dir, 'deploy', 'app.yaml'), 'mine\n');

    const err = await mine
      .commitAndPush({ message: 'mine', note: { jobID: 'm', spec: {}, result: null } })
      .catch((e) => e);

    expect(err).toBeInstanceOf(PushRejectedError);
    expect(err.code).toBe('git.push-rejected');
    expect(err.message).toContain(`git push ${repo.sshUrl}: `);
    expect(await remoteHead(repo)).toBe(theirCommit.revision);
    await ours.refresh();
    const retry = await ours.clone();
    expect(retry.revision).toBe(theirCommit.revision);
    await writeFile(join(retry.dir, 'deploy', 'app.yaml'), 'mine\n');
    const landed = await retry.commitAndPush({
      message: 'mine',
      note: { jobID: 'm', spec: {}, result: null },
    });
    expect(await remoteHead(repo)).toBe(landed.revision);
    const parent = await run('git', ['--git-dir', repo.path, 'rev-parse', `${landed.revision}^`]);
    expect(parent.stdout.trim()).toBe(theirCommit.revision);
    for (const c of [mine, other, retry]) await c.clean();
  });

  it('never pushes when read-only', async () => {
    const repo = await seed('readonly');
    const before = await run('git', ['--git-dir', repo.path, 'for-each-ref']);
    const m = mirrorOf({ url: repo.sshUrl, readonly: true });
    await m.refresh();
    const co = await m.clone();
    await writeFile(join(co.dir, 'deploy', 'app.yaml'), 'x\n');

    await expect(co.commitAndPush({ message: 'x' })).rejects.toBeInstanceOf(ReadOnlyError);

    expect(m.status().status).toBe('ready');
    expect((await run('git', ['--git-dir', repo.path, 'for-each-ref'])).stdout).toBe(before.stdout);
    await co.clean();
  });

  it('reports a missing branch', async () => {
    const repo = await seed('branch');
    const m = mirrorOf({ url: repo.fileUrl, branch: 'nope' });

    const err = await m.refresh().catch((e) => e);

    expect(err).toBeInstanceOf(GitBranchMissingError);
    expect(err.message).toBe("configured branch 'nope' does not exist");
    expect(m.status().status).toBe('cloned');
    expect(m.status().error).toBe(err);
  });

  it('polls on the injected clock until aborted', async () => {
    const repo = await seed('poll');
    const clock = new ManualClock();
    const m = mirrorOf({ url: repo.fileUrl, clock, pollIntervalMs: 60_000 });
    const ac = new AbortController();
    const loop = m.start(ac.signal);
    await expect.poll(() => m.status().status).toBe('ready');
    await expect.poll(() => clock.pending).toBe(1);
    const wc = join(work.path, 'seed-poll');
    await writeFile(join(wc, 'deploy', 'app.yaml'), 'upstream change\n');
    await git(wc, 'commit', '-q', '-am', 'upstream');
    await git(wc, 'push', '-q', repo.fileUrl, 'HEAD:refs/heads/main');
    const upstream = await remoteHead(repo);

    await clock.advance(60_000);
    await expect.poll(() => m.head()).toBe(upstream);

    ac.abort();
    await loop;
  });

  it('fetches nothing when the remote is unchanged, and resolves abbreviated revisions', async () => {
    const repo = await seed('unchanged');
    const m = mirrorOf({ url: repo.sshUrl, readonly: true });
    await m.refresh();
    const objects = async (): Promise<string> =>
      (await run('git', ['count-objects', '-v'], { cwd: m.dir() as string })).stdout;
    const packs = async (): Promise<string[]> => readdir(join(m.dir() as string, 'objects', 'pack'));
    const before = { objects: await objects(), packs: await packs() };

    await m.refresh();
    await m.refresh();

    expect({ objects: await objects(), packs: await packs() }).toEqual(before);
    const head = await m.head();
    expect(await m.resolve(head.slice(0, 7))).toBe(head);
    expect(await m.resolve('0000000')).toBeUndefined();
  });

  it('sets the author from the cause with setAuthor', async () => {
    const repo = await seed('author');
    const m = mirrorOf({ url: repo.fileUrl, setAuthor: true });
    await m.refresh();
    const co = await m.clone();
    await writeFile(join(co.dir, 'deploy', 'app.yaml'), 'by jane\n');

    await co.commitAndPush({ message: 'Release x', author: 'Jane Doe <jane@example.com>' });

    const who = await run('git', [
      '--git-dir',
      repo.path,
      'log',
      '-1',
      '--format=%an <%ae>|%cn <%ce>',
      'main',
    ]);
    expect(who.stdout.trim()).toBe('Jane Doe <jane@example.com>|Flux Bot <flux@example.com>');
    await co.clean();
  });

  it('drops back to new when a fetch fails, and re-clones once the remote is back', async () => {
    const repo = await seed('flaky');
    const m = mirrorOf({ url: repo.fileUrl, readonly: true });
    await m.refresh();
    const moved = `${repo.path}.away`;
    await rename(repo.path, moved);

    const err = await m.refresh().catch((e) => e);

    expect(err).toBeInstanceOf(GitUnreachableError);
    expect(m.status()).toMatchObject({ status: 'new', error: err });
    await rename(moved, repo.path);
    await m.refresh();
    expect(m.status()).toEqual({ status: 'ready' });
    expect(await m.head()).toBe(await remoteHead(repo));
  });

  it('retries a mirror that is not ready on the retry interval', async () => {
    const port = await freePort();
    const clock = new ManualClock();
    const m = mirrorOf({ url: `ssh://git@127.0.0.1:${port}/r.git`, clock, retryIntervalMs: 10_000 });
    const ac = new AbortController();
    const loop = m.start(ac.signal);
    await expect.poll(() => clock.pending).toBe(1);
    const first = m.status().error;

    await clock.advance(10_000);
    await expect.poll(() => m.status().error !== first && clock.pending === 1).toBe(true);

    expect(m.status()).toMatchObject({ status: 'new', error: expect.any(GitUnreachableError) });
    ac.abort();
    await loop;
  });

  it('rejects absolute or escaping git paths', () => {
    expect(() => createMirror({ url: 'file:///x', paths: ['/etc'] })).toThrow(/must be relative/);
    expect(() => createMirror({ url: 'file:///x', paths: ['../up'] })).toThrow(/must be relative/);
  });

  it.each([false, true])(
    'commits only the git paths, or the whole repository with manifest generation (%s)',
    async (generation) => {
      const repo = await seed(`generation-${generation}`);
      const m = mirrorOf({ url: repo.fileUrl, paths: ['deploy'], manifestGeneration: generation });
      await m.refresh();
      const checkout = await m.clone();
      await writeFile(join(checkout.dir, 'deploy', 'app.yaml'), 'kind: Deployment\nspec: {}\n');
      await writeFile(join(checkout.dir, 'other', 'flux-patch.yaml'), 'patch: true\n');

      const commit = await checkout.commitAndPush({ message: 'edit' });
      const files = (
        await git(work.path, '--git-dir', repo.path, 'show', '--name-only', '--format=', commit.revision)
      ).stdout
        .trim()
        .split('\n');

      expect(files.sort()).toEqual(
        generation ? ['deploy/app.yaml', 'other/flux-patch.yaml'] : ['deploy/app.yaml'],
      );
      await checkout.clean();
    },
  );

  it('reuses a cleaned working tree for the next clone: up to date, and nothing left behind', async () => {
    const repo = await seed('pool');
    const m = mirrorOf({ url: repo.fileUrl });
    await m.refresh();
    const first = await m.clone();
    await writeFile(join(first.dir, 'deploy', 'scratch.yaml'), 'left: behind\n');
    await writeFile(join(first.dir, 'deploy', 'app.yaml'), 'kind: Deployment\nspec: {}\n');
    const firstDir = first.dir;
    await first.clean();
    const wc = join(work.path, 'pool-upstream');
    await git(work.path, 'clone', '-q', repo.fileUrl, wc);
    await writeFile(join(wc, 'deploy', 'new.yaml'), 'kind: Service\n');
    await git(wc, 'add', '-A');
    await git(wc, 'commit', '-q', '-m', 'add a service');
    await git(wc, 'push', '-q', 'origin', 'HEAD:main');
    await m.refresh();

    const second = await m.clone();

    expect(second.dir).toBe(firstDir);
    expect(second.revision).toBe((await git(wc, 'rev-parse', 'HEAD')).stdout.trim());
    expect((await readdir(join(second.dir, 'deploy'))).sort()).toEqual(['app.yaml', 'new.yaml']);
    expect(await readFile(join(second.dir, 'deploy', 'app.yaml'), 'utf8')).toBe('kind: Deployment\n');
    await second.clean();
  });

  it('fails fast on a port nobody listens on, naming the URL without credentials', async () => {
    const port = await freePort();
    const m = mirrorOf({ url: `ssh://git@127.0.0.1:${port}/repo.git`, timeoutMs: 5000 });
    const started = Date.now();

    const err = await m.refresh().catch((e) => e);

    expect(err).toBeInstanceOf(GitUnreachableError);
    expect(err.message).toContain(`ssh://git@127.0.0.1:${port}/repo.git`);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(m.status()).toMatchObject({ status: 'new', error: err });
  });

  describe('a stalled server', () => {
    let stalled: Server;
    const sockets: Socket[] = [];
    beforeAll(async () => {
      stalled = createServer((s) => sockets.push(s));
      await new Promise<void>((r) => stalled.listen(0, '127.0.0.1', r));
    });
    afterAll(async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => stalled.close(r));
    });

    it.each(['ssh', 'https'])(
      'times out within --git-timeout over %s with a redacted URL',
      async (scheme) => {
        const { port } = stalled.address() as { port: number };
        const url =
          scheme === 'ssh'
            ? `ssh://git@127.0.0.1:${port}/repo.git`
            : `https://flux:hunter2@127.0.0.1:${port}/repo.git`;
        const m = mirrorOf({ url, timeoutMs: 1500 });
        const started = Date.now();

        const err = await m.refresh().catch((e) => e);

        expect(err).toBeInstanceOf(GitTimeoutError);
        expect(Date.now() - started).toBeLessThan(4000);
        expect(err.message).not.toContain('hunter2');
        expect(JSON.stringify({ ...err, message: err.message })).not.toContain('hunter2');
        expect(err.message).toContain(`127.0.0.1:${port}/repo.git`);
      },
    );
  });

  it('keeps a working clone cheap: objects are hard-linked from the mirror', async () => {
    const repo = await seed('cheap');
    const m = mirrorOf({ url: repo.fileUrl });
    await m.refresh();

    const co = await m.clone();

    const packs = (await readdir(join(co.dir, '.git', 'objects', 'pack'))).filter((f) => f.endsWith('.pack'));
    expect(packs.length).toBeGreaterThan(0);
    for (const p of packs)
      expect((await stat(join(co.dir, '.git', 'objects', 'pack', p))).nlink).toBeGreaterThan(1);
    expect(await readFile(join(co.dir, 'deploy', 'app.yaml'), 'utf8')).toBe('kind: Deployment\n');
    await co.clean();
  });
});
