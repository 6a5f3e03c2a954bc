import type { ContainerJson, ControllerStatusJson } from '@flux-ts/core';
import { describe, expect, it } from 'vitest';
import { formatWorkloads, policyColumn, selectWorkloads, workloadsJson } from './workloads-table.ts';

const container = (Name: string, image: string): ContainerJson => ({
  Name,
  Current: { ID: image, Labels: {} },
  LatestFiltered: { ID: '', Labels: {} },
});

const workload = (
  ID: string,
  Containers: ContainerJson[],
  more: Partial<ControllerStatusJson> = {},
): ControllerStatusJson => ({
  ID,
  Containers,
  ReadOnly: '',
  Status: '',
  Rollout: { Desired: 0, Updated: 0, Ready: 0, Available: 0, Outdated: 0, Messages: null },
  SyncError: '',
  Antecedent: '',
  Labels: null,
  Automated: false,
  Locked: false,
  Ignore: false,
  Policies: {},
  ...more,
});

// The e2e fixture of flux-v1.md §2.2, in the daemon's (unsorted) order.
const e2e: ControllerStatusJson[] = [
  workload('demo:helmrelease/redis', [container('chart-image', 'bitnami/redis:5.0.7')], {
    Automated: true,
    Locked: true,
  }),
  workload('demo:helmrelease/mongodb', [container('chart-image', 'bitnami/mongodb:4.0.13')]),
  workload(
    'demo:deployment/podinfo',
    [container('podinfod', 'stefanprodan/podinfo:3.1.0'), container('init', 'alpine:3.10.1')],
    { Status: 'ready', Automated: true, Locked: true },
  ),
  workload('demo:helmrelease/ghost', [container('chart-image', 'bitnami/ghost:3.1.1-debian-9-r0')]),
];

describe('formatWorkloads', () => {
  it('prints the e2e table of Flux v1 byte for byte', () => {
    expect(formatWorkloads(e2e, {})).toBe(
      [
        'WORKLOAD                  CONTAINER    IMAGE                            RELEASE  POLICY',
        'demo:deployment/podinfo   podinfod     stefanprodan/podinfo:3.1.0       ready    automated,locked',
        '                          init         alpine:3.10.1                             ',
        'demo:helmrelease/ghost    chart-image  bitnami/ghost:3.1.1-debian-9-r0           ',
        'demo:helmrelease/mongodb  chart-image  bitnami/mongodb:4.0.13                    ',
        'demo:helmrelease/redis    chart-image  bitnami/redis:5.0.7                       automated,locked',
        '',
      ].join('\n'),
    );
  });

  it('filters by container name and leaves out the header', () => {
    expect(formatWorkloads(e2e, { noHeaders: true, container: 'init' })).toBe(
      [
        'demo:deployment/podinfo  podinfod  stefanprodan/podinfo:3.1.0  ready  automated,locked',
        '                         init      alpine:3.10.1                      ',
        '',
      ].join('\n'),
    );
  });

  it('prints a workload without containers on one line', () => {
    expect(
      formatWorkloads([workload('default:cronjob/nothing', [], { Status: 'ready', Ignore: true })]),
    ).toBe(
      [
        'WORKLOAD                 CONTAINER  IMAGE  RELEASE  POLICY',
        'default:cronjob/nothing                    ready    ignore',
        '',
      ].join('\n'),
    );
  });

  it('prints only the header when there is nothing, and nothing at all without it', () => {
    expect(formatWorkloads([])).toBe('WORKLOAD  CONTAINER  IMAGE  RELEASE  POLICY\n');
    expect(formatWorkloads([], { noHeaders: true })).toBe('');
  });
});

describe('policyColumn', () => {
  it('sorts and joins the set policies', () => {
    const w = workload('a:deployment/b', []);
    expect(policyColumn(w)).toBe('');
    expect(policyColumn({ ...w, Automated: true, Locked: true, Ignore: true })).toBe(
      'automated,ignore,locked',
    );
    expect(policyColumn({ ...w, Locked: true, Ignore: true })).toBe('ignore,locked');
  });
});

describe('selectWorkloads', () => {
  it('sorts by ID without changing its input', () => {
    const input = [...e2e];
    expect(selectWorkloads(input).map((w) => w.ID)).toEqual([
      'demo:deployment/podinfo',
      'demo:helmrelease/ghost',
      'demo:helmrelease/mongodb',
      'demo:helmrelease/redis',
    ]);
    expect(input).toEqual(e2e);
  });
});

describe('workloadsJson', () => {
  it('prints the filtered, sorted array on one line', () => {
    const out = workloadsJson(e2e, { container: 'chart-image' });
    expect(out.endsWith('}]\n')).toBe(true);
    expect(out.split('\n')).toHaveLength(2);
    expect((JSON.parse(out) as ControllerStatusJson[]).map((w) => w.ID)).toEqual([
      'demo:helmrelease/ghost',
      'demo:helmrelease/mongodb',
      'demo:helmrelease/redis',
    ]);
  });

  it('keeps the wire field order and escapes as Go does', () => {
    const w = workload('a:deployment/b', [], { Policies: { 'tag.c': 'semver:>=1.0' } });
    expect(workloadsJson([w])).toBe(
      '[{"ID":"a:deployment/b","Containers":[],"ReadOnly":"","Status":"","Rollout":{"Desired":0,"Updated":0,"Ready":0,"Available":0,"Outdated":0,"Messages":null},"SyncError":"","Antecedent":"","Labels":null,"Automated":false,"Locked":false,"Ignore":false,"Policies":{"tag.c":"semver:\\u003e=1.0"}}]\n',
    );
  });

  it('prints [] for no workloads, and null when a container filter matches nothing (as Flux v1)', () => {
    expect(workloadsJson([])).toBe('[]\n');
    expect(workloadsJson(e2e, { container: 'nope' })).toBe('null\n');
  });
});
