import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@flux-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExamples, fixtures, runExample } from './testing/run.ts';

const corpus = fixtures('flux-get-started');
const files = ['workloads__podinfo-dep.yaml', 'releases__redis.yaml', 'releases__ghost.yaml'] as const;

describe('plan-release', () => {
  let dir: TempDir;
  const original = new Map<string, string>();
  beforeAll(async () => {
    await buildExamples();
    dir = await makeTempDir('example-plan');
    for (const f of files) {
      await copyFile(join(corpus, f), join(dir.path, f));
      original.set(f, await readFile(join(corpus, f), 'utf8'));
    }
  });
  afterAll(() => dir?.remove());

  const unchanged = async () => {
    for (const f of files) expect(await readFile(join(dir.path, f), 'utf8')).toBe(original.get(f));
  };

  it('prints every workload with its status and reason, and writes nothing', async () => {
    const { code, stdout, stderr } = await runExample('plan-release', [dir.path, 'bitnami/redis:5.0.8']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        'demo:deployment/podinfo\tignored\ta different image',
        'demo:helmrelease/ghost\tignored\ta different image',
        'demo:helmrelease/redis\tskipped\tlocked',
        '',
      ].join('\n'),
    );
    await unchanged();
  });

  it('releases a locked workload when it is named and forced', async () => {
    const { code, stdout } = await runExample('plan-release', [
      dir.path,
      'bitnami/redis:5.0.8',
      '--workload',
      'demo:helmrelease/redis',
      '--force',
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain(
      'demo:helmrelease/redis\tsuccess\tchart-image: bitnami/redis:5.0.7 -> bitnami/redis:5.0.8',
    );
    expect(stdout).toContain('demo:deployment/podinfo\tignored\tnot included');
    await unchanged();
  });

  it('honours --exclude', async () => {
    const { stdout } = await runExample('plan-release', [
      dir.path,
      'stefanprodan/podinfo:3.2.0',
      '--exclude',
      'demo:deployment/podinfo',
    ]);
    expect(stdout).toContain('demo:deployment/podinfo\tignored\texcluded');
  });

  it('with --execute, writes the planned tags byte-exactly', async () => {
    const { code, stdout } = await runExample('plan-release', [
      dir.path,
      'stefanprodan/podinfo:3.2.0',
      '--execute',
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain(
      'demo:deployment/podinfo\tsuccess\tpodinfod: stefanprodan/podinfo:3.1.0 -> stefanprodan/podinfo:3.2.0',
    );
    expect(stdout).toContain('wrote 1 workload(s)');
    expect(await readFile(join(dir.path, 'workloads__podinfo-dep.yaml'), 'utf8')).toBe(
      original.get('workloads__podinfo-dep.yaml')?.replace('podinfo:3.1.0', 'podinfo:3.2.0'),
    );
    expect(await readFile(join(dir.path, 'releases__redis.yaml'), 'utf8')).toBe(
      original.get('releases__redis.yaml'),
    );
  });

  it('exits 2 with the usage line on bad arguments', async () => {
    const { code, stderr } = await runExample('plan-release', [dir.path]);
    expect(code).toBe(2);
    expect(stderr).toContain('usage: plan-release <dir> <image:tag>');
  });
});
