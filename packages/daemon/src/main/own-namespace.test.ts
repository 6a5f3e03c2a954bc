import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeClient } from '@flux-ts/k8s';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultFluxdConfig } from '../flags/parse-args.ts';
import { ownNamespace } from './compose.ts';

const kubeIn = (contextNamespace: string): KubeClient => ({ contextNamespace }) as KubeClient;

describe('ownNamespace: where fluxd keeps its deploy-key Secret', () => {
  let dir: string;
  let saFile: string;
  const missing = '/nonexistent/serviceaccount/namespace';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'own-ns-'));
    saFile = join(dir, 'namespace');
    await writeFile(saFile, 'flux\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('takes --k8s-namespace first', async () => {
    const config = { ...defaultFluxdConfig(), k8sNamespace: 'flux-system' };
    expect(await ownNamespace(config, kubeIn('other'), saFile)).toBe('flux-system');
  });
  it("takes the pod's service account namespace next", async () => {
    expect(await ownNamespace(defaultFluxdConfig(), kubeIn('other'), saFile)).toBe('flux');
  });
  it("outside a pod, takes the kubeconfig context's namespace, as kubectl does", async () => {
    expect(await ownNamespace(defaultFluxdConfig(), kubeIn('team-a'), missing)).toBe('team-a');
  });
  it('falls back to default', async () => {
    expect(await ownNamespace(defaultFluxdConfig(), undefined, missing)).toBe('default');
  });
});
