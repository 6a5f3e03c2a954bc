import { parseResourceId, type ReadOnlyReason, type Resource } from '@flux-ts/core';
import type { WorkloadStatus } from '@flux-ts/k8s';
import { describe, expect, it } from 'vitest';
import { buildServiceStatuses, RepoState, type ServiceStatusInput } from './services.ts';

function workload(id: string, over: Partial<WorkloadStatus> = {}): WorkloadStatus {
  const parsed = parseResourceId(id);
  return {
    id,
    kind: 'Deployment',
    namespace: parsed.namespace,
    name: parsed.name,
    containers: [{ name: parsed.name, image: `${parsed.name}:1.0.0` }],
    status: 'ready',
    rollout: { desired: 1, updated: 1, ready: 1, available: 1, outdated: 0, messages: [] },
    labels: {},
    annotations: {},
    antecedent: '',
    ...over,
  };
}

function resource(id: string, annotations: Record<string, string> = {}): Resource {
  const parsed = parseResourceId(id);
  return {
    id: parsed,
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: parsed.name,
    namespace: parsed.namespace,
    file: `${parsed.name}.yaml`,
    line: 1,
    annotations,
    labels: {},
    object: {},
  };
}

function repoOf(...resources: Resource[]): Map<string, Resource> {
  return new Map(resources.map((r) => [r.id.toString(), r]));
}

function build(over: Partial<ServiceStatusInput>): ReturnType<typeof buildServiceStatuses> {
  return buildServiceStatuses({
    workloads: [],
    repo: new Map(),
    repoState: RepoState.Ready,
    readOnly: false,
    syncErrors: new Map(),
    ...over,
  });
}

const ID = 'demo:deployment/podinfo';

describe('buildServiceStatuses', () => {
  describe('ReadOnly', () => {
    const cases: {
      name: string;
      repoState: RepoState;
      inRepo: boolean;
      repoDefined: boolean;
      readOnly: boolean;
      want: ReadOnlyReason;
    }[] = [
      { name: 'in repo', repoState: 'ready', inRepo: true, repoDefined: true, readOnly: false, want: '' },
      {
        name: 'in repo, --git-readonly',
        repoState: 'ready',
        inRepo: true,
        repoDefined: true,
        readOnly: true,
        want: 'ReadOnlyMode',
      },
      {
        name: 'not in repo',
        repoState: 'ready',
        inRepo: false,
        repoDefined: true,
        readOnly: false,
        want: 'NotInRepo',
      },
      {
        name: 'not in repo wins over --git-readonly',
        repoState: 'ready',
        inRepo: false,
        repoDefined: true,
        readOnly: true,
        want: 'NotInRepo',
      },
      {
        name: 'mirror not ready',
        repoState: 'not-ready',
        inRepo: false,
        repoDefined: false,
        readOnly: false,
        want: 'NotReady',
      },
      {
        name: 'ready but no resources read yet',
        repoState: 'ready',
        inRepo: false,
        repoDefined: false,
        readOnly: false,
        want: 'NotReady',
      },
      {
        name: 'no --git-url',
        repoState: 'no-repo',
        inRepo: false,
        repoDefined: false,
        readOnly: true,
        want: 'NoRepo',
      },
    ];
    it.each(cases)('$name → "$want"', ({ repoState, inRepo, repoDefined, readOnly, want }) => {
      const repo = repoDefined ? repoOf(...(inRepo ? [resource(ID)] : [])) : undefined;
      const [status] = build({ workloads: [workload(ID)], repo, repoState, readOnly });
      expect(status?.ReadOnly).toBe(want);
    });
  });

  describe('policies', () => {
    const cases: {
      name: string;
      git: Record<string, string> | undefined;
      cluster?: Record<string, string>;
      want: { Automated: boolean; Locked: boolean; Ignore: boolean; Policies: Record<string, string> };
    }[] = [
      {
        name: 'none',
        git: {},
        want: { Automated: false, Locked: false, Ignore: false, Policies: {} },
      },
      {
        name: 'fluxcd.io/ prefix',
        git: { 'fluxcd.io/automated': 'true', 'fluxcd.io/tag.podinfod': 'semver:~3.1' },
        want: {
          Automated: true,
          Locked: false,
          Ignore: false,
          Policies: { automated: 'true', 'tag.podinfod': 'semver:~3.1' },
        },
      },
      {
        name: 'flux.weave.works/ prefix',
        git: { 'flux.weave.works/locked': 'true', 'flux.weave.works/locked_msg': 'broken' },
        want: {
          Automated: false,
          Locked: true,
          Ignore: false,
          Policies: { locked: 'true', locked_msg: 'broken' },
        },
      },
      {
        name: 'both prefixes, fluxcd.io/ wins',
        git: {
          'flux.weave.works/automated': 'true',
          'fluxcd.io/tag.app': 'glob:1.*',
          'flux.weave.works/tag.app': 'glob:2.*',
        },
        want: {
          Automated: true,
          Locked: false,
          Ignore: false,
          Policies: { automated: 'true', 'tag.app': 'glob:1.*' },
        },
      },
      {
        name: 'ignore "true"',
        git: { 'fluxcd.io/ignore': 'true' },
        want: { Automated: false, Locked: false, Ignore: true, Policies: { ignore: 'true' } },
      },
      {
        name: 'ignore sync_only is a policy but not Ignore',
        git: { 'fluxcd.io/ignore': 'sync_only' },
        want: { Automated: false, Locked: false, Ignore: false, Policies: { ignore: 'sync_only' } },
      },
      {
        name: 'automated "false" is listed but off',
        git: { 'fluxcd.io/automated': 'false' },
        want: { Automated: false, Locked: false, Ignore: false, Policies: { automated: 'false' } },
      },
      {
        name: 'from git, not from the cluster object',
        git: { 'fluxcd.io/locked': 'true' },
        cluster: { 'fluxcd.io/automated': 'true', 'fluxcd.io/sync-checksum': 'abc' },
        want: { Automated: false, Locked: true, Ignore: false, Policies: { locked: 'true' } },
      },
      {
        name: 'not in repo: cluster annotations ignored',
        git: undefined,
        cluster: { 'fluxcd.io/automated': 'true' },
        want: { Automated: false, Locked: false, Ignore: false, Policies: {} },
      },
      {
        name: 'unrelated annotations are not policies',
        git: { 'kubernetes.io/change-cause': 'x', 'fluxcd.io/sync-checksum': 'abc' },
        want: { Automated: false, Locked: false, Ignore: false, Policies: {} },
      },
    ];
    it.each(cases)('$name', ({ git, cluster, want }) => {
      const [status] = build({
        workloads: [workload(ID, { annotations: cluster ?? {} })],
        repo: git ? repoOf(resource(ID, git)) : new Map(),
      });
      expect({
        Automated: status?.Automated,
        Locked: status?.Locked,
        Ignore: status?.Ignore,
        Policies: status?.Policies,
      }).toEqual(want);
    });

    it('Policies keys are sorted', () => {
      const [status] = build({
        workloads: [workload(ID)],
        repo: repoOf(
          resource(ID, {
            'fluxcd.io/tag.b': 'glob:*',
            'fluxcd.io/automated': 'true',
            'fluxcd.io/tag.a': '*',
          }),
        ),
      });
      expect(Object.keys(status?.Policies ?? {})).toEqual(['automated', 'tag.a', 'tag.b']);
    });
  });

  it('reports the last sync error of each workload', () => {
    const other = 'demo:deployment/other';
    const statuses = build({
      workloads: [workload(ID), workload(other)],
      syncErrors: new Map([[ID, 'Deployment.apps "podinfo" is invalid']]),
    });
    expect(statuses.map((s) => [s.ID, s.SyncError])).toEqual([
      [other, ''],
      [ID, 'Deployment.apps "podinfo" is invalid'],
    ]);
  });

  it('sorts by ID', () => {
    const ids = ['zeta:deployment/a', 'demo:statefulset/db', 'demo:deployment/web', 'demo:cronjob/zz'];
    const statuses = build({ workloads: ids.map((id) => workload(id)) });
    expect(statuses.map((s) => s.ID)).toEqual([
      'demo:cronjob/zz',
      'demo:deployment/web',
      'demo:statefulset/db',
      'zeta:deployment/a',
    ]);
  });

  describe('Containers', () => {
    it('lists containers then init containers, with the image as running', () => {
      const [status] = build({
        workloads: [
          workload(ID, {
            containers: [
              { name: 'podinfod', image: 'stefanprodan/podinfo:3.1.0' },
              { name: 'sidecar', image: 'docker.io/library/nginx' },
              {
                name: 'init',
                image: 'busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
              },
            ],
          }),
        ],
      });
      expect(status?.Containers).toEqual([
        {
          Name: 'podinfod',
          Current: { ID: 'stefanprodan/podinfo:3.1.0', Labels: {} },
          LatestFiltered: { ID: '', Labels: {} },
        },
        {
          Name: 'sidecar',
          Current: { ID: 'docker.io/library/nginx', Labels: {} },
          LatestFiltered: { ID: '', Labels: {} },
        },
        {
          Name: 'init',
          Current: {
            ID: 'busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
            Labels: {},
          },
          LatestFiltered: { ID: '', Labels: {} },
        },
      ]);
    });

    it('is empty when the workload has none', () => {
      const [status] = build({ workloads: [workload(ID, { containers: [] })] });
      expect(status?.Containers).toEqual([]);
    });

    it('is empty when any image does not parse (Flux v1)', () => {
      const [status] = build({
        workloads: [
          workload(ID, {
            containers: [
              { name: 'ok', image: 'nginx:1' },
              { name: 'bad', image: 'nginx:1:2' },
            ],
          }),
        ],
      });
      expect(status?.Containers).toEqual([]);
    });
  });

  it('copies Status, Rollout (Messages null when none), Antecedent and Labels (null when none)', () => {
    const statuses = build({
      workloads: [
        workload('demo:deployment/a', {
          status: 'error',
          rollout: {
            desired: 3,
            updated: 1,
            ready: 1,
            available: 1,
            outdated: 2,
            messages: ['quota exceeded'],
          },
          labels: { z: '1', app: 'a' },
        }),
        workload('demo:deployment/b'),
      ],
    });
    expect(statuses[0]?.Rollout).toEqual({
      Desired: 3,
      Updated: 1,
      Ready: 1,
      Available: 1,
      Outdated: 2,
      Messages: ['quota exceeded'],
    });
    expect(statuses[0]?.Status).toBe('error');
    expect(JSON.stringify(statuses[0]?.Labels)).toBe('{"app":"a","z":"1"}');
    expect(statuses[1]?.Rollout.Messages).toBeNull();
    expect(statuses[1]?.Labels).toBeNull();
  });

  it('lists HelmReleases with their release status, antecedent and value-derived containers', () => {
    const id = 'demo:helmrelease/podinfo';
    const [status] = build({
      workloads: [
        workload(id, {
          kind: 'HelmRelease',
          containers: [{ name: 'chart-image', image: 'stefanprodan/podinfo:3.2.0' }],
          status: 'DEPLOYED',
          rollout: { desired: 0, updated: 0, ready: 0, available: 0, outdated: 0, messages: [] },
          antecedent: 'flux:helmrelease/parent',
        }),
      ],
      repo: repoOf({
        ...resource(id, { 'fluxcd.io/automated': 'true', 'fluxcd.io/tag.chart-image': 'semver:~3.2' }),
        apiVersion: 'helm.fluxcd.io/v1',
        kind: 'HelmRelease',
      }),
    });
    expect(JSON.stringify(status)).toBe(
      '{"ID":"demo:helmrelease/podinfo",' +
        '"Containers":[{"Name":"chart-image","Current":{"ID":"stefanprodan/podinfo:3.2.0","Labels":{}},' +
        '"LatestFiltered":{"ID":"","Labels":{}}}],' +
        '"ReadOnly":"","Status":"DEPLOYED",' +
        '"Rollout":{"Desired":0,"Updated":0,"Ready":0,"Available":0,"Outdated":0,"Messages":null},' +
        '"SyncError":"","Antecedent":"flux:helmrelease/parent","Labels":null,' +
        '"Automated":true,"Locked":false,"Ignore":false,' +
        '"Policies":{"automated":"true","tag.chart-image":"semver:~3.2"}}',
    );
  });

  it('golden: Flux v1 key order, two workloads', () => {
    const statuses = build({
      workloads: [
        workload('demo:deployment/podinfo', {
          containers: [
            { name: 'podinfod', image: 'stefanprodan/podinfo:3.1.0' },
            { name: 'init-db', image: 'quay.io/org/migrate:v2' },
          ],
          labels: { app: 'podinfo' },
        }),
        workload('default:deployment/legacy', {
          containers: [{ name: 'app', image: 'nginx:1.19' }],
          status: 'updating',
          rollout: { desired: 2, updated: 1, ready: 1, available: 1, outdated: 1, messages: [] },
        }),
      ],
      repo: repoOf(
        resource('demo:deployment/podinfo', {
          'fluxcd.io/automated': 'true',
          'fluxcd.io/tag.podinfod': 'semver:~3.1',
        }),
      ),
      readOnly: false,
      syncErrors: new Map([['default:deployment/legacy', 'not applied']]),
    });
    expect(JSON.stringify(statuses)).toBe(
      '[{"ID":"default:deployment/legacy",' +
        '"Containers":[{"Name":"app","Current":{"ID":"nginx:1.19","Labels":{}},"LatestFiltered":{"ID":"","Labels":{}}}],' +
        '"ReadOnly":"NotInRepo","Status":"updating",' +
        '"Rollout":{"Desired":2,"Updated":1,"Ready":1,"Available":1,"Outdated":1,"Messages":null},' +
        '"SyncError":"not applied","Antecedent":"","Labels":null,' +
        '"Automated":false,"Locked":false,"Ignore":false,"Policies":{}},' +
        '{"ID":"demo:deployment/podinfo",' +
        '"Containers":[{"Name":"podinfod","Current":{"ID":"stefanprodan/podinfo:3.1.0","Labels":{}},"LatestFiltered":{"ID":"","Labels":{}}},' +
        '{"Name":"init-db","Current":{"ID":"quay.io/org/migrate:v2","Labels":{}},"LatestFiltered":{"ID":"","Labels":{}}}],' +
        '"ReadOnly":"","Status":"ready",' +
        '"Rollout":{"Desired":1,"Updated":1,"Ready":1,"Available":1,"Outdated":0,"Messages":null},' +
        '"SyncError":"","Antecedent":"","Labels":{"app":"podinfo"},' +
        '"Automated":true,"Locked":false,"Ignore":false,' +
        '"Policies":{"automated":"true","tag.podinfod":"semver:~3.1"}}]',
    );
  });
});
