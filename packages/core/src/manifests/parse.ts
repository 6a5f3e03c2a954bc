import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { FluxError } from '../errors.ts';
import { CLUSTER_SCOPE, ResourceId } from '../resource/id.ts';
import type { Container, Resource } from '../resource/types.ts';
import {
  DuplicateResourceError,
  InvalidManifestError,
  ManifestParseError,
  type SourcePosition,
} from './errors.ts';
import { builtinIsNamespaced, CrdScopes, type IsNamespaced } from './scope.ts';
import { workloadContainers } from './workloads.ts';
import { parseYamlSource, type YamlSource } from './yaml-source.ts';

/** Options for reading manifests. */
export interface ParseOptions {
  /** Namespace of namespaced resources that name none. Default `default`. */
  defaultNamespace?: string;
  /**
   * Whether a kind is namespaced (API discovery, in the daemon). When it returns undefined, CRDs in
   * the same manifests decide, then built-in knowledge of Kubernetes kinds; unknown kinds are
   * namespaced.
   */
  isNamespaced?: IsNamespaced;
}

/** A document that was passed over, and why (it is not an error: e.g. a values file, an empty document). */
export interface SkippedDocument {
  position: SourcePosition;
  reason: string;
}

/** What reading manifests gave: the resources, and every problem, none of which stopped the rest. */
export interface ParsedManifests {
  resources: Resource[];
  /** Parse errors, invalid objects and duplicates, each naming file and line. */
  errors: FluxError[];
  skipped: SkippedDocument[];
  /** Loaded, but worth telling the author: a key given twice in one mapping (the last value is used, as kubectl does). */
  warnings?: SkippedDocument[];
}

/** One object of a stream before it gets an ID: a document, or an item of a `List`. */
export interface RawObject {
  object: Record<string, unknown>;
  position: SourcePosition;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function stringMap(v: unknown): Record<string, string> {
  if (!isRecord(v)) return {};
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (val !== null && val !== undefined) out[k] = typeof val === 'string' ? val : String(val);
  }
  return out;
}

/** Reads the objects of a YAML stream; `List` kinds give one object per item. */
export function readObjects(source: YamlSource): {
  objects: RawObject[];
  errors: FluxError[];
  skipped: SkippedDocument[];
  warnings: SkippedDocument[];
} {
  const objects: RawObject[] = [];
  const errors: FluxError[] = [];
  const skipped: SkippedDocument[] = [];
  const warnings: SkippedDocument[] = [];
  for (const doc of source.documents) {
    const start = doc.contents?.range[0] ?? doc.range[0];
    if (doc.errors.length > 0) {
      const first = doc.errors[0] as { message: string; pos: [number, number] };
      errors.push(
        new ManifestParseError(source.position(first.pos[0]), first.message.split('\n')[0] ?? first.message),
      );
      continue;
    }
    for (const [key, offset] of duplicateKeys(doc.contents))
      warnings.push({
        position: source.position(offset),
        reason: `key '${key}' is given twice; the last value is used`,
      });
    const value: unknown = doc.toJS({ maxAliasCount: 1000 });
    const position = source.position(start);
    if (value === null || value === undefined) continue; // an empty document
    if (!isRecord(value) || typeof value.kind !== 'string') {
      skipped.push({ position, reason: 'not a Kubernetes object (no kind)' });
      continue;
    }
    if (value.kind.endsWith('List') && Array.isArray(value.items)) {
      const itemsNode = isMap(doc.contents)
        ? (doc.contents.get('items', true) as Node | undefined)
        : undefined;
      value.items.forEach((item: unknown, i) => {
        const node = isSeq(itemsNode) ? (itemsNode.items[i] as Node | undefined) : undefined;
        const itemPosition = node?.range ? source.position(node.range[0]) : position;
        if (isRecord(item) && typeof item.kind === 'string')
          objects.push({ object: item, position: itemPosition });
        else
          skipped.push({
            position: itemPosition,
            reason: `item ${i} of a ${value.kind} is not a Kubernetes object (no kind)`,
          });
      });
      continue;
    }
    objects.push({ object: value, position });
  }
  return { objects, errors, skipped, warnings };
}

/** Keys that a mapping (at any depth) gives more than once, with the offset of the repeat. */
function duplicateKeys(node: unknown, found: [string, number][] = []): [string, number][] {
  if (isMap(node)) {
    const seen = new Set<string>();
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key !== undefined) {
        if (seen.has(key)) found.push([key, (pair.key as Node).range?.[0] ?? 0]);
        seen.add(key);
      }
      duplicateKeys(pair.value, found);
    }
  } else if (isSeq(node)) {
    for (const item of node.items) duplicateKeys(item, found);
  }
  return found;
}

/**
 * Gives IDs to raw objects: effective namespace from `isNamespaced`, CRDs among the objects, or
 * built-in knowledge; reports objects without apiVersion or name, and duplicate IDs naming both places.
 */
export function toResources(objects: readonly RawObject[], options: ParseOptions = {}): ParsedManifests {
  const defaultNamespace = options.defaultNamespace ?? 'default';
  const crds = new CrdScopes();
  for (const { object } of objects) if (object.kind === 'CustomResourceDefinition') crds.add(object);
  const resources: Resource[] = [];
  const errors: FluxError[] = [];
  const seen = new Map<string, SourcePosition>();
  for (const { object, position } of objects) {
    const kind = object.kind as string;
    const metadata = isRecord(object.metadata) ? object.metadata : {};
    const name = metadata.name;
    if (typeof object.apiVersion !== 'string' || object.apiVersion === '') {
      errors.push(
        new InvalidManifestError(
          position,
          `${kind} has no apiVersion`,
          'Add apiVersion, e.g. apps/v1 for a Deployment.',
        ),
      );
      continue;
    }
    if (typeof name !== 'string' || name === '') {
      errors.push(
        new InvalidManifestError(
          position,
          `${kind} has no metadata.name`,
          'Give the object a metadata.name.',
        ),
      );
      continue;
    }
    const apiVersion = object.apiVersion;
    const namespaced =
      options.isNamespaced?.(apiVersion, kind) ??
      crds.lookup(apiVersion, kind) ??
      builtinIsNamespaced(apiVersion, kind) ??
      true;
    const declared =
      typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : undefined;
    const namespace = namespaced ? (declared ?? defaultNamespace) : undefined;
    const id = new ResourceId(namespace ?? CLUSTER_SCOPE, kind, name);
    const key = id.toString();
    const first = seen.get(key);
    if (first) {
      errors.push(new DuplicateResourceError(key, first, position));
      continue;
    }
    seen.set(key, position);
    const annotations = stringMap(metadata.annotations);
    const located = workloadContainers(kind, object, annotations);
    const resource: Resource = {
      id,
      apiVersion,
      kind,
      name,
      namespace,
      file: position.file,
      line: position.line,
      annotations,
      labels: stringMap(metadata.labels),
      object,
    };
    if (located)
      resource.containers = located.map(
        ({ name: n, image, ref, kind: k }): Container => ({ name: n, image, ref, kind: k }),
      );
    resources.push(resource);
  }
  return { resources, errors, skipped: [] };
}

/**
 * Reads the Kubernetes objects of one file's text (multi-document YAML, `List` kinds, JSON). A
 * document that does not parse becomes a {@link ManifestParseError} with file, line and column; the
 * other documents still load.
 */
export function parseManifests(text: string, file: string, options: ParseOptions = {}): ParsedManifests {
  const read = readObjects(parseYamlSource(text, file));
  const result = toResources(read.objects, options);
  return {
    resources: result.resources,
    errors: [...read.errors, ...result.errors],
    skipped: read.skipped,
    warnings: read.warnings,
  };
}
