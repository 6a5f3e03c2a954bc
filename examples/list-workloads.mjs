// Lists the workloads of a directory of manifests, their containers and policies, the way
// `fluxctl list-workloads` would, using @flux-ts/core alone (no cluster, no daemon).
//
//   pnpm -s build && node examples/list-workloads.mjs <dir>
import { loadManifests, readPolicies } from '@flux-ts/core';

const dir = process.argv[2] ?? '.';
const { resources, errors } = await loadManifests(dir);
for (const resource of resources) {
  if (!resource.containers) continue;
  const policies = readPolicies(resource.annotations);
  const flags = [
    policies.automated && 'automated',
    policies.locked && 'locked',
    policies.ignore && `ignore=${policies.ignore}`,
  ]
    .filter(Boolean)
    .join(',');
  for (const c of resource.containers) {
    console.log(`${resource.id}\t${c.name}\t${c.image}\t${policies.tagPattern(c.name)}\t${flags}`);
  }
}
for (const err of errors) console.error(`warning: ${err.message}`);
