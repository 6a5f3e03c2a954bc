import { describe, expect, it } from 'vitest';
import { syncChecksum } from './checksum.ts';
import { GC_MARK_LABEL, gcMark, SYNC_CHECKSUM_ANNOTATION } from './gc-mark.ts';
import { type LiveObject, planGarbageCollection } from './gc-plan.ts';
import { kindRank } from './kind-rank.ts';

const SET = 'set-a';
function live(
  id: string,
  extra: { mark?: string; checksum?: string; annotations?: Record<string, string> } = {},
): LiveObject {
  const [, kindName = ''] = id.split(':');
  const [kind = '', name = ''] = kindName.split('/');
  return {
    id,
    kind,
    name,
    labels: { [GC_MARK_LABEL]: extra.mark ?? gcMark(SET, id) },
    annotations: {
      ...(extra.checksum ? { [SYNC_CHECKSUM_ANNOTATION]: extra.checksum } : {}),
      ...extra.annotations,
    },
  };
}

describe('planGarbageCollection', () => {
  it('deletes what git no longer holds, in reverse apply order, and nothing that is not ours', () => {
    const objects = [
      live('<cluster>:namespace/old'),
      live('demo:deployment/gone'),
      live('demo:configmap/gone'),
      live('demo:deployment/kept', { checksum: 'c1' }),
      live('demo:deployment/copied', { mark: gcMark(SET, 'demo:deployment/other') }),
      live('demo:deployment/theirs', { mark: gcMark('another-set', 'demo:deployment/theirs') }),
    ];

    const plan = planGarbageCollection(objects, new Map([['demo:deployment/kept', 'c1']]), {
      syncSetName: SET,
    });

    expect(plan.delete.map((o) => o.id)).toEqual([
      'demo:deployment/gone',
      'demo:configmap/gone',
      '<cluster>:namespace/old',
    ]);
    expect(plan.skipped).toEqual([]);
  });

  it.each`
    value
    ${'true'}
    ${'sync_only'}
  `('keeps an object with ignore: $value', ({ value }) => {
    const plan = planGarbageCollection(
      [live('demo:secret/s', { annotations: { 'fluxcd.io/ignore': value } })],
      new Map(),
      { syncSetName: SET },
    );

    expect(plan.delete).toEqual([]);
    expect(plan.skipped).toEqual([{ id: 'demo:secret/s', reason: 'ignore annotation on cluster resource' }]);
  });

  it('leaves an object whose checksum is not the one applied', () => {
    const plan = planGarbageCollection(
      [live('demo:deployment/d', { checksum: 'old' })],
      new Map([['demo:deployment/d', 'new']]),
      { syncSetName: SET },
    );

    expect(plan.skipped).toEqual([
      { id: 'demo:deployment/d', reason: 'resource to be synced has not been updated; skipping' },
    ]);
  });

  it('refuses everything while a manifest failed to load', () => {
    const plan = planGarbageCollection([live('demo:deployment/gone')], new Map(), {
      syncSetName: SET,
      loadErrors: 1,
    });

    expect(plan).toEqual({
      delete: [],
      skipped: [],
      refused: 'garbage collection skipped: 1 manifest(s) failed to load',
    });
  });

  it('refuses over the budget, naming what it would have deleted', () => {
    const plan = planGarbageCollection([live('demo:configmap/a'), live('demo:configmap/b')], new Map(), {
      syncSetName: SET,
      maxDeletions: 1,
    });

    expect(plan.delete).toEqual([]);
    expect(plan.refused).toBe(
      'garbage collection refused: 2 objects to delete, over the budget of 1 (--sync-garbage-collection-max): demo:configmap/b, demo:configmap/a',
    );
  });
});

describe('syncChecksum and kind ranks', () => {
  it('ignores key order and formatting, and sees every value', () => {
    expect(syncChecksum({ b: 1, a: { y: [1, 2], x: 'z' } })).toBe(
      syncChecksum({ a: { x: 'z', y: [1, 2] }, b: 1 }),
    );
    expect(syncChecksum({ a: [1, 2] })).not.toBe(syncChecksum({ a: [2, 1] }));
    expect(syncChecksum({})).toMatch(/^[0-9a-f]{40}$/);
  });

  it('orders namespaces, then CRDs and services, then config, then workloads, then the rest', () => {
    expect(
      ['Deployment', 'Widget', 'Namespace', 'ConfigMap', 'CustomResourceDefinition'].map(kindRank),
    ).toEqual([3, 4, 0, 2, 1]);
  });
});
