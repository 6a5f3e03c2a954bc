// Sets new image tags in a folder of manifests, the way fluxd writes a release: every container of
// every workload that runs one of the given images' repositories gets the new tag, and only the tag
// bytes of each file change (comments, quotes, key order and line endings stay as they were). The
// repository keeps the spelling of the manifest (`nginx` stays `nginx`, not `docker.io/library/nginx`).
// No policies are consulted (see plan-release.ts for a policy-aware plan).
//
//   pnpm -s build && node examples/dist/update-images.js <dir> <image:tag>...
//   e.g. node examples/dist/update-images.js ./clusters/prod nginx:1.27.2 ghcr.io/org/api:v2.1.0
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadManifests, parseImageRef, setContainerImage } from '@flux-ts/core';
import { runMain, UsageError } from './cli.ts';

runMain('update-images <dir> <image:tag>...', async () => {
  const { positionals } = parseArgs({ allowPositionals: true });
  const [dir, ...images] = positionals;
  if (!dir || images.length === 0) throw new UsageError('expected a directory and at least one image');
  const targets = images.map((image) => {
    const ref = parseImageRef(image); // throws InvalidImageRefError, with a hint
    if (!ref.tag) throw new UsageError(`${image}: give the tag to set, e.g. ${image}:1.2.3`);
    return ref;
  });

  const { resources, errors } = await loadManifests(dir);
  for (const err of errors) console.error(`warning: ${err.message}`);

  // The edits of one file are applied one after the other to its text, then written once.
  const edited = new Map<string, string>();
  let changes = 0;
  for (const resource of resources) {
    for (const container of resource.containers ?? []) {
      const target = targets.find((t) => container.ref?.sameRepository(t));
      if (!container.ref || !target || container.ref.tag === target.tag) continue;
      const path = join(dir, resource.file);
      const text = edited.get(path) ?? (await readFile(path, 'utf8'));
      const image = container.ref.withTag(target.tag).toString();
      edited.set(path, setContainerImage(text, resource.id.toString(), container.name, image));
      console.log(`${resource.file}: ${resource.id} ${container.name}: ${container.image} -> ${image}`);
      changes++;
    }
  }
  for (const [path, text] of edited) await writeFile(path, text);
  console.log(`${changes} container(s) updated in ${edited.size} file(s)`);
});
