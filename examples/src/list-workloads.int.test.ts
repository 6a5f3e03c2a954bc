import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@flux-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExamples, fixtures, runExample } from './testing/run.ts';

const corpus = fixtures('flux-get-started');

describe('list-workloads', () => {
  let dir: TempDir;
  beforeAll(async () => {
    await buildExamples();
    dir = await makeTempDir('example-list');
    for (const f of ['workloads__podinfo-dep.yaml', 'releases__redis.yaml', 'namespaces__demo.yaml'])
      await copyFile(join(corpus, f), join(dir.path, f));
  });
  afterAll(() => dir?.remove());

  it('lists each container with its image, tag filter and policies', async () => {
    const { code, stdout, stderr } = await runExample('list-workloads', [dir.path]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.trimEnd().split('\n')).toEqual([
      'demo:helmrelease/redis\tchart-image\tbitnami/redis:5.0.7\tsemver:~5.0\tautomated,locked',
      'demo:deployment/podinfo\tpodinfod\tstefanprodan/podinfo:3.1.0\tsemver:~3.1\tautomated',
      'demo:deployment/podinfo\tinit\talpine:3.10.1\tregexp:^3.10.*\tautomated',
    ]);
  });

  it('reports a file that does not parse with file:line and still lists the rest', async () => {
    await writeFile(join(dir.path, 'broken.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: [oops\n');
    const { code, stdout, stderr } = await runExample('list-workloads', [dir.path]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/^warning: .*broken\.yaml:\d+/m);
    expect(stdout).toContain('demo:deployment/podinfo\tpodinfod');
  });

  it('prints the usage line and exits 2 on bad arguments', async () => {
    const { code, stderr } = await runExample('list-workloads', []);
    expect(code).toBe(2);
    expect(stderr).toContain('usage: list-workloads <dir>');
  });

  it('exits 1 with a clear message when the directory cannot be read', async () => {
    const { code, stderr } = await runExample('list-workloads', [join(dir.path, 'missing')]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: unable to read manifests in .*missing/m);
    expect(stderr).toMatch(/^hint: /m);
  });
});
