// Flux v1's test/e2e/14_release_image.bats (lib/release_image.bash) against our fluxd: manual
// releases of a Deployment and a HelmRelease image, locks and automation, `--update-all-images`.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fluxctlFor } from '../support/fluxctl.ts';
import {
  eventually,
  type FluxdEnv,
  getStartedFiles,
  installHelmReleaseCrd,
  pushScenarioImages,
  type RunningFluxd,
  registryImages,
  scanned,
  startFluxd,
  startFluxdEnv,
  syncTagAt,
} from './support/scenario.ts';

const kubeInfo = inject('kube');
const AUTOMATION_INTERVAL_S = 2;

describe('14 release image', { timeout: 240_000 }, () => {
  let env: FluxdEnv;
  let fluxd: RunningFluxd;
  let ns: string;

  beforeAll(async () => {
    if (!kubeInfo) throw new Error('this test needs the kube-apiserver (run without FLUX_TS_UNIT=1)');
    env = await startFluxdEnv(kubeInfo, {});
    ns = env.namespace;
    await installHelmReleaseCrd(env);
    await pushScenarioImages(env);
    const files = getStartedFiles(ns, registryImages(env));
    for (const [path, text] of Object.entries(files)) await env.user.write(path, text);
    await env.user.commitAndPush('Seed flux-get-started');
    // Scanning the test registry only (alpine, mongodb and redis stay Docker Hub names, excluded);
    // a short automation interval (Flux v1's test: 5s).
    fluxd = await startFluxd(env, [
      `--k8s-allow-namespace=${env.namespace}`,
      '--git-label=flux',
      '--registry-exclude-image=index.docker.io/*',
      `--automation-interval=${AUTOMATION_INTERVAL_S}s`,
    ]);
  }, 180_000);

  afterAll(async () => {
    await fluxd?.stop();
    await env?.close();
  });

  it('releases images by hand, respects locks, automates by filter, and updates all images', async () => {
    const fluxctl = async (...args: string[]): Promise<string> => {
      const r = await fluxctlFor(fluxd.url)(...args);
      expect(r, `fluxctl ${args.join(' ')}`).toMatchObject({ code: 0 });
      return r.stdout;
    };
    /** The file at the remote head (`git pull` + `grep` in the bats test). */
    const fileAtHead = async (path: string): Promise<string> => {
      await env.user.pull();
      return env.user.read(path);
    };
    const eventuallyIn = (path: string, text: string): Promise<true> =>
      eventually(`${text} in ${path}`, async () => (await fileAtHead(path)).includes(text) || undefined, {
        fluxd,
        timeoutMs: 60_000,
      });
    const { podinfo, ghost } = registryImages(env);
    const podinfoFile = 'workloads/podinfo-dep.yaml';
    const ghostFile = 'releases/ghost.yaml';

    // Wait for the workloads, make sure a sync has finished, and check the sync tag.
    await eventually(
      'deployment/podinfo',
      async () => (await env.apis.apps.readNamespacedDeployment({ name: 'podinfo', namespace: ns })).metadata,
      { fluxd },
    );
    await fluxctl('sync');
    await syncTagAt(env, await env.user.pull(), fluxd);
    // Wait for the registry scanner (Flux v1: `component=warmer updated=<image>` in the log).
    await scanned(fluxd, ns, podinfo, ['3.1.0', '3.0.5']);
    await scanned(fluxd, ns, ghost, ['3.0.2-debian-9-r3', '3.1.1-debian-9-r0']);

    // Manually release podinfo to 3.0.5 (the newest by date, outside its semver:~3.1 filter).
    await fluxctl('deautomate', `--workload=${ns}:deployment/podinfo`);
    await fluxctl(
      'release',
      '--force',
      `--workload=${ns}:deployment/podinfo`,
      `--update-image=${podinfo}:3.0.5`,
    );
    await eventuallyIn(podinfoFile, `${podinfo}:3.0.5`);

    // Manually release ghost (a HelmRelease: the tag lives in values.image.tag) to 3.0.2-debian-9-r3.
    await fluxctl(
      'release',
      '--force',
      `--workload=${ns}:helmrelease/ghost`,
      `--update-image=${ghost}:3.0.2-debian-9-r3`,
    );
    await eventuallyIn(ghostFile, '3.0.2-debian-9-r3');
    expect(await fileAtHead(ghostFile)).toContain(
      `      repository: ${ghost}\n      tag: 3.0.2-debian-9-r3\n`,
    );

    // Lock and automate ghost: it is not updated although a newer image matches its filter.
    await fluxctl('lock', `--workload=${ns}:helmrelease/ghost`);
    await fluxctl('automate', `--workload=${ns}:helmrelease/ghost`);
    await new Promise((r) => setTimeout(r, (2 * AUTOMATION_INTERVAL_S + 1) * 1000));
    const locked = await fileAtHead(ghostFile);
    expect(locked).toContain('tag: 3.0.2-debian-9-r3\n');
    expect(locked).toContain("fluxcd.io/locked: 'true'\n");

    // Automate podinfo, unlock ghost: both follow their filters (semver:~3.1 and
    // glob:3.1.1-debian-9-*).
    await fluxctl('automate', `--workload=${ns}:deployment/podinfo`);
    await fluxctl('unlock', `--workload=${ns}:helmrelease/ghost`);
    await eventuallyIn(podinfoFile, `${podinfo}:3.1.`);
    await eventuallyIn(ghostFile, '3.1.1-debian-9-r0');
    expect(await fileAtHead(podinfoFile)).toContain(`image: ${podinfo}:3.1.0\n`);

    // Deautomate podinfo, push a newer podinfo matching its filter, and release all images.
    await fluxctl('deautomate', `--workload=${ns}:deployment/podinfo`);
    await env.registry.pushImage({
      repo: 'stefanprodan/podinfo',
      tag: '3.1.5',
      created: '2020-12-20T13:53:05.47178071Z',
    });
    await fluxd.api('/v11/notify', {
      method: 'POST',
      body: JSON.stringify({
        Kind: 'image',
        Source: { Name: { Domain: env.registry.host, Image: 'stefanprodan/podinfo' } },
      }),
    });
    await scanned(fluxd, ns, podinfo, ['3.1.5']);
    await fluxctl('release', '--force', `--workload=${ns}:deployment/podinfo`, '--update-all-images');
    await eventuallyIn(podinfoFile, `${podinfo}:3.1.5`);
    // What was released is what runs.
    await eventually(
      'podinfo 3.1.5 in the cluster',
      async () => {
        const d = await env.apis.apps.readNamespacedDeployment({ name: 'podinfo', namespace: ns });
        return (
          d.spec?.template.spec?.containers.find((c) => c.name === 'podinfod')?.image === `${podinfo}:3.1.5`
        );
      },
      { fluxd },
    );
  });
});
