import { readPolicies } from '../policy/policy.ts';
import { parseTagPattern } from '../policy/tag-pattern.ts';
import type { Resource } from '../resource/types.ts';
import type { ReleaseWorkload, TagFilter } from './types.ts';

/** The tag filter of a `tag.<container>` policy value (`glob:*` when absent; invalid ones match all, as Flux v1). */
export function tagFilterFromPolicy(value: string | undefined): TagFilter {
  return parseTagPattern(value ?? 'glob:*', { lenient: true });
}

/** A workload read from git as release planning sees it: containers and the policies of its annotations. */
export function releaseWorkload(resource: Resource): ReleaseWorkload {
  const policies = readPolicies(resource.annotations);
  return {
    id: resource.id.toString(),
    containers: resource.containers ?? [],
    automated: policies.automated,
    locked: policies.locked,
    ignored: policies.ignore === 'true',
    tagFilter: (container) => policies.tagPattern(container),
  };
}
