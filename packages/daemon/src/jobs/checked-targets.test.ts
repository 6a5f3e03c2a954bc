import {
  type ImageInfo,
  noopLogger,
  parseImageRef,
  planAutomation,
  type ReleaseWorkload,
  tagFilterFromPolicy,
} from '@flux-ts/core';
import type { RepositoryMetadata, Scanner } from '@flux-ts/registry';
import { describe, expect, it } from 'vitest';
import { planCheckingTargets } from './checked-targets.ts';

const REPO = 'registry.example.com/team/multi';
const ARM_ONLY = { wanted: ['linux/amd64'], available: ['linux/arm64/v8'] };
const read = (tag: string): ImageInfo => ({ ref: parseImageRef(`${REPO}:${tag}`), labels: {} });
const listed = (tag: string): ImageInfo => ({ ref: parseImageRef(`${REPO}:${tag}`) });

/**
 * A scan caught between reading the tag list and reading the manifests: `images` as getRepository
 * answers now, `manifests` what imageInfo would read. Records the images it is asked for.
 */
function scanCaughtMidway(images: ImageInfo[], manifests: Record<string, ImageInfo>) {
  const asked: string[] = [];
  const scanner: Scanner = {
    async getRepository(): Promise<RepositoryMetadata> {
      return { name: REPO, tags: images.map((i) => i.ref.tag), images, lastUpdate: 1 };
    },
    async refresh() {
      throw new Error('planning never refreshes');
    },
    async imageInfo(ref) {
      const tag = typeof ref === 'string' ? parseImageRef(ref).tag : ref.tag;
      asked.push(tag);
      return manifests[tag];
    },
    async start() {},
    prioritise() {},
  };
  return { scanner, asked };
}

const automated: ReleaseWorkload = {
  id: 'demo:deployment/multi',
  containers: [
    { name: 'multi', image: `${REPO}:1.0.0`, ref: parseImageRef(`${REPO}:1.0.0`), kind: 'container' },
  ],
  automated: true,
  locked: false,
  ignored: false,
  tagFilter: () => tagFilterFromPolicy('semver:*'),
};

const plan = (scanner: Scanner) =>
  planCheckingTargets(scanner, {
    repositories: [REPO],
    plan: (images) => planAutomation([automated], images),
    targets: (p) => p.changes.map((c) => c.target),
    logger: noopLogger,
  });

describe('planCheckingTargets', () => {
  it('reads unread chosen tags and plans again without those that have no image for our platform', async () => {
    const { scanner, asked } = scanCaughtMidway(
      [read('1.0.0'), listed('1.1.0'), listed('1.2.0'), listed('1.3.0')],
      {
        '1.3.0': { ...listed('1.3.0'), platformMismatch: ARM_ONLY },
        '1.2.0': { ...listed('1.2.0'), platformMismatch: ARM_ONLY },
        '1.1.0': read('1.1.0'),
      },
    );

    const planned = await plan(scanner);

    expect(planned.changes.map((c) => c.target)).toEqual([`${REPO}:1.1.0`]);
    expect(asked).toEqual(['1.3.0', '1.2.0', '1.1.0']);
  });

  it('asks nothing when the chosen tag was read by the scan', async () => {
    const { scanner, asked } = scanCaughtMidway([read('1.0.0'), read('1.1.0')], {});

    const planned = await plan(scanner);

    expect(planned.changes.map((c) => c.target)).toEqual([`${REPO}:1.1.0`]);
    expect(asked).toEqual([]);
  });

  it('keeps the plan when the registry cannot answer (a semver decision needs only the tag)', async () => {
    const { scanner, asked } = scanCaughtMidway([read('1.0.0'), listed('1.1.0')], {});
    scanner.imageInfo = async (ref) => {
      asked.push(String(ref));
      throw new Error('registry.example.com: 503');
    };

    const planned = await plan(scanner);

    expect(planned.changes.map((c) => c.target)).toEqual([`${REPO}:1.1.0`]);
    expect(asked).toHaveLength(1);
  });
});
