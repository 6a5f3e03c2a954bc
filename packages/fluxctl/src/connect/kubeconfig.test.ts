import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextNamespace, KubeConfigError, loadKubeConfig } from './kubeconfig.ts';

let dir: string;
let path: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fluxctl-kubeconfig-'));
  path = join(dir, 'config');
  await writeFile(
    path,
    `apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: c1
  cluster: { server: 'https://127.0.0.1:6443' }
- name: c2
  cluster: { server: 'https://10.0.0.1:6443' }
users:
- name: u
  user: { token: secret-token }
contexts:
- name: dev
  context: { cluster: c1, user: u, namespace: team-a }
- name: prod
  context: { cluster: c2, user: u }
`,
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadKubeConfig', () => {
  it('uses the current context by default', () => {
    const kc = loadKubeConfig(path);
    expect(kc.getCurrentContext()).toBe('dev');
    expect(kc.getCurrentCluster()?.server).toBe('https://127.0.0.1:6443');
  });

  it('applies --context', () => {
    const kc = loadKubeConfig(path, 'prod');
    expect(kc.getCurrentContext()).toBe('prod');
    expect(kc.getCurrentCluster()?.server).toBe('https://10.0.0.1:6443');
  });

  it('refuses an unknown context with client-go wording', () => {
    expect(() => loadKubeConfig(path, 'nope')).toThrow(KubeConfigError);
    expect(() => loadKubeConfig(path, 'nope')).toThrow('context was not found for specified context: nope');
  });

  it('reports an unreadable file without its contents', () => {
    let caught: unknown;
    try {
      loadKubeConfig(join(dir, 'missing'));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(KubeConfigError);
    expect((caught as Error).message).toMatch(/^loading kubeconfig .*missing: /);
  });

  it('reads KUBECONFIG when no path is given', () => {
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = path;
    try {
      expect(loadKubeConfig(undefined, 'prod').getCurrentCluster()?.server).toBe('https://10.0.0.1:6443');
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
  });
});

describe('contextNamespace', () => {
  it("is the current context's namespace", () => {
    expect(contextNamespace(path)).toBe('team-a');
  });
  it("is the named context's namespace, or default when it has none", () => {
    expect(contextNamespace(path, 'dev')).toBe('team-a');
    expect(contextNamespace(path, 'prod')).toBe('default');
  });
  it('is default for an unknown context or an unreadable kubeconfig', () => {
    expect(contextNamespace(path, 'nope')).toBe('default');
    expect(contextNamespace(join(dir, 'missing'))).toBe('default');
  });
});
