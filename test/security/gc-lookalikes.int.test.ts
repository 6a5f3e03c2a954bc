import {
  eventually,
  type FluxdEnv,
  getObject,
  type RunningFluxd,
  startFluxd,
  startFluxdEnv,
} from '@flux-ts/daemon/testing';
import { safeGitUrl } from '@flux-ts/git';
import { GC_MARK_LABEL, gcMark, SYNC_CHECKSUM_ANNOTATION, syncSetName } from '@flux-ts/k8s';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

// Garbage collection deletes only objects carrying our exact mark: the label `fluxcd.io/sync-gc-mark`
// whose value is the mark of that object's own ID in this fluxd's sync set. Objects that merely look
// like ours — same key with another value, a similar key, our mark as an annotation, the mark of
// another sync set, a mark copied from another object — survive a sync that collects garbage.

const kubeInfo = inject('kube');

function configMap(ns: string, name: string): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${ns}\ndata:\n  key: value\n`;
}

describe('garbage collection never deletes an object without our mark', { timeout: 120_000 }, () => {
  let env: FluxdEnv;
  let fluxd: RunningFluxd;
  let ns: string;
  let syncSet: string;
  const lookalikes: { name: string; kind: 'ConfigMap' | 'Secret'; why: string }[] = [];

  const cmPath = (name: string): string => `/api/v1/namespaces/${ns}/configmaps/${name}`;
  const secretPath = (name: string): string => `/api/v1/namespaces/${ns}/secrets/${name}`;
  const idOf = (name: string, kind = 'configmap'): string => `${ns}:${kind}/${name}`;

  beforeAll(async () => {
    if (!kubeInfo) throw new Error('this test needs the kube-apiserver (run without FLUX_TS_UNIT=1)');
    env = await startFluxdEnv(kubeInfo, {});
    ns = env.namespace;
    await env.user.write('ns.yaml', `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`);
    await env.user.write('kept.yaml', configMap(ns, 'ours-kept'));
    await env.user.write('doomed.yaml', configMap(ns, 'ours-doomed'));
    await env.user.commitAndPush('Two ConfigMaps');
    // The sync set of the fixture's fluxd: its git URL, branch `main`, no --git-path.
    syncSet = syncSetName(safeGitUrl(env.repo.sshUrl), 'main', []);
    fluxd = await startFluxd(env, [
      `--k8s-allow-namespace=${env.namespace}`,
      '--sync-garbage-collection',
      '--registry-disable-scanning',
    ]);
    await eventually('the first sync', () => getObject(env.kube, cmPath('ours-doomed')), { fluxd });

    const create = async (
      name: string,
      why: string,
      metadata: { labels?: Record<string, string>; annotations?: Record<string, string> },
      kind: 'ConfigMap' | 'Secret' = 'ConfigMap',
    ): Promise<void> => {
      lookalikes.push({ name, kind, why });
      if (kind === 'Secret') {
        await env.apis.core.createNamespacedSecret({
          namespace: ns,
          body: { metadata: { name, ...metadata }, stringData: { password: 'not-a-real-one' } },
        });
      } else {
        await env.apis.core.createNamespacedConfigMap({
          namespace: ns,
          body: { metadata: { name, ...metadata }, data: { key: 'value' } },
        });
      }
    };
    await create('same-key-other-value', 'our label key, another value', {
      labels: { [GC_MARK_LABEL]: 'sha256.not-the-mark' },
    });
    await create('same-key-empty-value', 'our label key, empty value', { labels: { [GC_MARK_LABEL]: '' } });
    await create('similar-key', 'the right mark under a similar key', {
      labels: { 'fluxcd.io/sync-gc-mark-v2': gcMark(syncSet, idOf('similar-key')) },
    });
    await create('legacy-prefix-key', 'the right mark under the flux.weave.works/ prefix', {
      labels: { 'flux.weave.works/sync-gc-mark': gcMark(syncSet, idOf('legacy-prefix-key')) },
    });
    await create('annotation-only', 'our mark as an annotation, no label', {
      annotations: {
        [GC_MARK_LABEL]: gcMark(syncSet, idOf('annotation-only')),
        [SYNC_CHECKSUM_ANNOTATION]: '0000000000000000000000000000000000000000',
      },
    });
    await create('other-sync-set', "another fluxd's object (another sync set)", {
      labels: {
        [GC_MARK_LABEL]: gcMark(
          syncSetName(safeGitUrl(env.repo.sshUrl), 'other-branch', []),
          idOf('other-sync-set'),
        ),
      },
    });
    await create('copied-label', "a label copied from one of our objects (another ID's mark)", {
      labels: { [GC_MARK_LABEL]: gcMark(syncSet, idOf('ours-doomed')) },
    });
    await create(
      'copied-label-secret',
      "a Secret carrying a ConfigMap's mark of the same name",
      { labels: { [GC_MARK_LABEL]: gcMark(syncSet, idOf('copied-label-secret')) } },
      'Secret',
    );
    // The control: an object with our exact mark for its own ID is ours, whoever created it.
    await env.apis.core.createNamespacedConfigMap({
      namespace: ns,
      body: {
        metadata: {
          name: 'planted-exact',
          labels: { [GC_MARK_LABEL]: gcMark(syncSet, idOf('planted-exact')) },
        },
        data: { key: 'value' },
      },
    });

    // Removing a file from git makes the next sync collect garbage.
    await env.user.git('rm', '--quiet', 'doomed.yaml');
    await env.user.commitAndPush('Remove one ConfigMap');
    await eventually(
      'garbage collection of the removed ConfigMap',
      async () => (await getObject(env.kube, cmPath('ours-doomed'))) === undefined,
      { fluxd },
    );
  }, 240_000);

  afterAll(async () => {
    await fluxd?.stop();
    await env?.close();
  });

  it('computes the same mark fluxd writes (the test knows the sync set)', async () => {
    const kept = await getObject(env.kube, cmPath('ours-kept'));
    const labels = (kept?.metadata as { labels?: Record<string, string> } | undefined)?.labels ?? {};
    expect(labels[GC_MARK_LABEL]).toBe(gcMark(syncSet, idOf('ours-kept')));
  });

  it('collects what carries our exact mark: the removed ConfigMap and the planted one', async () => {
    expect(await getObject(env.kube, cmPath('ours-doomed'))).toBeUndefined();
    await eventually(
      'the planted object with our exact mark to be collected',
      async () => (await getObject(env.kube, cmPath('planted-exact'))) === undefined,
      { fluxd },
    );
    expect(await getObject(env.kube, cmPath('ours-kept'))).toBeDefined();
  });

  it('leaves every look-alike alone', async () => {
    expect(lookalikes.length).toBe(8);
    const missing: string[] = [];
    for (const { name, kind, why } of lookalikes) {
      const live = await getObject(env.kube, kind === 'Secret' ? secretPath(name) : cmPath(name));
      if (!live) missing.push(`${kind} ${name} (${why})`);
    }
    expect(missing).toEqual([]);
    const log = await fluxd.log();
    for (const { name } of lookalikes)
      expect(log).not.toMatch(new RegExp(`"id":"${ns}:(configmap|secret)/${name}"`));
  });
});
