import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { syncStateStoreConformance } from '@flux-ts/core/testing';
import { createGitServer, makeTempDir, type TempDir, type TestGitServer } from '@flux-ts/testkit';
import { afterAll, beforeAll } from 'vitest';
import { createMirror, type Mirror } from './mirror.ts';
import { createGitSyncState } from './sync-tag.ts';

const run = promisify(execFile);
let server: TestGitServer;
let work: TempDir;
const mirrors: Mirror[] = [];
let count = 0;

beforeAll(async () => {
  server = await createGitServer();
  work = await makeTempDir('flux-ts-git-conformance');
});
afterAll(async () => {
  for (const m of mirrors) await m.close();
  await server?.stop();
  await work?.remove();
});

// The sync tag over ssh, on a fresh repository with two commits per test.
syncStateStoreConformance('git sync tag over ssh', async () => {
  count++;
  const repo = await server.createRepo(`conformance-${count}`);
  const wc = join(work.path, `wc-${count}`);
  const env = {
    ...server.env,
    GIT_AUTHOR_NAME: 's',
    GIT_AUTHOR_EMAIL: 's@x',
    GIT_COMMITTER_NAME: 's',
    GIT_COMMITTER_EMAIL: 's@x',
  };
  const git = async (...args: string[]): Promise<string> =>
    (await run('git', args, { cwd: wc, env })).stdout.trim();
  await run('git', ['init', '-q', '-b', 'main', wc]);
  const revisions: string[] = [];
  for (const n of [1, 2]) {
    await writeFile(join(wc, `f${n}.yaml`), `n: ${n}\n`);
    await git('add', '-A');
    await git('commit', '-q', '-m', `c${n}`);
    revisions.push(await git('rev-parse', 'HEAD'));
  }
  await git('push', '-q', repo.fileUrl, 'HEAD:refs/heads/main');
  const mirror = createMirror({
    url: repo.sshUrl,
    branch: 'main',
    sshCommand: server.sshCommand,
    workDir: work.path,
  });
  mirrors.push(mirror);
  await mirror.refresh();
  return { store: createGitSyncState(mirror), revisions: [revisions[0] as string, revisions[1] as string] };
});
