import { type Document, isMap, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
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

const scalarAt = (node: YAMLMap, path: readonly string[]): unknown => node.getIn(path);

/** Compares a map node's kind, name and namespace with `id` without converting the whole node. */
function matches(node: YAMLMap, id: ResourceId, defaultNamespace: string): boolean {
  const kind = scalarAt(node, ['kind']);
  if (typeof kind !== 'string' || kind.toLowerCase() !== id.kind) return false;
  if (scalarAt(node, ['metadata', 'name']) !== id.name) return false;
  if (id.namespace === CLUSTER_SCOPE) return true;
  const ns = scalarAt(node, ['metadata', 'namespace']);
  return (typeof ns === 'string' && ns !== '' ? ns : defaultNamespace) === id.namespace;
}

const asObject = (node: YAMLMap, doc: Document.Parsed): Record<string, unknown> =>
  node.toJS(doc, { maxAliasCount: 1000 }) as Record<string, unknown>;

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
    const root = doc.contents;
    if (matches(root, rid, defaultNamespace)) return { node: root, object: asObject(root, doc) };
    const kind: unknown = root.get('kind');
    const items = root.get('items', true);
    if (typeof kind === 'string' && kind.endsWith('List') && isSeq(items)) {
      for (const item of items.items) {
        if (isMap(item) && matches(item, rid, defaultNamespace))
          return { node: item, object: asObject(item, doc) };
      }
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
