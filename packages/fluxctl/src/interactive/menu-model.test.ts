import type { WorkloadResultJson } from '@flux-ts/core';
import { describe, expect, it } from 'vitest';
import {
  cursorDown,
  cursorUp,
  type MenuState,
  menuRows,
  menuState,
  moveCursor,
  render,
  selectableCount,
  selectedContainerSpecs,
  toggle,
  updateText,
} from './menu-model.ts';

const hello = {
  Container: 'helloworld',
  Current: 'quay.io/weaveworks/helloworld:master-a000001',
  Target: 'quay.io/weaveworks/helloworld:master-9a16ff945b9e',
};
const sidecar = {
  Container: 'sidecar',
  Current: 'weaveworks/sidecar:master-a000002',
  Target: 'weaveworks/sidecar:master-a000003',
};
const db = { Container: 'db', Current: 'postgres:11', Target: 'postgres:12' };

const RESULT: Record<string, WorkloadResultJson> = {
  'default:deployment/helloworld': { Status: 'success', PerContainer: [hello, sidecar] },
  'default:deployment/locked': { Status: 'skipped', Error: 'locked', PerContainer: null },
  'default:deployment/ignored': { Status: 'ignored', Error: 'not included', PerContainer: null },
  'default:deployment/broken': { Status: 'failed', Error: 'boom', PerContainer: [db] },
};

describe('menuRows', () => {
  it('sorts by ID, puts an error before the updates and pre-checks every update', () => {
    expect(menuRows(RESULT, 0)).toEqual([
      { kind: 'info', id: 'default:deployment/broken', status: 'failed', text: 'boom' },
      { kind: 'update', id: 'default:deployment/broken', status: 'failed', update: db, checked: true },
      {
        kind: 'update',
        id: 'default:deployment/helloworld',
        status: 'success',
        update: hello,
        checked: true,
      },
      {
        kind: 'update',
        id: 'default:deployment/helloworld',
        status: 'success',
        update: sidecar,
        checked: true,
      },
    ]);
  });

  it('shows skipped workloads at verbosity 1 and ignored ones at 2', () => {
    const ids = (v: number): string[] => menuRows(RESULT, v).map((r) => `${r.id} ${r.kind}`);
    expect(ids(1)).toContain('default:deployment/locked info');
    expect(ids(1)).not.toContain('default:deployment/ignored info');
    expect(ids(2)).toContain('default:deployment/ignored info');
  });

  it('gives a workload with neither error nor updates a plain row', () => {
    expect(menuRows({ 'ns:deployment/a': { Status: 'success', PerContainer: [] } }, 0)).toEqual([
      { kind: 'info', id: 'ns:deployment/a', status: 'success', text: '' },
    ]);
  });
});

describe('cursor and toggling', () => {
  const start = (): MenuState => menuState(menuRows(RESULT, 2));

  it('counts only updates as selectable', () => {
    expect(selectableCount(start().rows)).toBe(3);
  });

  it('wraps around at both ends, like Flux v1 (cursor ± 1 mod selectable)', () => {
    const s = start();
    expect(cursorUp(s).cursor).toBe(2);
    expect(cursorDown(cursorDown(cursorDown(s))).cursor).toBe(0);
    expect(moveCursor(s, -4).cursor).toBe(2);
    expect(moveCursor(s, 7).cursor).toBe(1);
  });

  it('does nothing without updates', () => {
    const s = menuState(menuRows({ 'ns:deployment/a': { Status: 'skipped', PerContainer: null } }, 1));
    expect(cursorDown(s)).toBe(s);
  });

  it('toggles the update under the cursor, skipping error rows (Flux v1 toggled items[cursor])', () => {
    const s = toggle(cursorDown(start()));
    expect(selectedContainerSpecs(s.rows)).toEqual({
      'default:deployment/broken': [db],
      'default:deployment/helloworld': [sidecar],
    });
    expect(selectedContainerSpecs(toggle(s).rows)).toEqual(selectedContainerSpecs(start().rows));
  });

  it('leaves out workloads with nothing checked and never mutates the old state', () => {
    const s0 = start();
    const s = toggle(cursorDown(toggle(cursorDown(toggle(s0)))));
    expect(selectedContainerSpecs(s.rows)).toEqual({});
    expect(selectedContainerSpecs(s0.rows)).toEqual({
      'default:deployment/broken': [db],
      'default:deployment/helloworld': [hello, sidecar],
    });
  });
});

describe('render', () => {
  it('matches the golden frame: prefix, inline rows, blank line and footer', () => {
    expect(render(menuState(menuRows(RESULT, 1)))).toEqual([
      '    WORKLOAD                       STATUS   UPDATES',
      '    default:deployment/broken      failed   boom',
      '⇒ ◉                                         db: postgres:11 -> 12',
      '  ◉ default:deployment/helloworld  success  helloworld: quay.io/weaveworks/helloworld:master-a000001 -> master-9a16ff945b9e',
      '  ◉                                         sidecar: weaveworks/sidecar:master-a000002 -> master-a000003',
      '    default:deployment/locked      skipped  locked',
      '',
      'Use arrow keys and [Space] to toggle updates; hit [Enter] to release selected.',
    ]);
  });

  it('moves the glyph with the cursor and shows unchecked boxes', () => {
    const lines = render(toggle(cursorDown(cursorDown(menuState(menuRows(RESULT, 0))))));
    expect(lines.slice(1, 5)).toEqual([
      '    default:deployment/broken      failed   boom',
      '  ◉                                         db: postgres:11 -> 12',
      '  ◉ default:deployment/helloworld  success  helloworld: quay.io/weaveworks/helloworld:master-a000001 -> master-9a16ff945b9e',
      '⇒ ◯                                         sidecar: weaveworks/sidecar:master-a000002 -> master-a000003',
    ]);
  });

  it('keeps two trailing spaces after the status of a row with nothing to show', () => {
    const lines = render(
      menuState(menuRows({ 'ns:deployment/a': { Status: 'success', PerContainer: [] } }, 0)),
    );
    expect(lines[1]).toBe('    ns:deployment/a  success  ');
  });
});

describe('updateText', () => {
  it('shows the full current ref and the target tag only', () => {
    expect(updateText(hello)).toBe(
      'helloworld: quay.io/weaveworks/helloworld:master-a000001 -> master-9a16ff945b9e',
    );
    expect(
      updateText({ Container: 'c', Current: 'localhost:5000/app', Target: 'localhost:5000/app:v2' }),
    ).toBe('c: localhost:5000/app -> v2');
    expect(updateText({ Container: 'c', Current: 'a:1', Target: 'not a::valid ref' })).toBe(
      'c: a:1 -> :valid ref',
    );
  });
});
