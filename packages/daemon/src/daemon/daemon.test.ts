import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@flux-ts/core';
import type { Mirror } from '@flux-ts/git';
import { createKubeClient } from '@flux-ts/k8s';
import { describe, expect, it } from 'vitest';
import { emptyKeyring } from '../keyring/keyring.ts';
import { Daemon, type DaemonOptions } from './daemon.ts';

/**
 * A mirror that is always ready and whose head the test moves; its clones fail, so every sync ends
 * at once with an error (what the loop does with the outcome is covered by the end-to-end tests).
 */
function fakeMirror(): { mirror: Mirror; setHead(rev: string): void; refreshes: () => number } {
  let head = 'a'.repeat(40);
  let refreshes = 0;
  const mirror = {
    displayUrl: 'file:///fake',
    branch: 'main',
    paths: ['.'],
    readonly: false,
    status: () => ({ status: 'ready' as const }),
    refresh: async () => {
      refreshes++;
    },
    head: async () => head,
    clone: async () => {
      throw new Error('no clones in this test');
    },
  } as unknown as Mirror;
  return { mirror, setHead: (rev) => (head = rev), refreshes: () => refreshes };
}

const kubeconfig = join(tmpdir(), `daemon-test-kubeconfig-${process.pid}`);
writeFileSync(
  kubeconfig,
  'apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: "https://127.0.0.1:1"}\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n',
);

function options(clock: ManualClock, mirror: Mirror, syncs: string[]): DaemonOptions {
  return {
    version: 'test',
    kube: createKubeClient({ kubeconfigPath: kubeconfig }),
    git: {
      mirror,
      url: 'file:///fake',
      branch: 'main',
      paths: [],
      readonly: false,
      syncState: { get: async () => undefined, update: async () => {} },
      notesRef: 'flux',
    },
    keyring: emptyKeyring,
    sync: { manifestGeneration: false, sops: false, gc: { enabled: false, dryRun: false } },
    namespaces: [],
    intervals: {
      syncMs: 300_000,
      gitPollMs: 60_000,
      automationMs: 300_000,
      automationSettleMs: 10_000,
      syncTimeoutMs: 60_000,
    },
    clock,
    onSync: (_outcome, error) => syncs.push(error?.message ?? 'ok'),
  };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
}

describe('Daemon loops on an injected clock', () => {
  it('syncs at start, on every sync interval, and when the git poller sees a new head — without sleeping', async () => {
    const clock = new ManualClock();
    const { mirror, setHead, refreshes } = fakeMirror();
    const syncs: string[] = [];
    const daemon = new Daemon(options(clock, mirror, syncs));
    const stop = new AbortController();
    const running = daemon.start(stop.signal);
    await settle();
    expect(syncs).toEqual(['no clones in this test']);
    expect(refreshes()).toBe(1);

    // A poll that finds the same head asks for nothing (a failed sync waits for the timer or a
    // new commit, as in Flux v1).
    await clock.advance(60_000);
    await settle();
    expect(refreshes()).toBe(2);
    expect(syncs).toHaveLength(1);

    setHead('b'.repeat(40));
    await clock.advance(60_000);
    await settle();
    expect(refreshes()).toBe(3);
    expect(syncs).toHaveLength(2);

    // The full-pass timer fires on its own interval.
    await clock.advance(300_000 - 120_000);
    await settle();
    expect(syncs).toHaveLength(3);

    stop.abort();
    await running;
    expect(daemon.idle()).toBe(true);
  });

  it('a git notification for our repository and branch wakes the poller at once', async () => {
    const clock = new ManualClock();
    const { mirror, refreshes } = fakeMirror();
    const daemon = new Daemon(options(clock, mirror, []));
    const stop = new AbortController();
    const running = daemon.start(stop.signal);
    await settle();
    expect(refreshes()).toBe(1);
    await daemon.notifyChange({ Kind: 'git', Source: { URL: 'file:///other', Branch: 'main' } });
    await settle();
    expect(refreshes()).toBe(1);
    await daemon.notifyChange({ Kind: 'git', Source: { URL: 'file:///fake.git', Branch: 'main' } });
    await settle();
    expect(refreshes()).toBe(2);
    stop.abort();
    await running;
  });

  it("a sync job runs a full pass even on a head already synced, and fails with the sync's error", async () => {
    const clock = new ManualClock();
    const { mirror } = fakeMirror();
    const syncs: string[] = [];
    const daemon = new Daemon(options(clock, mirror, syncs));
    const stop = new AbortController();
    const running = daemon.start(stop.signal);
    await settle();
    expect(syncs).toHaveLength(1);

    const id = await daemon.updateManifests({ type: 'sync', cause: { Message: '', User: '' }, spec: {} });
    await settle();
    expect(syncs).toHaveLength(2);
    expect(await daemon.jobStatus(id)).toMatchObject({
      StatusString: 'failed',
      Err: `sync of aaaaaaa failed: no clones in this test`,
      Result: { revision: 'a'.repeat(40) },
    });
    stop.abort();
    await running;
  });

  it('an image notification for a repository no workload runs scans nothing', async () => {
    const clock = new ManualClock();
    const asked: string[] = [];
    const scanner = {
      prioritise: (name: string) => asked.push(`prioritise ${name}`),
      refresh: async (name: string) => {
        asked.push(`refresh ${name}`);
      },
    } as unknown as NonNullable<DaemonOptions['scanner']>;
    const daemon = new Daemon({ ...options(clock, fakeMirror().mirror, []), scanner });
    await daemon.notifyChange({
      Kind: 'image',
      Source: { Name: { Domain: 'docker.io', Image: 'any/huge-repo' } },
    });
    await settle();
    expect(asked).toEqual([]);
  });

  it('answers version, unknown jobs and write requests without git', async () => {
    const clock = new ManualClock();
    const daemon = new Daemon({ ...options(clock, fakeMirror().mirror, []), git: undefined });
    expect(await daemon.version()).toBe('test');
    await expect(daemon.jobStatus('nope')).rejects.toMatchObject({
      kind: 'missing',
      message: 'unknown job "nope"',
    });
    await expect(
      daemon.updateManifests({ type: 'policy', cause: { Message: '', User: '' }, spec: {} }),
    ).rejects.toMatchObject({ kind: 'user', code: 'git.no-repo' });
    expect(await daemon.gitRepoConfig(false)).toEqual({
      remote: { url: '', branch: '', path: '' },
      publicSSHKey: { key: '', fingerprints: null },
      status: 'unconfigured',
      errors: '',
    });
  });
});
