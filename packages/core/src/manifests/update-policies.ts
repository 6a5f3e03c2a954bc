import { type PolicyUpdate, planPolicyUpdate } from '../policy/policy-update.ts';
import { setAnnotations } from './annotations-edit.ts';
import { type EditOptions, locateObject } from './locate.ts';
import { workloadContainers } from './workloads.ts';
import { parseYamlSource } from './yaml-source.ts';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Applies a policy update (`{ add, remove }`, Flux v1's shape) to the resource `id` in a manifest
 * file's text and returns the whole new text: only the annotation lines involved change. Returns the
 * text unchanged when the update changes nothing (report that as `skipped`).
 *
 * @throws {ResourceNotFoundError} when the resource is not in the text.
 * @throws {InvalidTagPatternError} naming the annotation when a `tag.*` value is not a valid pattern.
 */
export function updateWorkloadPolicies(
  text: string,
  id: string,
  update: PolicyUpdate,
  options: EditOptions = {},
): string {
  const source = parseYamlSource(text, options.file ?? '<text>');
  const { object } = locateObject(source, id, options);
  const metadata = isRecord(object.metadata) ? object.metadata : {};
  const annotations = isRecord(metadata.annotations)
    ? Object.fromEntries(Object.entries(metadata.annotations).map(([k, v]) => [k, String(v)]))
    : {};
  const containers = (workloadContainers(String(object.kind), object, annotations) ?? []).map((c) => c.name);
  const changes = planPolicyUpdate(annotations, containers, update);
  return changes.length === 0 ? text : setAnnotations(text, id, changes, options);
}
