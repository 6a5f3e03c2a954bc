import type { ControllerStatusJson, RolloutJson } from '@flux-ts/core';
import { describe, expect, it } from 'vitest';
import { allReady, formatRolloutStatus, rolloutProblems, rolloutStep } from './rollout-table.ts';

const rollout = (more: Partial<RolloutJson> = {}): RolloutJson => ({
  Desired: 2,
  Updated: 1,
  Ready: 1,
  Available: 1,
  Outdated: 1,
  Messages: null,
  ...more,
});

const workload = (
  ID: string,
  Status: string,
  more: Partial<ControllerStatusJson> = {},
): ControllerStatusJson => ({
  ID,
  Containers: [
    {
      Name: 'helloworld',
      Current: { ID: 'quay.io/weaveworks/helloworld:master-9a16ff945b9e', Labels: {} },
      LatestFiltered: { ID: '', Labels: {} },
    },
    {
      Name: 'sidecar',
      Current: { ID: 'quay.io/weaveworks/sidecar:master-a000001', Labels: {} },
      LatestFiltered: { ID: '', Labels: {} },
    },
  ],
  ReadOnly: '',
  Status,
  Rollout: rollout(),
  SyncError: '',
  Antecedent: '',
  Labels: null,
  Automated: false,
  Locked: false,
  Ignore: false,
  Policies: {},
  ...more,
});

describe('formatRolloutStatus', () => {
  it('prints a table per workload with Updated/Desired and a blank line', () => {
    expect(formatRolloutStatus(workload('default:deployment/helloworld', 'updating'), 0)).toBe(
      [
        'WORKLOAD                       CONTAINER   IMAGE                                              RELEASE   REPLICAS',
        'default:deployment/helloworld  helloworld  quay.io/weaveworks/helloworld:master-9a16ff945b9e  updating  1/2',
        '                               sidecar     quay.io/weaveworks/sidecar:master-a000001                    ',
        '',
        '',
      ].join('\n'),
    );
  });

  it('adds outdated and ready counts when verbose, and handles no containers', () => {
    expect(
      formatRolloutStatus(
        workload('default:cronjob/c', 'ready', {
          Containers: [],
          Rollout: rollout({ Outdated: 0, Ready: 2, Updated: 2 }),
        }),
        1,
      ),
    ).toBe(
      [
        'WORKLOAD           CONTAINER  IMAGE  RELEASE  REPLICAS',
        'default:cronjob/c                    ready    2/2 (0 outdated, 2 ready)',
        '',
        '',
      ].join('\n'),
    );
  });
});

describe('rolloutProblems', () => {
  it('lists the messages under a heading', () => {
    const w = workload('default:deployment/h', 'error', {
      Rollout: rollout({ Messages: ['ReplicaSet "h-1" has timed out progressing.', 'second'] }),
    });
    expect(rolloutProblems(w)).toBe(
      'There was a problem releasing default:deployment/h:\nReplicaSet "h-1" has timed out progressing.\nsecond\n',
    );
  });

  it('gives nothing without messages', () => {
    expect(rolloutProblems(workload('a:deployment/b', 'ready'))).toBeUndefined();
    expect(
      rolloutProblems(workload('a:deployment/b', 'ready', { Rollout: rollout({ Messages: [] }) })),
    ).toBeUndefined();
  });
});

describe('allReady and rolloutStep', () => {
  const ready = workload('a:deployment/ready', 'ready');
  const updating = workload('a:deployment/updating', 'updating');
  const failing = workload('a:deployment/failing', 'error', { Rollout: rollout({ Messages: ['boom'] }) });

  it('is ready when every workload is', () => {
    expect(allReady([ready, ready])).toBe(true);
    expect(allReady([ready, updating])).toBe(false);
    expect(allReady([])).toBe(true);
  });

  it('polls again while a workload is updating', () => {
    const step = rolloutStep([ready, updating], 0);
    expect(step.outcome).toBe('pending');
    expect(step.stderr).toBe('');
    expect(step.stdout).toBe(formatRolloutStatus(ready, 0) + formatRolloutStatus(updating, 0));
  });

  it('stops with All workloads ready.', () => {
    expect(rolloutStep([ready], 1)).toEqual({
      stdout: formatRolloutStatus(ready, 1),
      stderr: 'All workloads ready.\n',
      outcome: 'ready',
    });
  });

  it('stops at the first workload with problems, printing no further tables', () => {
    expect(rolloutStep([failing, ready], 0)).toEqual({
      stdout: formatRolloutStatus(failing, 0),
      stderr: 'There was a problem releasing a:deployment/failing:\nboom\n',
      outcome: 'problem',
    });
  });
});
