import { automatedCommit } from './automated-commit.ts';
import { clusterUpdated } from './cluster-updated.ts';
import { firstSync } from './first-sync.ts';
import { listImages } from './list-images.ts';
import { listWorkloads } from './list-workloads.ts';
import { manualRelease } from './manual-release.ts';
import { pushTag } from './push-tag.ts';
import type { Step } from './types.ts';
import { whyLocked } from './why-locked.ts';

export type { DemoContext, Step } from './types.ts';

/** The demo's steps, in order. */
export const STEPS: readonly Step[] = [
  firstSync,
  listWorkloads,
  listImages,
  pushTag,
  automatedCommit,
  clusterUpdated,
  manualRelease,
  whyLocked,
];
