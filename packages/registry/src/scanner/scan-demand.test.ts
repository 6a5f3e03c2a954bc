import { describe, expect, it } from 'vitest';
import { scanDemands, timeOrderedFilters } from './scan-demand.ts';

const workload = (annotations: Record<string, string>, ...containers: [string, string][]) => ({
  annotations,
  containers: containers.map(([name, image]) => ({ name, image })),
});

describe('scanDemands', () => {
  it('names every repository the workloads run, with the filters of the containers automation may update', () => {
    const demands = scanDemands([
      workload(
        {
          'fluxcd.io/automated': 'true',
          'fluxcd.io/tag.app': 'semver:~1',
          'flux.weave.works/tag.sidecar': 'glob:main-*',
        },
        ['app', 'ghcr.io/acme/app:1.0.0'],
        ['sidecar', 'ghcr.io/acme/sidecar:main-abc1234'],
      ),
      workload({ 'fluxcd.io/automated': 'true' }, ['web', 'nginx:1.25']),
      workload({ 'fluxcd.io/automated': 'true', 'fluxcd.io/locked': 'true' }, [
        'app',
        'ghcr.io/acme/locked:1',
      ]),
      workload({ 'fluxcd.io/automated': 'true', 'fluxcd.io/ignore': 'true' }, [
        'app',
        'ghcr.io/acme/ignored:1',
      ]),
      workload({}, ['app', 'ghcr.io/acme/app:1.0.0'], ['bad', 'x::y']),
    ]);

    expect(demands).toEqual([
      { repository: 'ghcr.io/acme/app', automatedFilters: ['semver:~1'] },
      { repository: 'ghcr.io/acme/ignored' },
      { repository: 'ghcr.io/acme/locked' },
      { repository: 'ghcr.io/acme/sidecar', automatedFilters: ['glob:main-*'] },
      { repository: 'index.docker.io/library/nginx', automatedFilters: ['glob:*'] },
    ]);
  });
});

describe('timeOrderedFilters', () => {
  it('keeps the filters that order by creation time (glob, regexp; none is glob:*), not semver', () => {
    const filters = timeOrderedFilters({
      repository: 'r',
      automatedFilters: ['semver:~1', 'glob:main-*', 'regex:^v', '', 'regexp:('],
    });

    expect(filters.map((f) => f.raw)).toEqual(['glob:main-*', 'regex:^v', 'glob:*', 'regexp:(']);
    expect(filters[0]?.matches('main-abc1234')).toBe(true);
    expect(timeOrderedFilters(undefined)).toEqual([]);
  });
});
