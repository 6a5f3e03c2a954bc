// Each publishable package packs (pnpm pack) into a tarball that a scratch npm project, outside the
// workspace, installs and imports: no workspace:/catalog: ranges left, dist JavaScript and
// declarations inside, the bins run, the types resolve.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageJson, ROOT, run } from './support.ts';

/** The published packages (testkit, demo, bench and examples are private) and a few of their exports. */
const PACKAGES: Record<string, { exports: string[]; errors: string[] }> = {
  core: { exports: ['FluxError', 'ImageRef'], errors: [] },
  registry: { exports: ['MemoryCacheStore'], errors: ['RateLimitedError'] },
  git: { exports: ['createMirror'], errors: ['GitError'] },
  k8s: { exports: ['createKubeClient'], errors: ['KubeApiError'] },
  daemon: { exports: ['Daemon', 'composeDaemon'], errors: ['NoRepoError'] },
  fluxctl: { exports: ['fluxctlPackageVersion'], errors: ['FluxApiError'] },
};
const NAMES = Object.keys(PACKAGES);

let dir = '';
let tarballs: Record<string, string> = {};
let scratch = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flux-ts-pack-'));
  // The packages' dist (tsc -b is incremental: quick after `pnpm -s build`).
  await run('pnpm', ['exec', 'tsc', '-b', 'packages/daemon', 'packages/fluxctl'], { timeoutMs: 240_000 });
  const dest = join(dir, 'tarballs');
  await mkdir(dest);
  await Promise.all(
    NAMES.map((p) => run('pnpm', ['pack', '--pack-destination', dest], { cwd: join(ROOT, 'packages', p) })),
  );
  const files = await readdir(dest);
  tarballs = Object.fromEntries(
    NAMES.map((p) => {
      const f = `flux-ts-${p}-${packageJson(p).version}.tgz`;
      if (!files.includes(f)) throw new Error(`pnpm pack wrote no ${f} (wrote ${files.join(', ')})`);
      return [p, join(dest, f)];
    }),
  );
}, 300_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function tarList(tgz: string): Promise<string[]> {
  return (await run('tar', ['-tzf', tgz])).stdout.split('\n').filter((l) => l !== '');
}

async function tarRead(tgz: string, path: string): Promise<string> {
  return (await run('tar', ['-xzOf', tgz, `package/${path}`])).stdout;
}

describe('pnpm pack', () => {
  it.each(NAMES)(
    '@flux-ts/%s: dist JavaScript and declarations, README, package.json; nothing else',
    async (p) => {
      const tgz = tarballs[p] ?? '';
      const files = (await tarList(tgz)).map((f) => f.replace(/^package\//, ''));
      for (const f of ['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts'])
        expect(files).toContain(f);
      for (const f of files) {
        expect(f).toMatch(/^(package\.json|README\.md|LICENSE|dist\/.+)$/);
        expect(f).not.toMatch(/\.test\.(js|d\.ts)$/);
      }
      for (const bin of Object.values(packageJson(p).bin ?? {}))
        expect(files).toContain(bin.replace(/^\.\//, ''));
    },
  );

  it.each(NAMES)(
    '@flux-ts/%s: package.json has real version ranges, no workspace: or catalog:',
    async (p) => {
      const text = await tarRead(tarballs[p] ?? '', 'package.json');
      expect(text).not.toMatch(/workspace:|catalog:/);
      const pkg = JSON.parse(text) as {
        name: string;
        version: string;
        private?: boolean;
        dependencies?: Record<string, string>;
      };
      expect(pkg.name).toBe(`@flux-ts/${p}`);
      expect(pkg.private).toBeUndefined();
      for (const [name, range] of Object.entries(pkg.dependencies ?? {})) {
        expect(range, name).toMatch(/^[\^~]?\d+\.\d+\.\d+/);
        if (name.startsWith('@flux-ts/')) expect(range).toBe(`^${packageJson(name.slice(9)).version}`);
      }
    },
  );
});

describe('a scratch npm project installs and uses the tarballs', () => {
  beforeAll(async () => {
    scratch = join(dir, 'scratch');
    await mkdir(scratch);
    const deps = Object.fromEntries(NAMES.map((p) => [`@flux-ts/${p}`, `file:${tarballs[p]}`]));
    // overrides: the packages' ^0.1.0 ranges on each other resolve to these tarballs, not the registry.
    await writeFile(
      join(scratch, 'package.json'),
      JSON.stringify({
        name: 'scratch',
        version: '0.0.0',
        private: true,
        type: 'module',
        dependencies: deps,
        overrides: deps,
      }),
    );
    const started = Date.now();
    await run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--loglevel=error',
        '--cache',
        join(homedir(), '.cache/flux-ts/npm-cache'),
      ],
      { cwd: scratch, timeoutMs: 240_000 },
    );
    // About 11 s with a warm cache; the first run downloads the third-party dependencies.
    expect(Date.now() - started).toBeLessThan(240_000);
  }, 300_000);

  it('installs one copy of each @flux-ts package, none nested', async () => {
    expect((await readdir(join(scratch, 'node_modules/@flux-ts'))).sort()).toEqual([...NAMES].sort());
    const { stdout } = await run(
      'find',
      ['node_modules', '-path', '*/node_modules/*/node_modules/@flux-ts'],
      { cwd: scratch },
    );
    expect(stdout).toBe('');
  });

  it.each(NAMES)('import("@flux-ts/%s") works from plain Node and has its named exports', async (p) => {
    const spec = PACKAGES[p] ?? { exports: [], errors: [] };
    const script = `
      const m = await import('@flux-ts/${p}');
      const core = await import('@flux-ts/core');
      const out = {};
      for (const n of ${JSON.stringify(spec.exports)}) out[n] = typeof m[n];
      for (const n of ${JSON.stringify(spec.errors)}) out[n] = m[n]?.prototype instanceof core.FluxError ? 'FluxError' : typeof m[n];
      console.log(JSON.stringify(out));`;
    const { stdout } = await run('node', ['--input-type=module', '-e', script], { cwd: scratch });
    expect(JSON.parse(stdout)).toEqual({
      ...Object.fromEntries(spec.exports.map((n) => [n, 'function'])),
      // Error classes extend the one @flux-ts/core FluxError: a single core copy is shared.
      ...Object.fromEntries(spec.errors.map((n) => [n, 'FluxError'])),
    });
  });

  it('the private subpaths stay closed (exports map)', async () => {
    const script = `try { await import('@flux-ts/core/internal/x'); console.log('open'); } catch (e) { console.log(e.code); }`;
    const { stdout } = await run('node', ['--input-type=module', '-e', script], { cwd: scratch });
    expect(stdout.trim()).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  it('the fluxd and fluxctl bins run', async () => {
    const bin = join(scratch, 'node_modules/.bin');
    expect((await run(join(bin, 'fluxd'), ['--version'])).stdout.trim()).toBe(packageJson('daemon').version);
    expect((await run(join(bin, 'fluxctl'), ['version'])).stdout.trim()).toBe(packageJson('fluxctl').version);
    expect((await run(join(bin, 'fluxctl'), ['install', '--help'])).stdout).toContain('--git-url');
  });

  it('TypeScript resolves the packages’ declarations (nodenext, strict)', async () => {
    const imports = NAMES.map((p) => {
      const spec = PACKAGES[p] ?? { exports: [], errors: [] };
      return `import { ${[...spec.exports, ...spec.errors].join(', ')} } from '@flux-ts/${p}';`;
    });
    const used = NAMES.flatMap((p) => [...(PACKAGES[p]?.exports ?? []), ...(PACKAGES[p]?.errors ?? [])]);
    await writeFile(
      join(scratch, 'check.ts'),
      `${imports.join('\n')}\nexport const all: unknown[] = [${used.join(', ')}];\nexport const e: typeof FluxError.prototype | undefined = undefined as InstanceType<typeof GitError> | undefined;\n`,
    );
    await writeFile(
      join(scratch, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2023',
          strict: true,
          noEmit: true,
          // Library declarations are checked by their own build; a consumer's usual setting.
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [join(ROOT, 'node_modules/@types')],
        },
        files: ['check.ts'],
      }),
    );
    await run(join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: scratch });
    // And a type error is caught (the check is live).
    await writeFile(
      join(scratch, 'check.ts'),
      `import { ImageRef } from '@flux-ts/core';\nexport const n: number = ImageRef;\n`,
    );
    const failed = await run(join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], {
      cwd: scratch,
    }).then(
      () => '',
      (e: Error) => e.message,
    );
    expect(failed).toMatch(/TS2322/);
  });
});
