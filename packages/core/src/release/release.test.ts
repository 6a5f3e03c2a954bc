import { describe, expect, it } from 'vitest';
import type { ImageInfo } from '../image/info.ts';
import { parseImageRef } from '../image/ref.ts';
import type { Container } from '../resource/types.ts';
import { explainContainer } from './explain.ts';
import { planAutomation } from './plan-automation.ts';
import { ContainersReleaseError, planContainersRelease } from './plan-containers.ts';
import { ALL_LATEST, ALL_WORKLOADS, ImageNotFoundError, planRelease } from './plan-release.ts';
import { tagFilterFromPolicy } from './tag-filter.ts';
import type { ClusterWorkload, ReleaseWorkload } from './types.ts';

const day = (n: number): Date => new Date(Date.UTC(2024, 0, n));
const img = (ref: string, created?: number): ImageInfo => ({
  ref: parseImageRef(ref),
  ...(created === undefined ? {} : { createdAt: day(created) }),
});

// The scanned registry: helloworld has time-ordered tags, app has semver tags.
const registry = new Map<string, ImageInfo[]>([
  [
    'quay.io/weaveworks/helloworld',
    [
      img('quay.io/weaveworks/helloworld:master-a000001', 1),
      img('quay.io/weaveworks/helloworld:master-a000002', 2),
      img('quay.io/weaveworks/helloworld:dev-b000003', 3),
    ],
  ],
  [
    'index.docker.io/acme/app',
    [
      img('acme/app:1.0.0', 5),
      img('acme/app:1.1.0', 3),
      img('acme/app:2.0.0-rc.1', 9),
      img('acme/app:1.0.1', 1),
    ],
  ],
]);
const lookup = (name: string): ImageInfo[] | undefined => registry.get(name);

function container(name: string, image: string): Container {
  return { name, image, ref: parseImageRef(image), kind: 'container' };
}

function workload(
  id: string,
  containers: Container[],
  policies: Record<string, string> = {},
): ReleaseWorkload {
  return {
    id,
    containers,
    automated: policies.automated === 'true',
    locked: policies.locked === 'true',
    ignored: policies.ignore === 'true',
    tagFilter: (c) => tagFilterFromPolicy(policies[`tag.${c}`]),
  };
}

const hello = workload(
  'default:deployment/helloworld',
  [container('helloworld', 'quay.io/weaveworks/helloworld:master-a000001')],
  {
    automated: 'true',
    'tag.helloworld': 'glob:master-*',
  },
);
const app = workload(
  'prod:deployment/app',
  [container('app', 'acme/app:1.0.0'), container('sidecar', 'quay.io/weaveworks/helloworld:master-a000002')],
  {
    'tag.app': 'semver:~1',
  },
);
const locked = workload('prod:deployment/locked', [container('app', 'acme/app:1.0.0')], { locked: 'true' });
const inCluster = (...ws: ReleaseWorkload[]): Map<string, ClusterWorkload> =>
  new Map(
    ws.map((w) => [
      w.id,
      { id: w.id, containers: w.containers.map((c) => ({ name: c.name, image: c.image })), ignored: false },
    ]),
  );

describe('planRelease', () => {
  it('releases <all latest> under each container filter, keeping the manifest form', () => {
    const plan = planRelease(
      { serviceSpecs: [ALL_WORKLOADS], imageSpec: ALL_LATEST, kind: 'plan' },
      [hello, app, locked],
      lookup,
      { cluster: inCluster(hello, app, locked) },
    );

    expect(plan.result).toEqual({
      'default:deployment/helloworld': {
        status: 'success',
        perContainer: [
          {
            container: 'helloworld',
            current: 'quay.io/weaveworks/helloworld:master-a000001',
            target: 'quay.io/weaveworks/helloworld:master-a000002',
          },
        ],
      },
      'prod:deployment/app': {
        status: 'success',
        perContainer: [
          { container: 'app', current: 'acme/app:1.0.0', target: 'acme/app:1.1.0' },
          {
            container: 'sidecar',
            current: 'quay.io/weaveworks/helloworld:master-a000002',
            target: 'quay.io/weaveworks/helloworld:dev-b000003',
          },
        ],
      },
      'prod:deployment/locked': { status: 'skipped', error: 'locked' },
    });
    expect(plan.updates.map((u) => u.id)).toEqual(['default:deployment/helloworld', 'prod:deployment/app']);
  });

  it('releases an explicit image past the tag filter (Flux v1 applied it), but not past a lock', () => {
    const spec = { serviceSpecs: [ALL_WORKLOADS], imageSpec: 'acme/app:2.0.0-rc.1', kind: 'plan' as const };

    const plan = planRelease(spec, [hello, app, locked], lookup);

    expect(plan.result['prod:deployment/app']).toEqual({
      status: 'success',
      perContainer: [{ container: 'app', current: 'acme/app:1.0.0', target: 'acme/app:2.0.0-rc.1' }],
    });
    expect(plan.result['default:deployment/helloworld']).toEqual({
      status: 'ignored',
      error: 'a different image',
    });
    expect(plan.result['prod:deployment/locked']).toEqual({ status: 'skipped', error: 'locked' });
  });

  it('releases a locked workload when it is named and forced', () => {
    const plan = planRelease(
      { serviceSpecs: ['prod:deployment/locked'], imageSpec: 'acme/app:1.1.0', kind: 'plan', force: true },
      [hello, locked],
      lookup,
    );

    expect(plan.result).toEqual({
      'default:deployment/helloworld': { status: 'ignored', error: 'not included' },
      'prod:deployment/locked': {
        status: 'success',
        perContainer: [{ container: 'app', current: 'acme/app:1.0.0', target: 'acme/app:1.1.0' }],
      },
    });
  });

  it.each`
    case                    | spec                                                                                           | cluster      | expected
    ${'excluded'}           | ${{ serviceSpecs: [ALL_WORKLOADS], imageSpec: ALL_LATEST, excludes: ['prod:deployment/app'] }} | ${undefined} | ${{ status: 'ignored', error: 'excluded' }}
    ${'not in the cluster'} | ${{ serviceSpecs: [ALL_WORKLOADS], imageSpec: ALL_LATEST }}                                    | ${new Map()} | ${{ status: 'skipped', error: 'not accessible in cluster' }}
    ${'up to date'}         | ${{ serviceSpecs: ['prod:deployment/app'], imageSpec: 'acme/app:1.0.0' }}                      | ${undefined} | ${{ status: 'skipped', error: 'image(s) up to date' }}
  `('reports $case with Flux v1 reasons', ({ spec, cluster, expected }) => {
    const appOnly = workload('prod:deployment/app', [container('app', 'acme/app:1.0.0')]);

    const plan = planRelease({ kind: 'plan', ...spec }, [appOnly], lookup, { cluster });

    expect(plan.result['prod:deployment/app']).toEqual(expected);
  });

  it('says which named workloads are not in the repository, and which images are unknown', () => {
    const unknown = workload('prod:deployment/mystery', [container('m', 'ghcr.io/acme/mystery:1')]);

    const plan = planRelease(
      {
        serviceSpecs: ['prod:deployment/mystery', 'prod:deployment/gone'],
        imageSpec: ALL_LATEST,
        kind: 'plan',
      },
      [unknown],
      lookup,
    );

    expect(plan.result).toEqual({
      'prod:deployment/gone': { status: 'skipped', error: 'not found in repository' },
      'prod:deployment/mystery': { status: 'unknown', error: 'cannot find one or more images' },
    });
  });

  it('fails the whole release for an image the scan has not seen', () => {
    const spec = { serviceSpecs: [ALL_WORKLOADS], imageSpec: 'acme/app:9.9.9', kind: 'plan' as const };

    expect(() => planRelease(spec, [app], lookup)).toThrow(ImageNotFoundError);
    expect(() => planRelease(spec, [app], lookup)).toThrow(
      'image "acme/app:9.9.9" does not exist: invalid image ID',
    );
  });
});

describe('planContainersRelease', () => {
  it('matches containers by name and checks current images', () => {
    const plan = planContainersRelease(
      {
        kind: 'execute',
        containerSpecs: {
          'prod:deployment/app': [
            {
              container: 'sidecar',
              current: 'quay.io/weaveworks/helloworld:master-a000002',
              target: 'quay.io/weaveworks/helloworld:v2',
            },
            { container: 'app', current: '', target: 'acme/app:1.0.0' },
          ],
        },
      },
      [app],
    );

    expect(plan.result).toEqual({
      'prod:deployment/app': {
        status: 'success',
        perContainer: [
          {
            container: 'sidecar',
            current: 'quay.io/weaveworks/helloworld:master-a000002',
            target: 'quay.io/weaveworks/helloworld:v2',
          },
        ],
      },
    });
  });

  it.each`
    case                   | specs                                                                    | skipMismatches | message                   | expected
    ${'unknown container'} | ${[{ container: 'nope', current: '', target: 'x:1' }]}                   | ${false}       | ${'cannot satisfy specs'} | ${{ status: 'failed', error: 'container(s) not found: nope' }}
    ${'tag mismatch'}      | ${[{ container: 'app', current: 'acme/app:0.9', target: 'acme/app:2' }]} | ${false}       | ${'cannot satisfy specs'} | ${{ status: 'failed', error: 'container(s) tag mismatch: app' }}
    ${'nothing to change'} | ${[{ container: 'app', current: '', target: 'acme/app:1.0.0' }]}         | ${false}       | ${'no changes found'}     | ${{ status: 'skipped', error: 'image(s) up to date' }}
  `('fails with "$message" on $case', ({ specs, skipMismatches, message, expected }) => {
    let thrown: unknown;
    try {
      planContainersRelease(
        { kind: 'execute', containerSpecs: { 'prod:deployment/app': specs }, skipMismatches },
        [app],
      );
    } catch (err) {
      thrown = err;
    }

    expect(thrown).toBeInstanceOf(ContainersReleaseError);
    expect((thrown as ContainersReleaseError).message).toBe(message);
    expect((thrown as ContainersReleaseError).result['prod:deployment/app']).toEqual(expected);
  });

  it('goes on past a mismatch with skipMismatches, and reports it', () => {
    const plan = planContainersRelease(
      {
        kind: 'execute',
        skipMismatches: true,
        containerSpecs: {
          'prod:deployment/app': [
            { container: 'app', current: 'acme/app:0.9', target: 'acme/app:2' },
            { container: 'sidecar', current: '', target: 'quay.io/weaveworks/helloworld:v2' },
          ],
        },
      },
      [app],
    );

    expect(plan.result['prod:deployment/app']).toEqual({
      status: 'success',
      error: 'container(s) tag mismatch: app',
      perContainer: [
        {
          container: 'sidecar',
          current: 'quay.io/weaveworks/helloworld:master-a000002',
          target: 'quay.io/weaveworks/helloworld:v2',
        },
      ],
    });
  });
});

describe('planAutomation', () => {
  it('moves automated workloads to the newest allowed image, one change per container', () => {
    const plan = planAutomation([hello, app, locked], lookup, { cluster: inCluster(hello, app, locked) });

    expect(plan.changes).toEqual([
      {
        id: 'default:deployment/helloworld',
        container: 'helloworld',
        current: 'quay.io/weaveworks/helloworld:master-a000001',
        target: 'quay.io/weaveworks/helloworld:master-a000002',
      },
    ]);
  });

  it('never moves backwards: a newer-created but lower semver tag does not win, nor does an older build', () => {
    const semverApp = workload('prod:deployment/app', [container('app', 'acme/app:1.1.0')], {
      automated: 'true',
      'tag.app': 'semver:~1',
    });
    const timeApp = workload(
      'prod:deployment/hello',
      [container('h', 'quay.io/weaveworks/helloworld:dev-b000003')],
      { automated: 'true', 'tag.h': 'glob:*' },
    );
    const lowerRunning = workload('prod:deployment/app2', [container('app', 'acme/app:1.1.0')], {
      automated: 'true',
      'tag.app': 'semver:~1',
    });
    const cluster = inCluster(semverApp, timeApp, lowerRunning);

    const plan = planAutomation([semverApp, timeApp, lowerRunning], lookup, { cluster });

    expect(plan.changes).toEqual([]);
  });

  it('skips time-ordered filters without timestamps, saying why', () => {
    const noTime = new Map([['index.docker.io/acme/tool', [img('acme/tool:a'), img('acme/tool:b', 2)]]]);
    const tool = workload('prod:deployment/tool', [container('t', 'acme/tool:b')], { automated: 'true' });
    const older = workload('prod:deployment/tool2', [container('t', 'acme/tool:a')], { automated: 'true' });

    const plan = planAutomation([tool, older], (n) => noTime.get(n));

    expect(plan.changes).toEqual([]);
    expect(plan.skipped).toEqual([
      {
        id: 'prod:deployment/tool2',
        container: 't',
        reason: 'glob:* orders by creation time, and a has none',
      },
    ]);
  });

  it('compares against the image running in the cluster', () => {
    const cluster = inCluster(hello);
    cluster.set(hello.id, {
      id: hello.id,
      containers: [{ name: 'helloworld', image: 'quay.io/weaveworks/helloworld:master-a000002' }],
      ignored: false,
    });

    const plan = planAutomation([hello], lookup, { cluster });

    // The cluster already runs the newest; git still says a000001, so git is brought up to it.
    expect(plan.changes).toEqual([
      {
        id: 'default:deployment/helloworld',
        container: 'helloworld',
        current: 'quay.io/weaveworks/helloworld:master-a000001',
        target: 'quay.io/weaveworks/helloworld:master-a000002',
      },
    ]);
  });
});

describe('explainContainer', () => {
  it('gives a verdict for every known tag', () => {
    const explanation = explainContainer(app, 'app', registry.get('index.docker.io/acme/app') ?? []);

    expect(explanation).toMatchObject({ filter: 'semver:~1', blocked: 'the workload is not automated' });
    expect(explanation.tags.map((t) => [t.tag, t.verdict])).toEqual([
      ['1.1.0', 'chosen'],
      ['1.0.1', 'superseded'],
      ['1.0.0', 'current'],
      ['2.0.0-rc.1', 'filtered'],
    ]);
  });
});
