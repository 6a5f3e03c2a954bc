import { isMap, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import { CLUSTER_SCOPE, parseResourceId, type ResourceId } from '../resource/id.ts';
import { ResourceNotFoundError } from './errors.ts';
import type { NodePath } from './workloads.ts';
import type { YamlSource } from './yaml-source.ts';

/** Options shared by the byte-preserving editors. */
export interface EditOptions {
  /** Namespace of manifests that name none (default `default`): an ID in it matches them. */
  defaultNamespace?: string;
  /** File name for error messages. */
  file?: string;
}

/** The object of a resource inside a YAML source: its map node and its plain value. */
export interface LocatedObject {
  node: YAMLMap;
  object: Record<string, unknown>;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function matches(
  object: unknown,
  id: ResourceId,
  defaultNamespace: string,
): object is Record<string, unknown> {
  if (!isRecord(object) || typeof object.kind !== 'string' || object.kind.toLowerCase() !== id.kind)
    return false;
  const metadata = isRecord(object.metadata) ? object.metadata : {};
  if (metadata.name !== id.name) return false;
  if (id.namespace === CLUSTER_SCOPE) return true;
  const namespace =
    typeof metadata.namespace === 'string' && metadata.namespace !== ''
      ? metadata.namespace
      : defaultNamespace;
  return namespace === id.namespace;
}

/**
 * Finds the first document, or `List` item, of `source` that is the resource `id` (kind compared
 * case-insensitively; a manifest without a namespace is in `defaultNamespace`).
 */
export function locateObject(
  source: YamlSource,
  id: string | ResourceId,
  options: EditOptions = {},
): LocatedObject {
  const rid = typeof id === 'string' ? parseResourceId(id) : id;
  const defaultNamespace = options.defaultNamespace ?? 'default';
  for (const doc of source.documents) {
    if (doc.errors.length > 0 || !isMap(doc.contents)) continue;
    const value: unknown = doc.toJS({ maxAliasCount: 1000 });
    if (matches(value, rid, defaultNamespace)) return { node: doc.contents, object: value };
    if (
      isRecord(value) &&
      typeof value.kind === 'string' &&
      value.kind.endsWith('List') &&
      Array.isArray(value.items)
    ) {
      const items = doc.contents.get('items', true);
      const index = value.items.findIndex((item: unknown) => matches(item, rid, defaultNamespace));
      const node = isSeq(items) ? items.items[index] : undefined;
      if (index >= 0 && isMap(node)) return { node, object: value.items[index] as Record<string, unknown> };
    }
  }
  throw new ResourceNotFoundError(rid.toString(), options.file ?? source.file);
}

/** The node at `path` below `node`, or undefined. */
export function nodeAt(node: Node, path: NodePath): Node | undefined {
  let current: Node | undefined = node;
  for (const key of path) {
    if (isMap(current)) current = current.get(key, true) as Node | undefined;
    else if (isSeq(current) && typeof key === 'number') current = current.items[key] as Node | undefined;
    else return undefined;
  }
  return current;
}

export { isScalar };
