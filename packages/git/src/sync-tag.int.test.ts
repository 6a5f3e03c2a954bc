import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { SyncStateStore } from '@flux-ts/core';
import {
  createGitServer,
  createGpgHome,
  makeTempDir,
  type TempDir,
  type TestGitServer,
  type TestGpgHome,
  type TestRepo,
} from '@flux-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadOnlyError, SignatureVerificationError } from './errors.ts';
import type { GitRunner } from './git-factory.ts';
import { createMirror, type Mirror, type MirrorOptions } from './mirror.ts';
import { createGitSyncState, UnverifiedHeadError } from './sync-tag.ts';

const run = promisify(execFile);

describe('sync tag and signature verification', () => {
  let server: TestGitServer;
  let gpg: TestGpgHome;
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

  /** A clone of a new repository with one commit (signed unless told otherwise) pushed to main. */
  async function seed(name: string, signed = true): Promise<{ repo: TestRepo; wc: string }> {
    const repo = await server.createRepo(name);
    const wc = join(work.path, `seed-${name}`);
    await git(work.path, 'init', '-q', '-b', 'main', wc);
    await mkdir(join(wc, 'deploy'));
    await writeFile(join(wc, 'deploy', 'a.yaml'), 'a: 1\n');
    await git(wc, 'add', '-A');
    await git(wc, 'commit', '-q', ...(signed ? [`--gpg-sign=${gpg.fingerprint}`] : []), '-m', 'initial');
    await git(wc, 'remote', 'add', 'origin', repo.fileUrl);
    await git(wc, 'push', '-q', 'origin', 'HEAD:refs/heads/main');
    return { repo, wc };
  }

  async function commitFile(wc: string, file: string, content: string, signed: boolean): Promise<string> {
    await writeFile(join(wc, file), content);
    await git(wc, 'add', '-A');
    await git(
      wc,
      'commit',
      '-q',
      ...(signed ? [`--gpg-sign=${gpg.fingerprint}`] : []),
      '-m',
      `change ${file}`,
    );
    return git(wc, 'rev-parse', 'HEAD');
  }

  async function mirrorOf(opts: MirrorOptions): Promise<Mirror> {
    const m = createMirror({
      branch: 'main',
      sshCommand: server.sshCommand,
      gnupgHome: gpg.home,
      workDir: work.path,
      ...opts,
    });
    mirrors.push(m);
    await m.refresh();
    return m;
  }

  beforeAll(async () => {
    server = await createGitServer();
    gpg = await createGpgHome();
    work = await makeTempDir('flux-ts-git-sync');
  });
  afterAll(async () => {
    for (const m of mirrors) await m.close();
    await server?.stop();
    await gpg?.remove();
    await work?.remove();
  });

  it('round-trips the annotated tag over ssh with a force push', async () => {
    const { repo, wc } = await seed('roundtrip', false);
    const m = await mirrorOf({ url: repo.sshUrl });
    const store: SyncStateStore = createGitSyncState(m, { tag: 'flux' });
    const first = await m.head();

    expect(await store.get()).toBeUndefined();
    await store.update(first);
    expect(await store.get()).toBe(first);
    const second = await commitFile(wc, 'b.yaml', 'b\n', false);
    await git(wc, 'push', '-q', 'origin', 'HEAD:refs/heads/main');
    await m.refresh();
    await store.update(second);

    expect(await store.get()).toBe(second);
    expect(await git(wc, 'ls-remote', repo.fileUrl, 'refs/tags/flux^{}')).toContain(second);
    expect(
      await run('git', ['--git-dir', repo.path, 'cat-file', '-p', 'flux']).then((r) => r.stdout),
    ).toMatch(/\n\nSync pointer\n$/);
    await store.delete?.();
    await m.refresh();
    expect(await store.get()).toBeUndefined();
  });

  it('pushes the tag even when the mirror poll prunes the new local tag before the push', async () => {
    const { repo } = await seed('prune-race', false);
    const m = await mirrorOf({ url: repo.sshUrl });
    let pruned = 0;
    // The real race: fluxd's poller runs `fetch --prune --tags` while a sync moves the tag, and the
    // fetch removes the local tag the remote does not have yet. Here the fetch runs right after the
    // first `git tag`.
    const runner: GitRunner = {
      env: m.runner.env,
      timeoutMs: m.runner.timeoutMs,
      async run(args, options) {
        const out = await m.runner.run(args, options);
        if (args[0] === 'tag' && args.includes('--force') && pruned === 0) {
          pruned++;
          await m.refresh();
        }
        return out;
      },
    };
    const store = createGitSyncState({ ...m, runner }, { tag: 'flux' });
    const head = await m.head();
    await store.update(head);
    expect(pruned).toBe(1);
    expect(await git(work.path, 'ls-remote', repo.fileUrl, 'refs/tags/flux^{}')).toContain(head);
    await m.refresh();
    expect(await store.get()).toBe(head);
  });

  it('signs commits and the sync tag; both verify', async () => {
    const { repo } = await seed('signed');
    const m = await mirrorOf({ url: repo.sshUrl, signingKey: gpg.fingerprint });
    const store = createGitSyncState(m, { signingKey: gpg.fingerprint, verifyMode: 'all' });
    const co = await m.clone();
    await writeFile(join(co.dir, 'deploy', 'a.yaml'), 'a: 2\n');

    const commit = await co.commitAndPush({ message: 'signed change' });
    await store.update(commit.revision);

    const bare = { env: env() };
    const status = await run('git', ['--git-dir', repo.path, 'log', '-1', '--format=%G?|%GF', 'main'], bare);
    expect(status.stdout.trim()).toBe(`G|${gpg.fingerprint}`);
    await expect(
      run('git', ['--git-dir', repo.path, 'verify-tag', 'flux-sync'], bare),
    ).resolves.toBeDefined();
    expect(await store.get()).toBe(commit.revision);
    expect(await store.verify()).toEqual({ head: commit.revision, verified: commit.revision });
    await co.clean();
  });

  it('rejects an unsigned sync tag when verifying', async () => {
    const { repo } = await seed('unsigned-tag');
    const writer = createGitSyncState(await mirrorOf({ url: repo.fileUrl }));
    const m = await mirrorOf({ url: repo.fileUrl });
    await writer.update(await m.head());
    await m.refresh();

    const err = await createGitSyncState(m, { verifyMode: 'all' })
      .get()
      .catch((e) => e);

    expect(err).toBeInstanceOf(SignatureVerificationError);
    expect(err.message).toBe('sync tag flux-sync does not have a valid signature');
  });

  it('stops at the first unsigned commit in all mode', async () => {
    const { repo, wc } = await seed('all-mode');
    const signedHead = await git(wc, 'rev-parse', 'HEAD');
    const m = await mirrorOf({ url: repo.fileUrl, signingKey: gpg.fingerprint });
    await createGitSyncState(m, { signingKey: gpg.fingerprint }).update(signedHead);
    const good = await commitFile(wc, 'b.yaml', 'b\n', true);
    const bad = await commitFile(wc, 'c.yaml', 'c\n', false);
    await commitFile(wc, 'd.yaml', 'd\n', true);
    await git(wc, 'push', '-q', 'origin', 'HEAD:refs/heads/main');
    await m.refresh();

    const result = await createGitSyncState(m, { verifyMode: 'all' }).verify();

    expect(result.verified).toBe(good);
    expect(result.invalid).toEqual({ revision: bad, signingKey: '', signature: 'N' });
    expect(new UnverifiedHeadError(result.head, result.verified).message).toBe(
      `The branch HEAD in the git repo is not verified, and fluxd is unable to sync to it. The last verified commit was ${good.slice(0, 8)}. HEAD is ${result.head.slice(0, 8)}.`,
    );
  });

  it('accepts an unsigned commit off the first-parent line in first-parent mode only', async () => {
    const { repo, wc } = await seed('first-parent');
    const base = await git(wc, 'rev-parse', 'HEAD');
    const m = await mirrorOf({ url: repo.fileUrl, signingKey: gpg.fingerprint });
    await createGitSyncState(m, { signingKey: gpg.fingerprint }).update(base);
    await git(wc, 'checkout', '-q', '-b', 'feature');
    const unsigned = await commitFile(wc, 'feature.yaml', 'f\n', false);
    await git(wc, 'checkout', '-q', 'main');
    await git(
      wc,
      'merge',
      '-q',
      '--no-ff',
      `--gpg-sign=${gpg.fingerprint}`,
      '-m',
      'Merge feature',
      'feature',
    );
    const merge = await git(wc, 'rev-parse', 'HEAD');
    await git(wc, 'push', '-q', 'origin', 'HEAD:refs/heads/main');
    await m.refresh();

    const all = await createGitSyncState(m, { verifyMode: 'all' }).verify();
    const firstParent = await createGitSyncState(m, { verifyMode: 'first-parent' }).verify();

    expect(all).toEqual({
      head: merge,
      verified: base,
      invalid: { revision: unsigned, signingKey: '', signature: 'N' },
    });
    expect(firstParent).toEqual({ head: merge, verified: merge });
  });

  it('never moves the tag when read-only', async () => {
    const { repo } = await seed('readonly-tag', false);
    const m = await mirrorOf({ url: repo.fileUrl, readonly: true });

    await expect(createGitSyncState(m).update(await m.head())).rejects.toBeInstanceOf(ReadOnlyError);

    const tags = await run('git', ['--git-dir', repo.path, 'tag', '--list']);
    expect(tags.stdout).toBe('');
  });
});
