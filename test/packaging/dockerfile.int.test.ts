// The fluxd image's Dockerfile, checked without a Docker engine: BuildKit's own linter (the rules
// `docker build --check` runs, through tools/dockerfile-lint), the image policy on BuildKit's parse
// of the file, the build context .dockerignore lets through, and the build stage's commands run
// for real on that context.
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageJson, ROOT, run, setupVariable } from './support.ts';

interface OutlineCommand {
  name: string;
  original: string;
  line: number;
  args?: string[];
  shell: boolean;
  flags?: string[];
}
interface OutlineStage {
  name: string;
  base: string;
  commands: OutlineCommand[];
}
interface Outline {
  globalArgs: string[];
  stages: OutlineStage[];
}
interface LintResults {
  warnings: { ruleName: string; detail: string }[] | null;
  buildError?: { message: string };
}

let lint = '';
let outline: Outline;
let dir = '';

beforeAll(async () => {
  // Builds once (about half a minute cold) and caches under ~/.cache/flux-ts/dockerfile-lint.
  const { stdout } = await run(`${ROOT}tools/dockerfile-lint/build`, [], { timeoutMs: 300_000 });
  lint = stdout.trim().split('\n').pop() ?? '';
  outline = JSON.parse((await run(lint, ['-outline', 'Dockerfile'])).stdout) as Outline;
  dir = await mkdtemp(join(tmpdir(), 'flux-ts-dockerfile-'));
}, 300_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function stage(name: string): OutlineStage {
  const s = outline.stages.find((st) => st.name === name);
  if (!s) throw new Error(`no stage ${name}`);
  return s;
}

function final(): OutlineStage {
  const s = outline.stages.at(-1);
  if (!s) throw new Error('no stages');
  return s;
}

function commands(s: OutlineStage, name: string): OutlineCommand[] {
  return s.commands.filter((c) => c.name === name);
}

function argDefault(s: OutlineStage, name: string): string | undefined {
  const c = commands(s, 'ARG').find((a) => a.original.startsWith(`ARG ${name}=`));
  return c?.original.slice(`ARG ${name}=`.length);
}

describe('Dockerfile lint (BuildKit rules, as docker build --check)', () => {
  it('has no findings', async () => {
    const { stdout } = await run(lint, ['-json', 'Dockerfile']);
    const results = JSON.parse(stdout) as LintResults;
    expect(results.buildError).toBeUndefined();
    expect(results.warnings ?? []).toEqual([]);
    // And the human form says so, as `docker build --check` does.
    expect((await run(lint, ['Dockerfile'])).stdout).toContain('Check complete, no warnings found.');
  });

  it('does report findings (the linter is live, not a no-op)', async () => {
    const bad = join(dir, 'Dockerfile.bad');
    await writeFile(bad, 'FROM node:20-slim as base\nENV A 1\nENV X=$NOPE\nCMD fluxd\n');
    // Exit status 1 on findings, as `docker build --check`.
    const { stdout } = await run('sh', ['-c', '"$0" -json "$1"; echo "exit=$?"', lint, bad]);
    expect(stdout.trim().split('\n').pop()).toBe('exit=1');
    const json = stdout.slice(0, stdout.lastIndexOf('exit='));
    const rules = ((JSON.parse(json) as LintResults).warnings ?? []).map((w) => w.ruleName).sort();
    expect(rules).toEqual(['FromAsCasing', 'JSONArgsRecommended', 'LegacyKeyValueFormat', 'UndefinedVar']);
  });
});

describe('Dockerfile policy', () => {
  it('builds on Node 20 slim and runs on Node 20 slim', () => {
    const nodeSlim = /^node:20(\.\d+){0,2}-(bookworm-)?slim$/;
    expect(stage('build').base).toMatch(nodeSlim);
    expect(final().base).toMatch(nodeSlim);
    expect(final().name).toBe('');
  });

  it('installs git, openssh-client, gnupg and git-secret (and tini, ca-certificates) from apt', () => {
    const apt = commands(final(), 'RUN').find((c) => c.original.includes('apt-get install'));
    const words = (apt?.args ?? []).join(' ').split(/\s+/);
    for (const p of ['git', 'openssh-client', 'gnupg', 'git-secret', 'tini', 'ca-certificates']) {
      expect(words).toContain(p);
    }
    expect(apt?.original).toContain('--no-install-recommends');
    expect(apt?.original).toContain('rm -rf /var/lib/apt/lists/*');
  });

  it('those package names exist in Debian bookworm (the base images’ release)', async () => {
    const { stdout } = await run('apt-cache', [
      'show',
      '--no-all-versions',
      'git',
      'openssh-client',
      'gnupg',
      'git-secret',
      'tini',
      'ca-certificates',
    ]);
    expect(stdout.match(/^Package: .*$/gm)?.sort()).toEqual(
      ['ca-certificates', 'git', 'git-secret', 'gnupg', 'openssh-client', 'tini'].map((p) => `Package: ${p}`),
    );
  });

  it('runs as a numeric non-root user', () => {
    const users = commands(final(), 'USER');
    expect(users).toHaveLength(1);
    const [uid, gid] = (users[0]?.args?.[0] ?? '').split(':');
    expect(uid).toMatch(/^\d+$/);
    expect(Number(uid)).toBeGreaterThan(0);
    expect(gid).toMatch(/^\d+$/);
    // The user exists in /etc/passwd with that UID (ssh refuses to run for a UID without one).
    expect(commands(final(), 'RUN').some((c) => c.original.includes(`useradd --uid ${uid}`))).toBe(true);
  });

  it('has fluxd as its entrypoint (exec form, under tini) and fluxd on PATH is @flux-ts/daemon’s bin', () => {
    const entry = commands(final(), 'ENTRYPOINT');
    expect(entry).toHaveLength(1);
    expect(entry[0]?.shell).toBe(false);
    expect(entry[0]?.args).toEqual(['/usr/bin/tini', '--', 'fluxd']);
    const bin = packageJson('daemon').bin?.fluxd?.replace(/^\.\//, '');
    expect(bin).toBe('dist/bin/fluxd.js');
    const link = commands(final(), 'RUN').find((c) => c.original.includes('/usr/local/bin/fluxd'));
    expect(link?.original).toContain(`chmod 0755 /opt/fluxd/${bin}`);
    expect(link?.original).toContain(`ln -s /opt/fluxd/${bin} /usr/local/bin/fluxd`);
    expect(commands(final(), 'COPY').map((c) => c.original)).toContain('COPY --from=build /out /opt/fluxd');
    expect(commands(final(), 'CMD')).toEqual([]);
  });

  it('exposes the API port and carries OCI labels', () => {
    expect(commands(final(), 'EXPOSE').flatMap((c) => c.args ?? [])).toEqual(['3030']);
    const labels = commands(final(), 'LABEL').flatMap((c) => c.args ?? []);
    for (const key of ['title', 'description', 'source', 'licenses', 'version']) {
      expect(labels.some((l) => l.startsWith(`org.opencontainers.image.${key}=`))).toBe(true);
    }
  });

  it('pins the same sops and pnpm versions as scripts/setup', () => {
    expect(argDefault(stage('sops'), 'SOPS_VERSION')).toBe(setupVariable('SOPS_VERSION'));
    expect(argDefault(stage('build'), 'PNPM_VERSION')).toBe(setupVariable('PNPM_VERSION'));
    expect(commands(final(), 'COPY').map((c) => c.original)).toContain(
      'COPY --from=sops /go/bin/sops /usr/local/bin/sops',
    );
  });

  it('the image version label defaults to @flux-ts/daemon’s version (the tag fluxctl install uses)', () => {
    expect(argDefault(final(), 'VERSION')).toBe(packageJson('daemon').version);
  });
});

describe('Docker build context and build stage', () => {
  let files: string[] = [];
  beforeAll(async () => {
    files = (await run(lint, ['-context-files', ROOT])).stdout.split('\n').filter((f) => f !== '');
  });

  it('.dockerignore keeps the workspace sources and leaves out installs, builds and git', () => {
    for (const f of [
      'package.json',
      'pnpm-lock.yaml',
      'pnpm-workspace.yaml',
      '.npmrc',
      'tsconfig.base.json',
      'packages/daemon/package.json',
      'packages/daemon/src/bin/fluxd.ts',
      'packages/core/src/index.ts',
    ]) {
      expect(files).toContain(f);
    }
    for (const f of files) {
      expect(f).not.toMatch(/(^|\/)(node_modules|dist|\.git)\//);
      expect(f).not.toMatch(/\.tsbuildinfo$/);
    }
  });

  it('the build stage’s commands, run on that context, produce a working fluxd with production dependencies only', async () => {
    const build = stage('build');
    const runs = commands(build, 'RUN');
    const last = runs.at(-1)?.original.replace(/^RUN /, '') ?? '';
    expect(last).toContain('pnpm install --frozen-lockfile --offline');
    expect(last).toContain('/out');
    // The context, as `docker build` would send it.
    const ctx = join(dir, 'context');
    for (const f of files) {
      await cp(join(ROOT, f), join(ctx, f), { preserveTimestamps: true }).catch(
        (e: NodeJS.ErrnoException) => {
          // A file another process removed between the listing and the copy.
          if (e.code !== 'ENOENT') throw e;
        },
      );
    }
    // `pnpm fetch` filled the image's store; here the machine's store (scripts/setup) stands in.
    const out = join(dir, 'out');
    const script = last.replaceAll('/out', out);
    const started = Date.now();
    await run('sh', ['-ec', script], { cwd: ctx, timeoutMs: 240_000 });
    const seconds = (Date.now() - started) / 1000;
    expect(seconds).toBeLessThan(240);
    // tsc writes fluxd.js without the exec bit: the runtime stage chmods it before linking it.
    const version = (await run('node', [join(out, 'dist/bin/fluxd.js'), '--version'])).stdout.trim();
    expect(version).toBe(packageJson('daemon').version);
    const deps = await readdir(join(out, 'node_modules'));
    expect(deps).toContain('@flux-ts');
    expect((await readdir(join(out, 'node_modules/@flux-ts'))).sort()).toEqual([
      'core',
      'git',
      'k8s',
      'registry',
    ]);
    for (const dev of ['typescript', 'vitest', '@types', '@biomejs']) expect(deps).not.toContain(dev);
  }, 300_000);
});
