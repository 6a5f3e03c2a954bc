// Wire compatibility, proven with the original client: Flux v1's own fluxctl 1.25.4 (built from its
// Go source by tools/go-fluxctl/build) against our fluxd, side by side with our fluxctl. Every read
// command prints the same bytes and exits the same way with both clients; every write command of
// the Go client does what it asks in git and prints what ours prints (commit hashes aside).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type FluxdEnv,
  type RunningFluxd,
  registryImages,
  settleReleaseScenario,
  startReleaseScenario,
} from '../e2e/support/scenario.ts';
import { type FluxctlResult, runFluxctl } from '../support/fluxctl.ts';
import { goFluxctlBinary, runGoFluxctl } from '../support/go-fluxctl.ts';

const kubeInfo = inject('kube');

/** The command that undoes a policy command (policy --tag is not undone: it is the last step). */
const UNDO: Record<string, string> = {
  lock: 'unlock',
  unlock: 'lock',
  automate: 'deautomate',
  deautomate: 'automate',
};

/** Commit hashes differ between two runs of a write command: compare the rest. */
function withoutHashes(r: FluxctlResult): FluxctlResult {
  return { ...r, stderr: r.stderr.replace(/\b[0-9a-f]{7,40}\b/g, '<hash>') };
}

describe('Flux v1 fluxctl 1.25.4 against our fluxd', { timeout: 240_000 }, () => {
  let env: FluxdEnv;
  let fluxd: RunningFluxd;
  let ns: string;
  let goBinary: string;
  const go = (...args: string[]) => runGoFluxctl(goBinary, fluxd.url, args, { env: { HOME: env.tmp.path } });
  const ours = (...args: string[]) => runFluxctl(fluxd.url, args, { env: { HOME: env.tmp.path } });

  beforeAll(async () => {
    [goBinary, { env, fluxd }] = await Promise.all([goFluxctlBinary(), startReleaseScenario(kubeInfo)]);
    ns = env.namespace;
    await settleReleaseScenario(env, fluxd, ours);
  }, 300_000);

  afterAll(async () => {
    await fluxd?.stop();
    await env?.close();
  });

  it('read commands: the same bytes and exit codes from both clients', async () => {
    const commands: string[][] = [
      ['list-workloads', '--namespace', ns],
      ['list-workloads', '--namespace', ns, '-o', 'json'],
      ['list-workloads', '--all-namespaces'],
      ['list-images', '--namespace', ns],
      ['list-images', '--namespace', ns, '--limit', '1'],
      ['list-images', '--workload', `${ns}:deployment/podinfo`],
      ['list-images', '--namespace', ns, '-o', 'json'],
      ['identity'],
      ['identity', '--fingerprint'],
      ['identity', '--fingerprint', '--visual'],
      ['list-images', '--workload', `${ns}:deployment/missing`],
      ['list-workloads', '--namespace', 'no-such-namespace'],
    ];
    for (const args of commands) {
      const [theirs, mine] = [await go(...args), await ours(...args)];
      expect({ args, ...mine }).toEqual({ args, ...theirs });
    }
  });

  it('fluxctl sync: the same conversation', async () => {
    const theirs = await go('sync');
    const mine = await ours('sync');
    expect(theirs.code, theirs.stderr).toBe(0);
    expect(withoutHashes(mine)).toEqual(withoutHashes(theirs));
  });

  it('policy commands from the Go client change git as ours do, and print the same', async () => {
    const workload = `--workload=${ns}:helmrelease/ghost`;
    const steps: [string[], RegExp][] = [
      [['lock', workload], /fluxcd\.io\/locked: ['"]?true/],
      [['unlock', workload], /^(?![\s\S]*fluxcd\.io\/locked)/],
      [['automate', workload], /fluxcd\.io\/automated: ['"]?true/],
      [
        ['deautomate', workload],
        /fluxcd\.io\/automated: ['"]?false|^(?![\s\S]*fluxcd\.io\/automated: ['"]?true)/,
      ],
      [['policy', workload, '--tag=chart-image=3.1.*'], /fluxcd\.io\/tag\.chart-image: glob:3\.1\.\*/],
    ];
    for (const [args, inGit] of steps) {
      const theirs = await go(...args);
      expect(theirs.code, `${args.join(' ')}: ${theirs.stderr}`).toBe(0);
      await env.user.pull();
      expect(await env.user.read('releases/ghost.yaml')).toMatch(inGit);
      // Undo with ours, then do it again with ours: the same output as the Go client's.
      const undo = UNDO[args[0] ?? ''];
      if (!undo) continue;
      expect((await ours(undo, workload)).code).toBe(0);
      const mine = await ours(...args);
      expect(withoutHashes(mine)).toEqual(withoutHashes(theirs));
    }
  });

  it('release: the dry run prints the same plan, and the Go client releases', async () => {
    const { podinfo } = registryImages(env);
    const args = [
      'release',
      `--workload=${ns}:deployment/podinfo`,
      `--update-image=${podinfo}:3.0.5`,
      '--force',
    ];
    const [theirDry, myDry] = [await go(...args, '--dry-run'), await ours(...args, '--dry-run')];
    expect(myDry).toEqual(theirDry);
    expect(theirDry.code).toBe(0);

    const released = await go(...args);
    expect(released.code, released.stderr).toBe(0);
    expect(released.stderr).toMatch(/Commit pushed:\t[0-9a-f]{7}/);
    await env.user.pull();
    expect(await env.user.read('workloads/podinfo-dep.yaml')).toContain(`image: ${podinfo}:3.0.5`);
  });

  it('client-side errors: the same messages and exit codes', async () => {
    const commands: string[][] = [
      ['release'],
      ['release', `--workload=${ns}:deployment/podinfo`],
      ['lock'],
      ['policy', `--workload=${ns}:deployment/podinfo`],
    ];
    for (const args of commands) {
      const [theirs, mine] = [await go(...args), await ours(...args)];
      expect({ args, ...mine }).toEqual({ args, ...theirs });
    }
    // Deliberately clearer than Flux v1's "parsing not-an-id: invalid service ID": the same exit
    // code and usage hint, our message.
    const [theirs, mine] = [
      await go('list-images', '--workload', 'not-an-id'),
      await ours('list-images', '--workload', 'not-an-id'),
    ];
    expect(theirs.stderr).toBe(
      "Error: parsing not-an-id: invalid service ID\nRun 'fluxctl list-images --help' for usage.\n",
    );
    expect(mine).toEqual({
      code: theirs.code,
      stdout: '',
      stderr: `Error: invalid workload ID "not-an-id"\nRun 'fluxctl list-images --help' for usage.\n`,
    });
  });
});
