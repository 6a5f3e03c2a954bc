import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  dockerConfigJson,
  eventually,
  type FluxdEnv,
  type RunningFluxd,
  seedPrivateApp,
  startFluxd,
  startFluxdEnv,
} from '../testing/fluxd-env.ts';

const kubeInfo = inject('kube');

async function availableTags(fluxd: RunningFluxd, id: string): Promise<string[]> {
  const res = await fluxd.api(`/v10/images?containerFields=&namespace=&service=${encodeURIComponent(id)}`);
  const images = (await res.json()) as { Containers: { Available?: { ID: string }[] }[] }[];
  return (images[0]?.Containers[0]?.Available ?? []).map((a) => a.ID.split(':').at(-1) as string).sort();
}

describe('fluxd scans a registry that needs credentials', { timeout: 120_000 }, () => {
  let env: FluxdEnv;
  const started: RunningFluxd[] = [];

  beforeAll(async () => {
    if (!kubeInfo) throw new Error('this test needs the kube-apiserver (run without FLUX_TS_UNIT=1)');
    env = await startFluxdEnv(kubeInfo, {}, { registryAuth: 'basic' });
    await seedPrivateApp(env);
  }, 180_000);

  afterAll(async () => {
    for (const f of started) await f.stop();
    await env?.close();
  });

  it('with --docker-config, and the file-backed cache when memcached does not resolve', async () => {
    const configFile = join(env.tmp.path, 'docker-config.json');
    await writeFile(
      configFile,
      dockerConfigJson(env.registry.host, env.registry.username, env.registry.password),
      {
        mode: 0o600,
      },
    );
    const fluxd = await startFluxd(
      env,
      [
        `--docker-config=${configFile}`,
        '--memcached-hostname=memcached.invalid',
        '--automation-interval=10m',
      ],
      'docker-config',
    );
    started.push(fluxd);
    const id = `${env.namespace}:deployment/app`;
    expect(
      await eventually(
        'the private tags',
        async () => {
          const tags = await availableTags(fluxd, id);
          return tags.length === 2 ? tags : undefined;
        },
        { fluxd },
      ),
    ).toEqual(['1.0.0', '1.1.0']);
    const log = await fluxd.log();
    expect(log).toContain('image metadata cache: files');
    expect(log).not.toContain(env.registry.password);
    await fluxd.stop();
  });

  it("with the image pull secrets of the workloads' namespace", async () => {
    await env.apis.core.createNamespacedSecret({
      namespace: env.namespace,
      body: {
        metadata: { name: 'pull' },
        type: 'kubernetes.io/dockerconfigjson',
        data: {
          '.dockerconfigjson': Buffer.from(
            dockerConfigJson(env.registry.host, env.registry.username, env.registry.password),
          ).toString('base64'),
        },
      },
    });
    const fluxd = await startFluxd(env, ['--automation-interval=10m'], 'pull-secret');
    started.push(fluxd);
    const id = `${env.namespace}:deployment/app`;
    expect(
      await eventually(
        'the private tags',
        async () => {
          const tags = await availableTags(fluxd, id);
          return tags.length === 2 ? tags : undefined;
        },
        { fluxd, timeoutMs: 40_000 },
      ),
    ).toEqual(['1.0.0', '1.1.0']);
    expect(await fluxd.log()).not.toContain(env.registry.password);
  });
});
