import { readdir } from 'node:fs/promises';
import {
  eventually,
  type FluxdEnv,
  type RunningFluxd,
  startFluxd,
  startFluxdEnv,
} from '@flux-ts/daemon/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  commitSubjects,
  deployment,
  healthy,
  logLines,
  namespaceYaml,
  upstreamIntegrity,
  waitConverged,
} from './support/faults.ts';
import { type FullableDir, fullableDir } from './support/full-disk.ts';

const kubeInfo = inject('kube');

async function countFiles(dir: string): Promise<number> {
  let n = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (e.isFile() && e.name.endsWith('.json')) n++;
  }
  return n;
}

describe('fault: the file-backed image cache cannot write (disk full)', { timeout: 90_000 }, () => {
  let env: FluxdEnv;
  let fluxd: RunningFluxd;
  let disk: FullableDir;
  let image: string;

  const newTag = async (tag: string, created: string): Promise<void> => {
    await env.registry.pushImage({ repo: 'team/app', tag, created });
    const res = await fluxd.api('/v11/notify', {
      method: 'POST',
      body: JSON.stringify({
        Kind: 'image',
        Source: { Name: { Domain: env.registry.host, Image: 'team/app' } },
      }),
    });
    expect(res.status).toBe(202);
  };

  beforeAll(async () => {
    if (!kubeInfo) throw new Error('this test needs the kube-apiserver (run without FLUX_TS_UNIT=1)');
    env = await startFluxdEnv(kubeInfo, {});
    disk = await fullableDir(env.tmp.path);
    image = `${env.registry.host}/team/app`;
    await env.registry.pushImage({ repo: 'team/app', tag: '1.0.0', created: '2024-01-01T00:00:00Z' });
    await env.user.write('ns.yaml', namespaceYaml(env.namespace));
    await env.user.write('app.yaml', deployment(env.namespace, 'app', `${image}:1.0.0`, true));
    await env.user.commitAndPush('Add app');
    fluxd = await startFluxd(
      env,
      [
        `--k8s-allow-namespace=${env.namespace}`,
        '--memcached-hostname=does-not-resolve.invalid',
        '--automation-interval=2s',
      ],
      'fluxd',
      { env: { FLUXD_CACHE_DIR: disk.path } },
    );
  }, 180_000);

  afterAll(async () => {
    await fluxd?.stop();
    await disk?.close();
    await env?.close();
  });

  it('stays up while the cache cannot write, and says so once', async () => {
    expect(await logLines(fluxd, 'image metadata cache: files')).toHaveLength(1);
    await waitConverged(env, fluxd, [{ file: 'app.yaml', name: 'app' }]);
    await eventually(
      'the first scan to be cached',
      async () =>
        (await logLines(fluxd, 'refreshed image repository')).length > 0 && (await countFiles(disk.path)) > 0,
      { fluxd },
    );
    const scansBefore = (await logLines(fluxd, 'refreshed image repository')).length;

    await disk.fill();
    await newTag('1.1.0', '2024-02-01T00:00:00Z');
    await eventually(
      'three scans after the disk filled up',
      async () => (await logLines(fluxd, 'refreshed image repository')).length >= scansBefore + 3,
      { fluxd },
    );
    expect(await healthy(fluxd)).toBe(true);
    const failing = await logLines(fluxd, 'cannot write the image metadata cache');
    expect(failing, 'one warning for the whole outage, not one per write').toHaveLength(1);
    expect(failing[0]).toMatchObject({ level: 'warn', cache: 'file', dir: disk.path });
    expect(String(failing[0]?.error)).toMatch(disk.how === 'tmpfs' ? /ENOSPC/ : /EACCES/);
  });

  it('still automates from fresh scans while the cache cannot write', async () => {
    // The scans above saw both tags in the registry (`"tags":2` in their log lines) ...
    const scans = await logLines(fluxd, 'refreshed image repository');
    expect(scans.at(-1)).toMatchObject({ repository: image, tags: 2 });
    // ... so the API and the automation must offer 1.1.0 even though the cache could not keep it.
    const available = async (): Promise<string[]> => {
      const res = await fluxd.api(`/v10/images?namespace=${env.namespace}`);
      const images = (await res.json()) as { Containers: { Available?: { ID: string }[] | null }[] }[];
      return (images[0]?.Containers[0]?.Available ?? []).map((a) => a.ID.split(':').at(-1) as string).sort();
    };
    const tags = await eventually(
      '1.1.0 among the available images',
      async () => {
        const t = await available();
        return t.includes('1.1.0') ? t : undefined;
      },
      { timeoutMs: 10_000 },
    ).catch(async () => available());
    expect(tags, 'GET /v10/images while the cache cannot write').toEqual(['1.0.0', '1.1.0']);
    await waitConverged(env, fluxd, [{ file: 'app.yaml', name: 'app', image: `${image}:1.1.0` }], {
      timeoutMs: 20_000,
    });
    expect(await commitSubjects(env)).toEqual(['Add app', `Auto-release ${image}:1.1.0`]);
  });

  it('recovers when the disk is writable again: nothing lost, state converged', async () => {
    const before = await countFiles(disk.path);
    await disk.free();
    await newTag('1.2.0', '2024-03-01T00:00:00Z');
    await waitConverged(env, fluxd, [{ file: 'app.yaml', name: 'app', image: `${image}:1.2.0` }], {
      timeoutMs: 30_000,
    });
    await eventually(
      'the cache to work again',
      async () => (await logLines(fluxd, 'image metadata cache writes work again')).length === 1,
      { fluxd },
    );
    expect(await countFiles(disk.path)).toBeGreaterThan(before);
    expect(await logLines(fluxd, 'cannot write the image metadata cache')).toHaveLength(1);

    const subjects = await commitSubjects(env);
    expect(subjects[0]).toBe('Add app');
    expect(subjects.at(-1)).toBe(`Auto-release ${image}:1.2.0`);
    expect(new Set(subjects).size, 'no commit twice').toBe(subjects.length);
    expect(await upstreamIntegrity(env)).toEqual({ fsck: '', locks: [] });
    expect(await healthy(fluxd)).toBe(true);
  });
});
