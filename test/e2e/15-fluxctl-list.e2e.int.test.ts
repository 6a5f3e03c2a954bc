// Flux v1's test/e2e/15_fluxctl_list.bats against our fluxd: `list-workloads` and `list-images`
// byte for byte (flux-v1.md §2.2), on the repository and images of the release test.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fluxctlFor } from '../support/fluxctl.ts';
import {
  type FluxdEnv,
  type RunningFluxd,
  registryImages,
  settleReleaseScenario,
  startReleaseScenario,
} from './support/scenario.ts';

const kubeInfo = inject('kube');

/** One line as Go's tabwriter lays it out: every cell but the last padded to its column's width. */
function row(widths: readonly number[], cells: readonly string[]): string {
  return `${cells.map((c, i) => (i < cells.length - 1 ? c.padEnd(widths[i] as number) : c)).join('')}\n`;
}

describe('15 fluxctl list-workloads and list-images', { timeout: 150_000 }, () => {
  let env: FluxdEnv;
  let fluxd: RunningFluxd;
  let ns: string;
  let reg: string;

  beforeAll(async () => {
    ({ env, fluxd } = await startReleaseScenario(kubeInfo));
    ns = env.namespace;
    reg = env.registry.host;
  }, 180_000);

  afterAll(async () => {
    await fluxd?.stop();
    await env?.close();
  });

  it('lists workloads and images as Flux v1 does', async () => {
    const fluxctl = fluxctlFor(fluxd.url);
    await settleReleaseScenario(env, fluxd, fluxctl);
    const { podinfo, ghost } = registryImages(env);

    // Flux v1's expectation with our names: the registry's host:port in front of podinfo and
    // ghost, and the namespace of this file.
    const workloads = await fluxctl('list-workloads', '--namespace', ns);
    const w = [`${ns}:helmrelease/mongodb`.length + 2, 13, `${ghost}:3.1.1-debian-9-r0`.length + 2, 9];
    expect(workloads).toEqual({
      code: 0,
      stderr: '',
      stdout:
        row(w, ['WORKLOAD', 'CONTAINER', 'IMAGE', 'RELEASE', 'POLICY']) +
        row(w, [`${ns}:deployment/podinfo`, 'podinfod', `${podinfo}:3.1.0`, 'ready', 'automated,locked']) +
        row(w, ['', 'init', 'alpine:3.10.1', '', '']) +
        row(w, [`${ns}:helmrelease/ghost`, 'chart-image', `${ghost}:3.1.1-debian-9-r0`, '', '']) +
        row(w, [`${ns}:helmrelease/mongodb`, 'chart-image', 'bitnami/mongodb:4.0.13', '', '']) +
        row(w, [`${ns}:helmrelease/redis`, 'chart-image', 'bitnami/redis:5.0.7', '', 'automated,locked']),
    });
    // The literal layout for this file's name lengths, as `cat -vet` showed it in the bats test.
    expect(workloads.stdout.split('\n')[0]).toBe(
      `WORKLOAD${' '.repeat(ns.length + 14)}CONTAINER    IMAGE${' '.repeat(reg.length + 29)}RELEASE  POLICY`,
    );

    // podinfod has a semver:~3.1 filter (semver order); ghost's glob lists newest first. Where Flux
    // v1 printed a blank IMAGE and `'-> (untagged)` for images it had not scanned (alpine, mongodb,
    // redis), we print the name and tag from the manifest (decisions.md 16).
    const images = await fluxctl('list-images', '--namespace', ns);
    const v = [w[0] as number, 13, `${podinfo}`.length + 2];
    expect(images).toEqual({
      code: 0,
      stderr: '',
      stdout:
        row(v, ['WORKLOAD', 'CONTAINER', 'IMAGE', 'CREATED']) +
        row(v, [`${ns}:deployment/podinfo`, 'podinfod', podinfo, '']) +
        row(v, ['', '', "'-> 3.1.0", '20 Mar 20 13:53 UTC']) +
        row(v, ['', '', '    3.0.5', '20 Apr 20 13:53 UTC']) +
        row(v, ['', 'init', 'alpine', 'image data not available']) +
        row(v, ['', '', "'-> 3.10.1", '?']) +
        row(v, [`${ns}:helmrelease/ghost`, 'chart-image', ghost, '']) +
        row(v, ['', '', "'-> 3.1.1-debian-9-r0", '20 Feb 20 13:53 UTC']) +
        row(v, ['', '', '    3.0.2-debian-9-r3', '20 Jan 20 13:53 UTC']) +
        row(v, [`${ns}:helmrelease/mongodb`, 'chart-image', 'bitnami/mongodb', 'image data not available']) +
        row(v, ['', '', "'-> 4.0.13", '?']) +
        row(v, [`${ns}:helmrelease/redis`, 'chart-image', 'bitnami/redis', 'image data not available']) +
        row(v, ['', '', "'-> 5.0.7", '?']),
    });
  });
});
