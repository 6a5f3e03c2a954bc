// Tags without an image for the configured platforms (decisions.md 11, 19): never chosen, and
// explained with the platforms they have.
import { describe, expect, it } from 'vitest';
import type { ImageInfo } from '../image/info.ts';
import { describePlatformMismatch } from '../image/platform-mismatch.ts';
import { parseImageRef } from '../image/ref.ts';
import { explainContainer, TagVerdict } from './explain.ts';
import { planAutomation } from './plan-automation.ts';
import { ALL_LATEST, ALL_WORKLOADS, ImageWrongPlatformError, planRelease } from './plan-release.ts';
import { tagFilterFromPolicy } from './tag-filter.ts';
import type { ClusterWorkload, ReleaseWorkload } from './types.ts';

const REPO = 'registry.example.com/team/multi';
const ARM_ONLY = { wanted: ['linux/amd64'], available: ['linux/arm64/v8', 'linux/s390x'] };

const usable = (tag: string, month: number): ImageInfo => ({
  ref: parseImageRef(`${REPO}:${tag}`),
  digest: `sha256:${tag}`,
  labels: {},
  createdAt: new Date(Date.UTC(2024, month - 1, 1)),
});
const armOnly = (tag: string): ImageInfo => ({
  ref: parseImageRef(`${REPO}:${tag}`),
  platformMismatch: ARM_ONLY,
});

// 1.2.0 and 2.0.0 are the newest versions, but have no linux/amd64 image.
const images = [usable('1.0.0', 1), usable('1.1.0', 2), armOnly('1.2.0'), armOnly('2.0.0')];
const lookup = (name: string): ImageInfo[] | undefined => (name === REPO ? images : undefined);

function multi(filter?: string, tag = '1.0.0', automated = true): ReleaseWorkload {
  const image = `${REPO}:${tag}`;
  return {
    id: 'demo:deployment/multi',
    containers: [{ name: 'multi', image, ref: parseImageRef(image), kind: 'container' }],
    automated,
    locked: false,
    ignored: false,
    tagFilter: () => tagFilterFromPolicy(filter),
  };
}
const running = (w: ReleaseWorkload): Map<string, ClusterWorkload> =>
  new Map([[w.id, { id: w.id, containers: w.containers.map((c) => ({ ...c })), ignored: false }]]);

describe('describePlatformMismatch', () => {
  it('names the platforms wanted and the ones the tag has', () => {
    expect(describePlatformMismatch(ARM_ONLY)).toBe(
      'no image for linux/amd64 (it has linux/arm64/v8, linux/s390x)',
    );
    expect(describePlatformMismatch({ wanted: ['linux/amd64', 'linux/arm64'], available: [] })).toBe(
      'no image for linux/amd64, linux/arm64 (it has no platform entries)',
    );
    // Cached by an older fluxd, which did not record the list's platforms.
    expect(describePlatformMismatch({ wanted: ['linux/amd64'] })).toBe('no image for linux/amd64');
  });
});

describe('automation skips tags without an image for our platform', () => {
  it.each([
    ['semver:*', '1.1.0'],
    ['semver:~1', '1.1.0'],
    ['glob:*', '1.1.0'],
    ['regexp:^1\\.', '1.1.0'],
  ])('under %s it takes %s', (filter, tag) => {
    const w = multi(filter);
    const plan = planAutomation([w], lookup, { cluster: running(w) });
    expect(plan.changes).toEqual([
      { id: w.id, container: 'multi', current: `${REPO}:1.0.0`, target: `${REPO}:${tag}` },
    ]);
  });

  it('says why when every matching tag lacks the platform', () => {
    const w = multi('semver:>=1.2');
    const plan = planAutomation([w], lookup, { cluster: running(w) });
    expect(plan.changes).toEqual([]);
    expect(plan.skipped).toEqual([
      {
        id: w.id,
        container: 'multi',
        reason:
          'no image matching semver:>=1.2 runs here: 2.0.0 has no image for linux/amd64 (it has linux/arm64/v8, linux/s390x)',
      },
    ]);
  });
});

describe('releases skip tags without an image for our platform', () => {
  it('<all latest> takes the newest tag that runs here', () => {
    const w = multi('semver:*', '1.0.0', false);
    const plan = planRelease(
      { serviceSpecs: [ALL_WORKLOADS], imageSpec: ALL_LATEST, kind: 'plan' },
      [w],
      lookup,
      { cluster: running(w) },
    );
    expect(plan.updates).toEqual([
      { id: w.id, updates: [{ container: 'multi', current: `${REPO}:1.0.0`, target: `${REPO}:1.1.0` }] },
    ]);
  });

  it('an explicit image without our platform fails with the platforms it has', () => {
    const w = multi('semver:*', '1.0.0', false);
    const release = () =>
      planRelease(
        { serviceSpecs: [w.id], imageSpec: `${REPO}:1.2.0`, kind: 'plan', force: true },
        [w],
        lookup,
      );
    expect(release).toThrow(ImageWrongPlatformError);
    // fluxctl shows only the help of an error: it names the tag and the platforms too.
    const err = (() => {
      try {
        release();
      } catch (e) {
        return e as ImageWrongPlatformError;
      }
      return undefined;
    })();
    expect(err?.help).toContain(
      'cannot run here: no image for linux/amd64 (it has linux/arm64/v8, linux/s390x)',
    );
    expect(release).toThrow(
      `image "${REPO}:1.2.0" cannot run here: no image for linux/amd64 (it has linux/arm64/v8, linux/s390x)`,
    );
  });
});

describe('explainContainer names the platform', () => {
  it('semver: newer tags without our platform come first, each with the platforms it has', () => {
    const explanation = explainContainer(multi('semver:*'), 'multi', images);
    expect(explanation.tags.map((t) => [t.tag, t.verdict, t.detail])).toEqual([
      ['2.0.0', TagVerdict.Platform, 'no image for linux/amd64 (it has linux/arm64/v8, linux/s390x)'],
      ['1.2.0', TagVerdict.Platform, 'no image for linux/amd64 (it has linux/arm64/v8, linux/s390x)'],
      ['1.1.0', TagVerdict.Chosen, 'newest allowed by the filter that runs here'],
      ['1.0.0', TagVerdict.Current, 'running now'],
    ]);
  });

  it('glob: the platform, not a missing timestamp, is the reason', () => {
    const explanation = explainContainer(multi(), 'multi', images, `${REPO}:1.1.0`);
    expect(explanation.tags.map((t) => [t.tag, t.verdict])).toEqual([
      ['1.1.0', TagVerdict.Current],
      ['1.0.0', TagVerdict.NotNewer],
      ['1.2.0', TagVerdict.Platform],
      ['2.0.0', TagVerdict.Platform],
    ]);
  });

  it('a tag the filter rejects is filtered, whatever its platforms', () => {
    const explanation = explainContainer(multi('semver:~1'), 'multi', images);
    expect(explanation.tags.find((t) => t.tag === '2.0.0')?.verdict).toBe(TagVerdict.Filtered);
    expect(explanation.tags.find((t) => t.tag === '1.2.0')?.verdict).toBe(TagVerdict.Platform);
  });

  it('the running tag without our platform stays current, and says so', () => {
    const explanation = explainContainer(multi('semver:*', '2.0.0'), 'multi', images);
    expect(explanation.tags[0]).toEqual({
      tag: '2.0.0',
      verdict: TagVerdict.Current,
      detail:
        'running now, and the newest allowed, though the registry has no image for linux/amd64 (it has linux/arm64/v8, linux/s390x)',
    });
  });
});
