import {
  type ContainerField,
  type ImageInfo,
  parseImageRef,
  parseResourceId,
  type Resource,
} from '@flux-ts/core';
import type { WorkloadStatus } from '@flux-ts/k8s';
import type { RepositoryMetadata } from '@flux-ts/registry';
import { describe, expect, it } from 'vitest';
import { InvalidContainerFieldError } from './container-fields.ts';
import { buildImageStatuses, type ImageStatusInput, imageRepositories } from './images.ts';

// ---- fixtures ------------------------------------------------------------------------------------

function workload(
  id: string,
  containers: { name: string; image: string }[],
  kind = 'Deployment',
): WorkloadStatus {
  const parsed = parseResourceId(id);
  return {
    id,
    kind,
    namespace: parsed.namespace,
    name: parsed.name,
    containers,
    status: 'ready',
    rollout: { desired: 1, updated: 1, ready: 1, available: 1, outdated: 0, messages: [] },
    labels: {},
    annotations: {},
    antecedent: '',
  };
}

function resource(id: string, annotations: Record<string, string>): Resource {
  const parsed = parseResourceId(id);
  return {
    id: parsed,
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: parsed.name,
    namespace: parsed.namespace,
    file: 'f.yaml',
    line: 1,
    annotations,
    labels: {},
    object: {},
  };
}

const repoOf = (...resources: Resource[]): Map<string, Resource> =>
  new Map(resources.map((r) => [r.id.toString(), r]));

/** A tag's metadata: created time (ISO) and optional digests; `null` = listed but not fetched; `excluded` = no image for our platform. */
type TagFixture =
  | { created?: string; digest?: string; imageId?: string; labels?: Record<string, string> }
  | null
  | 'excluded';

/** Repository metadata the way the scanner returns it: canonical names, one image per tag. */
function repository(canonical: string, tags: Record<string, TagFixture>): RepositoryMetadata {
  const images: ImageInfo[] = Object.entries(tags).map(([tag, t]) => {
    const ref = parseImageRef(`${canonical}:${tag}`);
    if (t === null) return { ref };
    if (t === 'excluded')
      return { ref, platformMismatch: { wanted: ['linux/amd64'], available: ['linux/arm64/v8'] } };
    return {
      ref,
      digest: t.digest ?? `sha256:${tag.replace(/[^0-9a-z]/g, '').padEnd(8, '0')}`,
      ...(t.imageId ? { imageId: t.imageId } : {}),
      labels: t.labels ?? {},
      ...(t.created ? { createdAt: new Date(t.created) } : {}),
    };
  });
  return { name: canonical, tags: Object.keys(tags), images, lastUpdate: 1 };
}

function registry(...repos: RepositoryMetadata[]): (name: string) => RepositoryMetadata | undefined {
  const byName = new Map(repos.map((r) => [r.name, r]));
  return (name) => byName.get(name);
}

function build(over: Partial<ImageStatusInput>): ReturnType<typeof buildImageStatuses> {
  return buildImageStatuses({ workloads: [], repo: new Map(), metadata: () => undefined, ...over });
}

const ID = 'demo:deployment/app';
const ids = (infos: { ID: string }[] | undefined): string[] => (infos ?? []).map((i) => i.ID);

const PODINFO = repository('index.docker.io/stefanprodan/podinfo', {
  '3.0.0': { created: '2020-01-01T00:00:00Z' },
  '3.1.0': { created: '2020-02-01T00:00:00Z' },
  '3.1.1': { created: '2020-03-01T00:00:00Z' },
  '3.2.0': { created: '2020-04-01T00:00:00Z' },
  latest: { created: '2020-05-01T00:00:00Z' },
  dev: { created: '2020-04-15T00:00:00Z' },
});

// ---- tests ---------------------------------------------------------------------------------------

describe('buildImageStatuses', () => {
  describe('Current', () => {
    const alpine = repository('index.docker.io/library/alpine', {
      '3.10': {
        created: '2019-07-11T22:20:52.139Z',
        digest: 'sha256:aaaa',
        imageId: 'sha256:bbbb',
        labels: { 'org.opencontainers.image.created': '2019-07-11T22:20:52Z' },
      },
      '3.11': null,
    });
    const cases: { name: string; image: string; repos: RepositoryMetadata[]; want: unknown }[] = [
      {
        name: 'cached: metadata, with the ID as the workload names it',
        image: 'alpine:3.10',
        repos: [alpine],
        want: {
          ID: 'alpine:3.10',
          Digest: 'sha256:aaaa',
          ImageID: 'sha256:bbbb',
          Labels: { 'org.opencontainers.image.created': '2019-07-11T22:20:52Z' },
          CreatedAt: '2019-07-11T22:20:52.139Z',
        },
      },
      {
        name: 'cached, docker.io/ form kept',
        image: 'docker.io/library/alpine:3.10',
        repos: [alpine],
        want: expect.objectContaining({ ID: 'docker.io/library/alpine:3.10', ImageID: 'sha256:bbbb' }),
      },
      {
        name: 'repository not scanned: still the running image',
        image: 'alpine:3.10',
        repos: [],
        want: { ID: 'alpine:3.10', Labels: {} },
      },
      {
        name: 'tag listed but not fetched: the running image, no metadata',
        image: 'alpine:3.11',
        repos: [alpine],
        want: { ID: 'alpine:3.11', Labels: {} },
      },
      {
        name: 'reference without a tag: no tag, so (untagged) is true',
        image: 'alpine',
        repos: [alpine],
        want: { ID: 'alpine', Labels: {} },
      },
      {
        name: 'reference by digest only: metadata of the image with that digest',
        image: 'alpine@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
        repos: [
          repository('index.docker.io/library/alpine', {
            '3.10': {
              created: '2019-07-11T00:00:00Z',
              digest: 'sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
            },
          }),
        ],
        want: {
          ID: 'alpine@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
          Digest: 'sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
          Labels: {},
          CreatedAt: '2019-07-11T00:00:00Z',
        },
      },
    ];
    it.each(cases)('$name', ({ image, repos, want }) => {
      const [status] = build({
        workloads: [workload(ID, [{ name: 'c', image }])],
        metadata: registry(...repos),
      });
      expect(status?.Containers[0]?.Current).toEqual(want);
    });
  });

  describe('Available order, LatestFiltered and counts by filter', () => {
    const cases: {
      name: string;
      filter: string | undefined;
      running: string;
      available: string[];
      latest: string;
      counts: Record<string, number | undefined>;
    }[] = [
      {
        name: 'default glob:*: newest build first, latest not a candidate',
        filter: undefined,
        running: '3.1.0',
        available: ['latest', 'dev', '3.2.0', '3.1.1', '3.1.0', '3.0.0'],
        latest: 'dev',
        counts: {
          AvailableImagesCount: 6,
          NewAvailableImagesCount: 4,
          FilteredImagesCount: 5,
          NewFilteredImagesCount: 3,
        },
      },
      {
        name: 'glob:3.1.*',
        filter: 'glob:3.1.*',
        running: '3.1.0',
        available: ['latest', 'dev', '3.2.0', '3.1.1', '3.1.0', '3.0.0'],
        latest: '3.1.1',
        counts: {
          AvailableImagesCount: 6,
          NewAvailableImagesCount: 4,
          FilteredImagesCount: 2,
          NewFilteredImagesCount: 1,
        },
      },
      {
        name: 'semver: by version, tags that are not versions last',
        filter: 'semver:~3.1',
        running: '3.1.0',
        available: ['3.2.0', '3.1.1', '3.1.0', '3.0.0', 'latest', 'dev'],
        latest: '3.1.1',
        counts: {
          AvailableImagesCount: 6,
          NewAvailableImagesCount: 2,
          FilteredImagesCount: 2,
          NewFilteredImagesCount: 1,
        },
      },
      {
        name: 'regexp: by build time',
        filter: 'regexp:^3\\.[01]\\.',
        running: '3.1.1',
        available: ['latest', 'dev', '3.2.0', '3.1.1', '3.1.0', '3.0.0'],
        latest: '3.1.1',
        counts: {
          AvailableImagesCount: 6,
          NewAvailableImagesCount: 3,
          FilteredImagesCount: 3,
          NewFilteredImagesCount: undefined,
        },
      },
      {
        name: 'glob:latest: the only filter that admits latest',
        filter: 'glob:latest',
        running: 'latest',
        available: ['latest', 'dev', '3.2.0', '3.1.1', '3.1.0', '3.0.0'],
        latest: 'latest',
        counts: {
          AvailableImagesCount: 6,
          NewAvailableImagesCount: undefined,
          FilteredImagesCount: 1,
          NewFilteredImagesCount: undefined,
        },
      },
      {
        name: 'filter admitting nothing: LatestFiltered empty, filtered counts omitted',
        filter: 'semver:^9',
        running: '3.2.0',
        available: ['3.2.0', '3.1.1', '3.1.0', '3.0.0', 'latest', 'dev'],
        latest: '',
        counts: {
          AvailableImagesCount: 6,
          NewAvailableImagesCount: undefined,
          FilteredImagesCount: undefined,
          NewFilteredImagesCount: undefined,
        },
      },
    ];
    it.each(cases)('$name', ({ filter, running, available, latest, counts }) => {
      const [status] = build({
        workloads: [workload(ID, [{ name: 'podinfod', image: `stefanprodan/podinfo:${running}` }])],
        repo: repoOf(resource(ID, filter ? { 'fluxcd.io/tag.podinfod': filter } : {})),
        metadata: registry(PODINFO),
      });
      const c = status?.Containers[0];
      expect(ids(c?.Available)).toEqual(available.map((t) => `stefanprodan/podinfo:${t}`));
      expect(c?.LatestFiltered.ID).toBe(latest ? `stefanprodan/podinfo:${latest}` : '');
      expect({
        AvailableImagesCount: c?.AvailableImagesCount,
        NewAvailableImagesCount: c?.NewAvailableImagesCount,
        FilteredImagesCount: c?.FilteredImagesCount,
        NewFilteredImagesCount: c?.NewFilteredImagesCount,
      }).toEqual(counts);
    });

    it('semver: equal versions, the more explicit tag first; glob: equal times by tag, unknown times last', () => {
      const repo = repository('quay.io/org/app', {
        '1.10': { created: '2021-01-01T00:00:00Z' },
        '1.10.0': { created: '2021-01-01T00:00:00Z' },
        '1.9.0': { created: '2021-02-01T00:00:00Z' },
        b: null,
        a: { created: '2021-01-01T00:00:00Z' },
      });
      const list = (filter: string): string[] => {
        const [s] = build({
          workloads: [workload(ID, [{ name: 'c', image: 'quay.io/org/app:1.9.0' }])],
          repo: repoOf(resource(ID, { 'fluxcd.io/tag.c': filter })),
          metadata: registry(repo),
        });
        return ids(s?.Containers[0]?.Available);
      };
      expect(list('semver:*')).toEqual([
        'quay.io/org/app:1.10.0',
        'quay.io/org/app:1.10',
        'quay.io/org/app:1.9.0',
        ':b',
        'quay.io/org/app:a',
      ]);
      expect(list('glob:*')).toEqual([
        'quay.io/org/app:1.9.0',
        'quay.io/org/app:1.10',
        'quay.io/org/app:1.10.0',
        'quay.io/org/app:a',
        ':b',
      ]);
    });

    it('equal build time is not newer; unknown running time makes nothing newer under glob', () => {
      const repo = repository('quay.io/org/app', {
        'v1-a': { created: '2021-01-01T00:00:00Z' },
        'v1-b': { created: '2021-01-01T00:00:00Z' },
        'v2-a': { created: '2021-03-01T00:00:00Z' },
        untimed: null,
      });
      const counts = (image: string): [number | undefined, number | undefined] => {
        const [s] = build({
          workloads: [workload(ID, [{ name: 'c', image }])],
          metadata: registry(repo),
        });
        return [s?.Containers[0]?.NewAvailableImagesCount, s?.Containers[0]?.NewFilteredImagesCount];
      };
      expect(counts('quay.io/org/app:v1-b')).toEqual([1, 1]);
      expect(counts('quay.io/org/app:untimed')).toEqual([undefined, undefined]);
    });
  });

  it('tags without metadata are ":<tag>" entries; tags without an image for our platform are left out', () => {
    const [status] = build({
      workloads: [workload(ID, [{ name: 'c', image: 'ghcr.io/org/app:v1' }])],
      repo: repoOf(resource(ID, { 'fluxcd.io/tag.c': 'semver:*' })),
      metadata: registry(
        repository('ghcr.io/org/app', {
          v1: { created: '2021-01-01T00:00:00Z', digest: 'sha256:1111' },
          v3: null,
          v2: 'excluded',
          v4: 'excluded',
        }),
      ),
    });
    const c = status?.Containers[0];
    expect(c?.Available).toEqual([
      { ID: ':v3', Labels: {} },
      { ID: 'ghcr.io/org/app:v1', Digest: 'sha256:1111', Labels: {}, CreatedAt: '2021-01-01T00:00:00Z' },
    ]);
    expect(c?.LatestFiltered).toEqual({ ID: ':v3', Labels: {} });
    // Not counted either: v4 would otherwise be a "new" image under semver order.
    expect(c?.AvailableImagesCount).toBe(2);
    expect(c?.NewAvailableImagesCount).toBe(1);
    expect(c?.FilteredImagesCount).toBe(2);
  });

  it('a running tag without an image for our platform: Current is the reference alone', () => {
    const [status] = build({
      workloads: [workload(ID, [{ name: 'c', image: 'ghcr.io/org/app:v2' }])],
      repo: repoOf(resource(ID, {})),
      metadata: registry(
        repository('ghcr.io/org/app', {
          v1: { created: '2021-01-01T00:00:00Z', digest: 'sha256:1111' },
          v2: 'excluded',
        }),
      ),
    });
    const c = status?.Containers[0];
    expect(c?.Current).toEqual({ ID: 'ghcr.io/org/app:v2', Labels: {} });
    expect(c?.Available?.map((a) => a.ID)).toEqual(['ghcr.io/org/app:v1']);
  });

  it('a repository that is not scanned: Current only, Available and counts omitted', () => {
    const [status] = build({ workloads: [workload(ID, [{ name: 'c', image: 'ghcr.io/org/app:v2' }])] });
    expect(JSON.stringify(status)).toBe(
      '{"ID":"demo:deployment/app","Containers":[{"Name":"c","Current":{"ID":"ghcr.io/org/app:v2","Labels":{}},' +
        '"LatestFiltered":{"ID":"","Labels":{}}}]}',
    );
  });

  it('tag filters come from git (both prefixes), not from the cluster object', () => {
    const w = { ...workload(ID, [{ name: 'podinfod', image: 'stefanprodan/podinfo:3.1.0' }]) };
    w.annotations = { 'fluxcd.io/tag.podinfod': 'glob:3.0.*' };
    const latest = (annotations: Record<string, string> | undefined): string | undefined =>
      build({
        workloads: [w],
        repo: annotations ? repoOf(resource(ID, annotations)) : undefined,
        metadata: registry(PODINFO),
      })[0]?.Containers[0]?.LatestFiltered.ID;
    expect(latest(undefined)).toBe('stefanprodan/podinfo:dev');
    expect(latest({})).toBe('stefanprodan/podinfo:dev');
    expect(latest({ 'flux.weave.works/tag.podinfod': 'semver:~3.1' })).toBe('stefanprodan/podinfo:3.1.1');
    expect(latest({ 'fluxcd.io/tag.podinfod': 'glob:3.0.*' })).toBe('stefanprodan/podinfo:3.0.0');
  });

  describe('containerFields', () => {
    const input = (fields: readonly ContainerField[]): ImageStatusInput => ({
      workloads: [workload(ID, [{ name: 'podinfod', image: 'stefanprodan/podinfo:3.1.0' }])],
      repo: new Map(),
      metadata: registry(PODINFO),
      fields,
    });
    const cases: { fields: ContainerField[]; want: string }[] = [
      {
        fields: ['Name'],
        want: '{"Name":"podinfod","Current":{"ID":"","Labels":{}},"LatestFiltered":{"ID":"","Labels":{}}}',
      },
      {
        fields: ['Current', 'Name'],
        want:
          '{"Name":"podinfod","Current":{"ID":"stefanprodan/podinfo:3.1.0","Digest":"sha256:31000000","Labels":{},' +
          '"CreatedAt":"2020-02-01T00:00:00Z"},"LatestFiltered":{"ID":"","Labels":{}}}',
      },
      {
        fields: ['NewFilteredImagesCount', 'AvailableImagesCount'],
        want:
          '{"Current":{"ID":"","Labels":{}},"LatestFiltered":{"ID":"","Labels":{}},' +
          '"AvailableImagesCount":6,"NewFilteredImagesCount":3}',
      },
      {
        fields: ['LatestFiltered', 'AvailableError', 'FilteredImagesCount'],
        want:
          '{"Current":{"ID":"","Labels":{}},"LatestFiltered":{"ID":"stefanprodan/podinfo:dev","Digest":"sha256:dev00000",' +
          '"Labels":{},"CreatedAt":"2020-04-15T00:00:00Z"},"FilteredImagesCount":5}',
      },
    ];
    it.each(cases)('$fields', ({ fields, want }) => {
      expect(JSON.stringify(buildImageStatuses(input(fields))[0]?.Containers[0])).toBe(want);
    });

    it('does not read image metadata when only Name is asked for', () => {
      const asked: string[] = [];
      buildImageStatuses({
        ...input(['Name']),
        metadata: (name) => {
          asked.push(name);
          return undefined;
        },
      });
      expect(asked).toEqual([]);
    });

    it('reads each repository once per call', () => {
      const asked: string[] = [];
      buildImageStatuses({
        workloads: [
          workload('a:deployment/x', [
            { name: 'one', image: 'nginx:1' },
            { name: 'two', image: 'docker.io/library/nginx:2' },
          ]),
          workload('b:deployment/y', [{ name: 'three', image: 'index.docker.io/library/nginx:3' }]),
        ],
        repo: undefined,
        metadata: (name) => {
          asked.push(name);
          return undefined;
        },
      });
      expect(asked).toEqual(['index.docker.io/library/nginx']);
    });

    it('rejects an unknown field as Flux v1 does', () => {
      const run = () => buildImageStatuses(input(['Name', 'Bogus' as ContainerField]));
      expect(run).toThrow(InvalidContainerFieldError);
      expect(run).toThrow('Bogus is an invalid field');
    });
  });

  it('containers then init containers, each with its own repository and filter', () => {
    const [status] = build({
      workloads: [
        workload(ID, [
          { name: 'podinfod', image: 'stefanprodan/podinfo:3.1.0' },
          { name: 'init', image: 'busybox:1.31' },
        ]),
      ],
      repo: repoOf(resource(ID, { 'fluxcd.io/tag.init': 'semver:~1.31' })),
      metadata: registry(
        PODINFO,
        repository('index.docker.io/library/busybox', {
          '1.31': { created: '2019-01-01T00:00:00Z' },
          '1.31.1': { created: '2019-02-01T00:00:00Z' },
          '1.32': { created: '2019-03-01T00:00:00Z' },
        }),
      ),
    });
    expect(status?.Containers.map((c) => [c.Name, c.LatestFiltered.ID])).toEqual([
      ['podinfod', 'stefanprodan/podinfo:dev'],
      ['init', 'busybox:1.31.1'],
    ]);
  });

  it('an unparsable image empties the workload container list (Flux v1)', () => {
    const [status] = build({
      workloads: [
        workload(ID, [
          { name: 'ok', image: 'nginx:1' },
          { name: 'bad', image: '/nginx' },
        ]),
      ],
    });
    expect(status?.Containers).toEqual([]);
  });

  it('sorts workloads by ID', () => {
    const statuses = build({
      workloads: [
        workload('b:deployment/x', []),
        workload('a:statefulset/y', []),
        workload('a:deployment/z', []),
      ],
    });
    expect(statuses.map((s) => s.ID)).toEqual(['a:deployment/z', 'a:statefulset/y', 'b:deployment/x']);
  });

  it('golden: a HelmRelease with a semver filter and a tag without metadata', () => {
    const id = 'demo:helmrelease/podinfo';
    const statuses = build({
      workloads: [
        workload(id, [{ name: 'chart-image', image: 'stefanprodan/podinfo:3.1.0' }], 'HelmRelease'),
      ],
      repo: repoOf(resource(id, { 'fluxcd.io/tag.chart-image': 'semver:~3.1' })),
      metadata: registry(
        repository('index.docker.io/stefanprodan/podinfo', {
          '3.1.0': {
            created: '2020-02-01T00:00:00.5Z',
            digest: 'sha256:310',
            imageId: 'sha256:c310',
            labels: { 'org.opencontainers.image.created': '2020-02-01T00:00:00Z' },
          },
          '3.1.1': null,
          '3.2.0': { created: '2020-04-01T00:00:00Z', digest: 'sha256:320' },
          latest: { created: '2020-05-01T00:00:00Z', digest: 'sha256:320' },
        }),
      ),
    });
    expect(JSON.stringify(statuses)).toBe(
      '[{"ID":"demo:helmrelease/podinfo","Containers":[{"Name":"chart-image",' +
        '"Current":{"ID":"stefanprodan/podinfo:3.1.0","Digest":"sha256:310","ImageID":"sha256:c310",' +
        '"Labels":{"org.opencontainers.image.created":"2020-02-01T00:00:00Z"},"CreatedAt":"2020-02-01T00:00:00.5Z"},' +
        '"LatestFiltered":{"ID":":3.1.1","Labels":{}},' +
        '"Available":[' +
        '{"ID":"stefanprodan/podinfo:3.2.0","Digest":"sha256:320","Labels":{},"CreatedAt":"2020-04-01T00:00:00Z"},' +
        '{"ID":":3.1.1","Labels":{}},' +
        '{"ID":"stefanprodan/podinfo:3.1.0","Digest":"sha256:310","ImageID":"sha256:c310",' +
        '"Labels":{"org.opencontainers.image.created":"2020-02-01T00:00:00Z"},"CreatedAt":"2020-02-01T00:00:00.5Z"},' +
        '{"ID":"stefanprodan/podinfo:latest","Digest":"sha256:320","Labels":{},"CreatedAt":"2020-05-01T00:00:00Z"}],' +
        '"AvailableImagesCount":4,"NewAvailableImagesCount":2,"FilteredImagesCount":2,"NewFilteredImagesCount":1}]}]',
    );
  });

  it('golden: two workloads, glob default and an unscanned image', () => {
    const statuses = build({
      workloads: [
        workload('demo:deployment/web', [{ name: 'nginx', image: 'nginx:1.19' }]),
        workload('demo:cronjob/backup', [
          { name: 'backup', image: 'registry.example.com:5000/tools/backup:v1' },
        ]),
      ],
      repo: repoOf(resource('demo:deployment/web', { 'fluxcd.io/automated': 'true' })),
      metadata: registry(
        repository('index.docker.io/library/nginx', {
          '1.19': { created: '2020-06-01T00:00:00Z', digest: 'sha256:119' },
          '1.20': { created: '2021-06-01T00:00:00Z', digest: 'sha256:120' },
        }),
      ),
    });
    expect(JSON.stringify(statuses)).toBe(
      '[{"ID":"demo:cronjob/backup","Containers":[{"Name":"backup",' +
        '"Current":{"ID":"registry.example.com:5000/tools/backup:v1","Labels":{}},"LatestFiltered":{"ID":"","Labels":{}}}]},' +
        '{"ID":"demo:deployment/web","Containers":[{"Name":"nginx",' +
        '"Current":{"ID":"nginx:1.19","Digest":"sha256:119","Labels":{},"CreatedAt":"2020-06-01T00:00:00Z"},' +
        '"LatestFiltered":{"ID":"nginx:1.20","Digest":"sha256:120","Labels":{},"CreatedAt":"2021-06-01T00:00:00Z"},' +
        '"Available":[{"ID":"nginx:1.20","Digest":"sha256:120","Labels":{},"CreatedAt":"2021-06-01T00:00:00Z"},' +
        '{"ID":"nginx:1.19","Digest":"sha256:119","Labels":{},"CreatedAt":"2020-06-01T00:00:00Z"}],' +
        '"AvailableImagesCount":2,"NewAvailableImagesCount":1,"FilteredImagesCount":2,"NewFilteredImagesCount":1}]}]',
    );
  });
});

describe('imageRepositories', () => {
  it('canonical names, each once, sorted; unparsable images left out', () => {
    expect(
      imageRepositories([
        workload('a:deployment/x', [
          { name: 'a', image: 'nginx:1' },
          { name: 'b', image: 'docker.io/library/nginx:2' },
          { name: 'c', image: 'quay.io/org/app@sha256:0123456789abcdef0123456789abcdef' },
        ]),
        workload('b:helmrelease/y', [
          { name: 'chart-image', image: 'stefanprodan/podinfo:3.1.0' },
          { name: 'bad', image: 'a:b:c' },
        ]),
      ]),
    ).toEqual(['index.docker.io/library/nginx', 'index.docker.io/stefanprodan/podinfo', 'quay.io/org/app']);
  });
});
