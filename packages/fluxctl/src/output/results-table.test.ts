import type { WorkloadResultJson } from '@flux-ts/core';
import { describe, expect, it } from 'vitest';
import { formatResults, resultRows } from './results-table.ts';

const results: Record<string, WorkloadResultJson> = {
  'default:deployment/zzz': { Status: 'ignored', Error: 'not included', PerContainer: null },
  'default:deployment/helloworld': {
    Status: 'success',
    PerContainer: [
      {
        Container: 'helloworld',
        Current: 'quay.io/weaveworks/helloworld:master-a000001',
        Target: 'quay.io/weaveworks/helloworld:master-9a16ff945b9e',
      },
    ],
  },
  'default:deployment/locked': { Status: 'skipped', Error: 'locked', PerContainer: null },
};

describe('formatResults', () => {
  it('prints the example of flux-v1.md byte for byte', () => {
    expect(
      formatResults(
        { 'default:deployment/helloworld': results['default:deployment/helloworld'] as WorkloadResultJson },
        0,
      ),
    ).toBe(
      [
        'WORKLOAD                       STATUS   UPDATES',
        'default:deployment/helloworld  success  helloworld: quay.io/weaveworks/helloworld:master-a000001 -> master-9a16ff945b9e',
        '',
      ].join('\n'),
    );
  });

  it('ends a row with nothing to show with two spaces after the status', () => {
    expect(formatResults({ 'default/a': { Status: 'success', PerContainer: null } }, 0)).toBe(
      'WORKLOAD   STATUS   UPDATES\ndefault/a  success  \n',
    );
  });

  it('hides skipped at 0 and ignored below 2', () => {
    expect(formatResults(results, 0)).not.toContain('locked');
    expect(formatResults(results, 1)).toBe(
      [
        'WORKLOAD                       STATUS   UPDATES',
        'default:deployment/helloworld  success  helloworld: quay.io/weaveworks/helloworld:master-a000001 -> master-9a16ff945b9e',
        'default:deployment/locked      skipped  locked',
        '',
      ].join('\n'),
    );
    expect(formatResults(results, 2)).toContain('default:deployment/zzz         ignored  not included\n');
  });

  it('prints the error first and each update on its own row', () => {
    const out = formatResults(
      {
        'ns:deployment/two': {
          Status: 'failed',
          Error: 'container(s) tag mismatch: b',
          PerContainer: [
            { Container: 'a', Current: 'nginx:1', Target: 'nginx:2' },
            { Container: 'b', Current: 'localhost:5000/x/y:1', Target: 'localhost:5000/x/y:1.1' },
          ],
        },
      },
      0,
    );
    expect(out).toBe(
      [
        'WORKLOAD           STATUS   UPDATES',
        'ns:deployment/two  failed   container(s) tag mismatch: b',
        '                            a: nginx:1 -> 2',
        '                            b: localhost:5000/x/y:1 -> 1.1',
        '',
      ].join('\n'),
    );
  });

  it('prints just the header for no results', () => {
    expect(formatResults({}, 2)).toBe('WORKLOAD   STATUS   UPDATES\n');
  });
});

describe('resultRows', () => {
  it('gives one row per error or update, with the update attached', () => {
    const rows = resultRows(results, 2);
    expect(rows.map((r) => [r.id, r.status, r.text, r.update !== undefined])).toEqual([
      [
        'default:deployment/helloworld',
        'success',
        'helloworld: quay.io/weaveworks/helloworld:master-a000001 -> master-9a16ff945b9e',
        true,
      ],
      ['default:deployment/locked', 'skipped', 'locked', false],
      ['default:deployment/zzz', 'ignored', 'not included', false],
    ]);
  });
});
