// Flux v1 e2e 17_fluxctl_policies.bats: fluxctl's policy commands write the Flux v1 annotations
// into git, one commit each.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  eventually,
  type FluxctlResult,
  type FluxdEnv,
  fluxctlOf,
  getObject,
  namespaceYaml,
  needKube,
  type RunningFluxd,
  startFluxd,
  startFluxdEnv,
} from './support/acceptance.ts';

const kubeInfo = inject('kube');
const fixture = new URL(
  '../../examples/src/testing/fixtures/flux-get-started/workloads__podinfo-dep.yaml',
  import.meta.url,
);

describe('17 fluxctl policies', { timeout: 60_000 }, () => {
  let env: FluxdEnv;
  let fluxd: RunningFluxd;
  let fluxctl: (...args: string[]) => Promise<FluxctlResult>;
  let workload: string;
  let head: string;

  /** Runs fluxctl, expects success, and returns podinfo-dep.yaml as pushed. */
  async function policy(...args: string[]): Promise<string> {
    const out = await fluxctl(...args, `--workload=${workload}`);
    expect(out, out.stderr).toMatchObject({ code: 0 });
    const after = await env.user.pull();
    expect(after).not.toBe(head);
    expect(out.stderr).toBe(`Commit pushed:\t${after.slice(0, 7)}\n`);
    head = after;
    return env.user.read('workloads/podinfo-dep.yaml');
  }

  beforeAll(async () => {
    env = await startFluxdEnv(needKube(kubeInfo), {});
    const ns = env.namespace;
    workload = `${ns}:deployment/podinfo`;
    const podinfo = (await readFile(fixture, 'utf8')).replace('namespace: demo', `namespace: ${ns}`);
    await env.user.write('namespaces/demo-ns.yaml', namespaceYaml(ns));
    await env.user.write('workloads/podinfo-dep.yaml', podinfo);
    head = await env.user.commitAndPush('flux-get-started podinfo');
    // As upstream's e2e: no registry scanning, policies are git edits only.
    fluxd = await startFluxd(
      env,
      [`--k8s-allow-namespace=${env.namespace}`, '--registry-disable-scanning', '--git-label=flux'],
      'policies',
    );
    fluxctl = fluxctlOf(env, fluxd);
    await eventually(
      'podinfo synced',
      () => getObject(env.kube, `/apis/apps/v1/namespaces/${ns}/deployments/podinfo`),
      { fluxd },
    );
  }, 120_000);

  afterAll(async () => {
    await fluxd?.stop();
    await env?.close();
  });

  it('starts from the flux-get-started annotations', async () => {
    const text = await env.user.read('workloads/podinfo-dep.yaml');
    expect(text).toContain('    fluxcd.io/automated: "true"\n');
    expect(text).not.toContain('fluxcd.io/locked');
    expect(text).toContain('    fluxcd.io/tag.podinfod: semver:~3.1\n');
  });

  it('deautomate / automate', async () => {
    expect(await policy('deautomate')).not.toContain('fluxcd.io/automated');
    expect(await policy('automate')).toContain("    fluxcd.io/automated: 'true'\n");
    expect(await env.user.git('log', '-1', '--format=%B')).toBe(`Automated: ${workload}\n\n`);
  });

  it('policy --deautomate / --automate', async () => {
    expect(await policy('policy', '--deautomate')).not.toContain('fluxcd.io/automated');
    expect(await policy('policy', '--automate')).toContain("    fluxcd.io/automated: 'true'\n");
  });

  it('lock / unlock', async () => {
    expect(await policy('lock')).toContain("    fluxcd.io/locked: 'true'\n");
    expect(await policy('unlock')).not.toContain('fluxcd.io/locked');
  });

  it('policy --lock / --unlock', async () => {
    expect(await policy('policy', '--lock')).toContain("    fluxcd.io/locked: 'true'\n");
    expect(await policy('policy', '--unlock')).not.toContain('fluxcd.io/locked');
  });

  it("policy --tag='podinfod=3.5.*' writes a glob filter", async () => {
    const text = await policy('policy', '--tag=podinfod=3.5.*');
    expect(text).toContain('    fluxcd.io/tag.podinfod: glob:3.5.*\n');
    expect(text).not.toContain('semver:~3.1');
    // Only the annotations changed: the rest of the file is the fixture's bytes.
    const original = (await readFile(fixture, 'utf8')).replace(
      'namespace: demo',
      `namespace: ${env.namespace}`,
    );
    const strip = (t: string): string =>
      t
        .split('\n')
        .filter((l) => !l.includes('fluxcd.io/'))
        .join('\n');
    expect(strip(text)).toBe(strip(original));
    const list = await fluxctl('list-workloads', '-n', env.namespace);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(
      /deployment\/podinfo\s+podinfod\s+stefanprodan\/podinfo:3\.1\.0\s+(\S+\s+)?automated\n/,
    );
  });
});
