// Lists the workloads of a directory of manifests, their containers and policies, the way
// `fluxctl list-workloads` would, using @flux-ts/core alone (no cluster, no daemon). Files that do
// not parse, and duplicate definitions, are reported with file:line; the rest still loads.
//
//   pnpm -s build && node examples/dist/list-workloads.js <dir>
import { parseArgs } from 'node:util';
import { loadManifests, readPolicies } from '@flux-ts/core';
import { runMain, UsageError } from './cli.ts';

runMain('list-workloads <dir>', async () => {
  const { positionals } = parseArgs({ allowPositionals: true });
  const [dir] = positionals;
  if (!dir || positionals.length > 1) throw new UsageError('expected one directory');

  const { resources, errors } = await loadManifests(dir);
  for (const resource of resources) {
    if (!resource.containers) continue; // not a workload
    const policies = readPolicies(resource.annotations);
    const flags = [
      policies.automated && 'automated',
      policies.locked && 'locked',
      policies.ignore && `ignore=${policies.ignore}`,
    ].filter(Boolean);
    for (const c of resource.containers) {
      const filter = policies.tagPattern(c.name).toString();
      console.log([resource.id, c.name, c.image, filter, flags.join(',')].join('\t'));
    }
  }
  for (const err of errors) console.error(`warning: ${err.message}`);
});
