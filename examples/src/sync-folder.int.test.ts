import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type KubeApis, kubeApis, makeTempDir, type TempDir } from '@flux-ts/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildExamples, runExample } from './testing/run.ts';

const ns = `ex-sync-${randomBytes(4).toString('hex')}`;
const configMap = (name: string, value: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${ns}\ndata:\n  value: "${value}"\n`;

describe('sync-folder against the real kube-apiserver', () => {
  let dir: TempDir;
  let apis: KubeApis;
  let kubeconfig: string;
  beforeAll(async () => {
    const kube = inject('kube');
    if (!kube) throw new Error('no API server: this is an integration test, run it without FLUX_TS_UNIT=1');
    kubeconfig = kube.kubeconfigPath;
    apis = kubeApis(kubeconfig);
    await buildExamples();
    dir = await makeTempDir('example-sync');
    await writeFile(
      join(dir.path, 'namespace.yaml'),
      `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`,
    );
    await writeFile(join(dir.path, 'a.yaml'), configMap('a', 'one'));
    await writeFile(join(dir.path, 'b.yaml'), configMap('b', 'two'));
  });
  afterAll(async () => {
    await apis?.core.deleteNamespace({ name: ns }).catch(() => undefined);
    await dir?.remove();
  });

  const sync = (...flags: string[]) =>
    runExample('sync-folder', [dir.path, '--kubeconfig', kubeconfig, ...flags]);
  const exists = (name: string) =>
    apis.core.readNamespacedConfigMap({ name, namespace: ns }).then(
      (cm) => cm.data?.value,
      () => undefined,
    );

  it('creates the objects, then leaves unchanged ones alone', async () => {
    const first = await sync();
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout.trimEnd().split('\n')).toEqual([
      `created\t<cluster>:namespace/${ns}`,
      `created\t${ns}:configmap/a`,
      `created\t${ns}:configmap/b`,
    ]);
    expect(await exists('a')).toBe('one');
    expect(await exists('b')).toBe('two');

    const again = await sync();
    expect(again.stdout).toContain(`unchanged\t${ns}:configmap/a`);
  });

  it('--gc-dry-run reports what would be deleted once a file is removed, and deletes nothing', async () => {
    await rm(join(dir.path, 'b.yaml'));
    const { code, stdout } = await sync('--gc-dry-run');
    expect(code).toBe(0);
    expect(stdout).toContain(`unchanged\t${ns}:configmap/a`);
    expect(stdout).toContain(`would delete\t${ns}:configmap/b`);
    expect(stdout).not.toContain('deleted\t');
    expect(await exists('b')).toBe('two');
  });

  it('refuses garbage collection while a manifest does not load', async () => {
    await writeFile(join(dir.path, 'broken.yaml'), 'kind: ConfigMap\nmetadata: [oops\n');
    const { code, stdout, stderr } = await sync('--gc');
    expect(code).toBe(0);
    expect(stderr).toMatch(/^warning: .*broken\.yaml:\d+/m);
    expect(stdout).toMatch(/^garbage collection refused: /m);
    expect(await exists('b')).toBe('two');
    await rm(join(dir.path, 'broken.yaml'));
  });

  it('--gc deletes it', async () => {
    const { code, stdout } = await sync('--gc');
    expect(code).toBe(0);
    expect(stdout).toContain(`deleted\t${ns}:configmap/b`);
    expect(await exists('b')).toBeUndefined();
    expect(await exists('a')).toBe('one');
  });

  it('exits 1 naming the object when the API server rejects one, 2 on bad arguments', async () => {
    await writeFile(join(dir.path, 'bad.yaml'), configMap('Not_A_Valid_Name', 'x'));
    const bad = await sync();
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(new RegExp(`^failed\\t${ns}:configmap/Not_A_Valid_Name\\t.*invalid`, 'm'));
    expect(bad.stderr).toContain('error: 1 resource(s) failed to apply');
    await rm(join(dir.path, 'bad.yaml'));

    const usage = await sync('--gc', '--gc-dry-run');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('usage: sync-folder <dir>');
  });
});
