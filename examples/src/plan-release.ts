// Plans a release of one image over a folder of manifests, as `fluxctl release --update-image`
// does, and prints the result of every workload with Flux v1's statuses and reasons: `success`
// with the containers it changes, `skipped` (locked, ignored, already up to date), `ignored`
// (another image, not included, excluded). Planning is pure: nothing is written unless --execute,
// which then edits the files byte-exactly as fluxd's release job does.
//
//   pnpm -s build && node examples/dist/plan-release.js <dir> <image:tag> \
//       [--workload <id>]... [--exclude <id>]... [--force] [--execute]
//   e.g. node examples/dist/plan-release.js ./clusters/prod nginx:1.27.2 --exclude prod:deployment/legacy
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ALL_WORKLOADS,
  loadManifests,
  parseImageRef,
  planRelease,
  releaseWorkload,
  setContainerImage,
} from '@flux-ts/core';
import { runMain, UsageError } from './cli.ts';

runMain(
  'plan-release <dir> <image:tag> [--workload <id>]... [--exclude <id>]... [--force] [--execute]',
  async () => {
    const { values, positionals } = parseArgs({
      allowPositionals: true,
      options: {
        workload: { type: 'string', multiple: true, default: [] },
        exclude: { type: 'string', multiple: true, default: [] },
        force: { type: 'boolean', default: false },
        execute: { type: 'boolean', default: false },
      },
    });
    const [dir, image, ...rest] = positionals;
    if (!dir || !image || rest.length > 0) throw new UsageError('expected a directory and one image');
    const target = parseImageRef(image);
    if (!target.tag) throw new UsageError(`${image}: give the tag to release, e.g. ${image}:1.2.3`);

    const { resources, errors } = await loadManifests(dir);
    for (const err of errors) console.error(`warning: ${err.message}`);
    const workloads = resources.filter((r) => r.containers).map(releaseWorkload);

    // The images the planner may choose from; fluxd asks its registry scan. Here: the named one.
    const known = (canonicalName: string) =>
      canonicalName === target.canonicalName ? [{ ref: target }] : [];
    const plan = planRelease(
      {
        serviceSpecs: values.workload.length > 0 ? values.workload : [ALL_WORKLOADS],
        imageSpec: image,
        excludes: values.exclude,
        force: values.force,
        kind: values.execute ? 'execute' : 'plan',
      },
      workloads,
      known,
    );

    for (const [id, result] of Object.entries(plan.result)) {
      const detail = result.perContainer
        ? result.perContainer.map((c) => `${c.container}: ${c.current} -> ${c.target}`).join(', ')
        : (result.error ?? '');
      console.log(`${id}\t${result.status}\t${detail}`);
    }

    if (!values.execute) return;
    for (const { id, updates } of plan.updates) {
      const resource = resources.find((r) => r.id.toString() === id);
      if (!resource) continue;
      const path = join(dir, resource.file);
      let text = await readFile(path, 'utf8');
      for (const u of updates) text = setContainerImage(text, id, u.container, u.target);
      await writeFile(path, text);
    }
    console.log(`wrote ${plan.updates.length} workload(s)`);
  },
);
