// deploy/ is exactly what the built `fluxctl install` writes for the sample repository: regenerate
// it into a temporary directory and compare every file byte for byte.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageJson, ROOT, run } from './support.ts';

// The command deploy/README.md documents.
const INSTALL_ARGS = [
  'install',
  '--git-url',
  'git@github.com:fluxcd/flux-get-started',
  '--git-email',
  'flux@example.com',
  '--namespace',
  'flux',
];

let dir = '';
let stderr = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flux-ts-deploy-'));
  // No kubeconfig: with --namespace given, install needs no cluster.
  const env = { ...process.env, KUBECONFIG: join(dir, 'no-kubeconfig') };
  ({ stderr } = await run(
    'node',
    [`${ROOT}packages/fluxctl/dist/bin/fluxctl.js`, ...INSTALL_ARGS, '-o', dir],
    { env },
  ));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('deploy/', () => {
  it('holds the same manifest files fluxctl install writes', async () => {
    const generated = (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort();
    const checkedIn = (await readdir(`${ROOT}deploy`)).filter((f) => f.endsWith('.yaml')).sort();
    expect(generated).toEqual([
      'flux-account.yaml',
      'flux-deployment.yaml',
      'flux-secret.yaml',
      'memcache-dep.yaml',
      'memcache-svc.yaml',
    ]);
    expect(checkedIn).toEqual(generated);
    expect(stderr).toContain(`writing ${join(dir, 'flux-deployment.yaml')}`);
  });

  it('each file is byte-equal to the regenerated one (see deploy/README.md to regenerate)', async () => {
    for (const f of await readdir(dir)) {
      const generated = await readFile(join(dir, f));
      const checkedIn = await readFile(join(ROOT, 'deploy', f));
      expect(checkedIn.equals(generated), `deploy/${f} differs from fluxctl install's output`).toBe(true);
    }
  });

  it('points at the image the Dockerfile builds, tagged with the package version', async () => {
    const deployment = await readFile(join(ROOT, 'deploy', 'flux-deployment.yaml'), 'utf8');
    expect(deployment).toContain(`image: ghcr.io/flux-ts/fluxd:${packageJson('fluxctl').version}`);
    expect(deployment).toContain('- --git-url=git@github.com:fluxcd/flux-get-started');
    expect(deployment).toContain('namespace: flux');
  });
});
