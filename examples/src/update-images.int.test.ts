import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@flux-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExamples, fixtures, runExample } from './testing/run.ts';

const corpus = fixtures('flux-get-started');
const files = ['workloads__podinfo-dep.yaml', 'releases__redis.yaml', 'releases__ghost.yaml'] as const;

// Inline, with what a YAML round trip would lose: CRLF line endings, comments, quotes, flow style.
const crlf = [
  '# the api',
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata: {name: api, namespace: demo}',
  'spec:',
  '  template:',
  '    spec:',
  '      containers:',
  '        - name: api',
  "          image: 'stefanprodan/podinfo:3.1.0'   # pinned",
  '',
].join('\r\n');

describe('update-images', () => {
  let dir: TempDir;
  const original = new Map<string, string>();
  beforeAll(async () => {
    await buildExamples();
    dir = await makeTempDir('example-update');
    for (const f of files) {
      await copyFile(join(corpus, f), join(dir.path, f));
      original.set(f, await readFile(join(corpus, f), 'utf8'));
    }
    await writeFile(join(dir.path, 'api.yaml'), crlf);
  });
  afterAll(() => dir?.remove());

  const read = (f: string) => readFile(join(dir.path, f), 'utf8');

  it('changes only the tag bytes of every container of the given repositories', async () => {
    const { code, stdout, stderr } = await runExample('update-images', [
      dir.path,
      'docker.io/stefanprodan/podinfo:3.2.0',
      'bitnami/redis:5.0.8',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(
      'workloads__podinfo-dep.yaml: demo:deployment/podinfo podinfod: stefanprodan/podinfo:3.1.0 -> stefanprodan/podinfo:3.2.0',
    );
    expect(stdout).toContain(
      'api.yaml: demo:deployment/api api: stefanprodan/podinfo:3.1.0 -> stefanprodan/podinfo:3.2.0',
    );
    expect(stdout).toContain(
      'releases__redis.yaml: demo:helmrelease/redis chart-image: bitnami/redis:5.0.7 -> bitnami/redis:5.0.8',
    );
    expect(stdout).toContain('3 container(s) updated in 3 file(s)');

    // Byte for byte: the manifest's own spelling of the repository, only the tag changed.
    expect(await read('workloads__podinfo-dep.yaml')).toBe(
      original.get('workloads__podinfo-dep.yaml')?.replace('podinfo:3.1.0', 'podinfo:3.2.0'),
    );
    expect(await read('releases__redis.yaml')).toBe(
      original.get('releases__redis.yaml')?.replace('tag: 5.0.7', 'tag: 5.0.8'),
    );
    expect(await read('api.yaml')).toBe(crlf.replace('podinfo:3.1.0', 'podinfo:3.2.0'));
    expect(await read('releases__ghost.yaml')).toBe(original.get('releases__ghost.yaml'));
  });

  it('leaves the files alone when the tags are already current', async () => {
    const { code, stdout } = await runExample('update-images', [dir.path, 'stefanprodan/podinfo:3.2.0']);
    expect(code).toBe(0);
    expect(stdout).toBe('0 container(s) updated in 0 file(s)\n');
  });

  it('exits 2 with the usage line for an image without a tag, 1 for an invalid image', async () => {
    const noTag = await runExample('update-images', [dir.path, 'bitnami/redis']);
    expect(noTag.code).toBe(2);
    expect(noTag.stderr).toContain('error: bitnami/redis: give the tag to set, e.g. bitnami/redis:1.2.3');
    expect(noTag.stderr).toContain('usage: update-images <dir> <image:tag>...');

    const bad = await runExample('update-images', [dir.path, 'foo/:1']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: invalid image reference "foo\/:1"/m);
    expect(bad.stderr).toMatch(/^hint: /m);
  });
});
