// Side-by-side: making a working clone of a 5,000-file repository with @flux-ts/git (a pooled
// working tree moved to the revision) and with a plain `git clone` of the same mirror, in one run;
// and what an unchanged-remote poll costs.
import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createMirror } from '@flux-ts/git';
import { makeTempDir } from '@flux-ts/testkit';
import { report } from '../report.mjs';

const run = promisify(execFile);
const FILES = Number(process.env.FILES ?? 5000);
const ROUNDS = Number(process.env.ROUNDS ?? 10);
const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 'b',
  GIT_AUTHOR_EMAIL: 'b@x',
  GIT_COMMITTER_NAME: 'b',
  GIT_COMMITTER_EMAIL: 'b@x',
};
const git = (cwd, ...args) => run('git', args, { cwd, env, maxBuffer: 1 << 26 });

const dir = await makeTempDir('flux-ts-bench-git');
try {
  const upstream = join(dir.path, 'upstream.git');
  const seed = join(dir.path, 'seed');
  await git(dir.path, 'init', '-q', '--bare', '-b', 'main', upstream);
  await git(dir.path, 'init', '-q', '-b', 'main', seed);
  for (let i = 0; i < FILES; i++) {
    const d = join(seed, `apps/team-${i % 50}`);
    if (i < 50) await mkdir(d, { recursive: true });
    await writeFile(
      join(d, `app-${i}.yaml`),
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${i}\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: example/app-${i}:1.0.${i % 7}\n`,
    );
  }
  await git(seed, 'add', '-A');
  await git(seed, 'commit', '-q', '-m', 'seed');
  await git(seed, 'push', '-q', upstream, 'HEAD:main');

  const mirror = createMirror({
    url: `file://${upstream}`,
    branch: 'main',
    workDir: dir.path,
    readonly: true,
  });
  await mirror.refresh();

  // Each round a new commit lands upstream (one file changes), as between two syncs.
  let n = 0;
  const change = async () => {
    n++;
    await writeFile(
      join(seed, 'apps/team-0/app-0.yaml'),
      `kind: Deployment\nmetadata:\n  name: app-0\n# change ${n}\n`,
    );
    await git(seed, 'commit', '-q', '-am', `change ${n}`);
    await git(seed, 'push', '-q', upstream, 'HEAD:main');
    await mirror.refresh();
  };
  const time = async (fn) => {
    const t0 = performance.now();
    await fn();
    return performance.now() - t0;
  };

  let ours = 0;
  let plain = 0;
  // Warm up both (the first working clone fills the pool).
  const warm = await mirror.clone();
  await warm.clean();
  for (let r = 0; r < ROUNDS; r++) {
    await change();
    ours += await time(async () => {
      const checkout = await mirror.clone();
      await checkout.clean();
    });
    plain += await time(async () => {
      const target = join(dir.path, `plain-${r}`);
      await git(dir.path, 'clone', '-q', mirror.dir(), target);
      await rm(target, { recursive: true, force: true });
    });
  }
  const pollTimes = [];
  for (let i = 0; i < 5; i++) pollTimes.push(await time(() => mirror.refresh()));
  await mirror.close();

  console.log(`git: ${FILES} manifest files, ${ROUNDS} rounds (a new upstream commit before each)`);
  console.log('| operation | ms per round |');
  console.log('| --- | ---: |');
  console.log(`| @flux-ts/git working clone (pooled tree) + clean | ${(ours / ROUNDS).toFixed(0)} |`);
  console.log(`| plain git clone of the mirror + rm | ${(plain / ROUNDS).toFixed(0)} |`);
  console.log(`| unchanged-remote poll (median of 5) | ${pollTimes.sort((a, b) => a - b)[2].toFixed(0)} |`);
  console.log(`ratio: working clone = ${(ours / plain).toFixed(2)}x a plain clone (goal <= 0.3x)`);
  await report('git', [
    {
      figure: `working clone + clean, ms per round (${FILES} files)`,
      ours: ours / ROUNDS,
      baseline: plain / ROUNDS,
      unit: 'ms',
      on: 'ratio',
      op: '<=',
      goal: 0.3,
    },
  ]);
} finally {
  await dir.remove();
}
