import { LineCounter, parseAllDocuments, stringify } from 'yaml';
import { CLUSTER_SCOPE } from '../resource/id.ts';
import type { Resource } from '../resource/types.ts';
import { type FilePosition, PatchError, PatchMissingResourceError } from './errors.ts';

// Patches of patchUpdated `.flux.yaml` targets: applying a patch file to generated manifests and
// computing the patch file from generated and edited manifests. Built-in Kubernetes kinds get a
// strategic merge patch (the subset of k8s.io/apimachinery's strategicpatch that manifests need);
// everything else (HelmRelease, other custom resources) gets an RFC 7386 JSON merge patch, as in
// Flux v1. All functions here are pure: no I/O, inputs never mutated.

type JsonObject = Record<string, unknown>;

const isRecord = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Sets a key without ever touching a prototype (`__proto__` is a plain key here). */
function setKey(obj: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** Structural equality of JSON-like values (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

function clone<T>(v: T): T {
  if (Array.isArray(v)) return v.map(clone) as T;
  if (isRecord(v)) {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) setKey(out, k, clone(x));
    return out as T;
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Which patch, and merge keys

/** Whether a kind gets a strategic merge patch (true) or a JSON merge patch (false). */
export type IsStrategic = (apiVersion: string, kind: string) => boolean;

const builtinGroups = new Set([
  '',
  'admissionregistration.k8s.io',
  'apps',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'extensions',
  'flowcontrol.apiserver.k8s.io',
  'internal.apiserver.k8s.io',
  'networking.k8s.io',
  'node.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'resource.k8s.io',
  'scheduling.k8s.io',
  'settings.k8s.io',
  'storage.k8s.io',
  'storagemigration.k8s.io',
]);

/**
 * Kinds of the API groups built into Kubernetes (client-go's scheme) get a strategic merge patch;
 * custom resources (HelmRelease, CRDs' objects) and `apiextensions.k8s.io` get a JSON merge patch,
 * as in Flux v1.
 */
export const builtinStrategic: IsStrategic = (apiVersion) => {
  const slash = apiVersion.indexOf('/');
  return builtinGroups.has(slash < 0 ? '' : apiVersion.slice(0, slash));
};

const containerLists = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/**
 * The merge key of a list field with Kubernetes' `patchStrategy: merge`, or undefined for a list
 * that is replaced as a whole. `parent` is the field holding the map the list is in (for a list
 * inside a container: `containers`).
 */
export function mergeKeyFor(field: string, parent: string | undefined, kind: string): string | undefined {
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'volumes':
    case 'env':
    case 'imagePullSecrets':
    case 'resourceClaims':
    case 'schedulingGates':
      return 'name';
    case 'volumeMounts':
      return 'mountPath';
    case 'volumeDevices':
      return 'devicePath';
    case 'hostAliases':
      return 'ip';
    case 'topologySpreadConstraints':
      return 'topologyKey';
    case 'ownerReferences':
      return 'uid';
    case 'ports':
      if (parent !== undefined && containerLists.has(parent)) return 'containerPort';
      return kind === 'Service' && parent === 'spec' ? 'port' : undefined;
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Applying

/** What the patch functions need to know about the object being patched. */
export interface PatchContext {
  /** The object's kind (merge keys of some lists depend on it). */
  kind: string;
}

const DELETE: unique symbol = Symbol('delete');
type Merged = unknown | typeof DELETE;

const SET_ORDER = '$setElementOrder/';
const DELETE_FROM_PRIMITIVE = '$deleteFromPrimitiveList/';

class DirectiveError extends Error {}

function keyOf(item: unknown, mergeKey: string | undefined): unknown {
  return mergeKey !== undefined && isRecord(item) ? item[mergeKey] : item;
}

function indexIn(list: readonly unknown[], key: unknown, mergeKey: string | undefined): number {
  return list.findIndex((x) => keyOf(x, mergeKey) === key);
}

/** k8s `mergeSortedSlice`: merge server-only items (left) with patch items (right) by server order. */
function mergeSorted(
  left: readonly unknown[],
  right: readonly unknown[],
  serverOrder: readonly unknown[],
  mergeKey: string | undefined,
): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (j >= right.length) out.push(left[i++]);
    else if (i >= left.length) out.push(right[j++]);
    else {
      const li = indexIn(serverOrder, keyOf(left[i], mergeKey), mergeKey);
      const ri = indexIn(serverOrder, keyOf(right[j], mergeKey), mergeKey);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/** Orders `list` so items named in `order` follow it and the rest keep their place in `serverOrder`. */
function normalizeOrder(
  list: readonly unknown[],
  order: readonly unknown[],
  serverOrder: readonly unknown[],
  mergeKey: string | undefined,
): unknown[] {
  const orderKeys = order.map((o) => keyOf(o, mergeKey));
  const rank = (item: unknown, among: readonly unknown[]): number => {
    const i = among.indexOf(keyOf(item, mergeKey));
    return i < 0 ? Number.POSITIVE_INFINITY : i;
  };
  const serverKeys = serverOrder.map((o) => keyOf(o, mergeKey));
  const inOrder = list.filter((x) => orderKeys.includes(keyOf(x, mergeKey)));
  const serverOnly = list.filter((x) => !orderKeys.includes(keyOf(x, mergeKey)));
  inOrder.sort((a, b) => rank(a, orderKeys) - rank(b, orderKeys));
  serverOnly.sort((a, b) => rank(a, serverKeys) - rank(b, serverKeys));
  return mergeSorted(serverOnly, inOrder, serverOrder, mergeKey);
}

function mergeList(
  original: readonly unknown[],
  patch: readonly unknown[],
  mergeKey: string,
  field: string,
  ctx: PatchContext,
): unknown[] {
  if (patch.some((p) => isRecord(p) && p.$patch === 'replace')) {
    return patch
      .filter((p) => !(isRecord(p) && p.$patch === 'replace'))
      .map((p) => (isRecord(p) ? mergeMap(undefined, p, field, ctx) : clone(p)))
      .filter((p) => p !== DELETE);
  }
  let result = [...original];
  const patchKeys: unknown[] = [];
  for (const item of patch) {
    if (!isRecord(item)) {
      throw new DirectiveError(`${field}: list items must be maps with a "${mergeKey}"`);
    }
    const key = item[mergeKey];
    if (key === undefined || key === null) {
      throw new DirectiveError(`${field}: an item has no "${mergeKey}" (the merge key of ${field})`);
    }
    if (item.$patch === 'delete') {
      result = result.filter((o) => keyOf(o, mergeKey) !== key);
      continue;
    }
    patchKeys.push(key);
    const at = indexIn(result, key, mergeKey);
    const merged = mergeMap(
      at >= 0 && isRecord(result[at]) ? (result[at] as JsonObject) : undefined,
      item,
      field,
      ctx,
    );
    if (at >= 0) {
      if (merged === DELETE) result.splice(at, 1);
      else result[at] = merged;
    } else if (merged !== DELETE) result.push(merged);
  }
  return normalizeOrder(
    result,
    patchKeys.map((k) => ({ [mergeKey]: k })),
    original,
    mergeKey,
  );
}

function mergeField(
  original: unknown,
  patch: unknown,
  field: string,
  parent: string | undefined,
  ctx: PatchContext,
): Merged {
  if (isRecord(patch)) return mergeMap(isRecord(original) ? original : undefined, patch, field, ctx);
  if (Array.isArray(patch)) {
    const mergeKey = mergeKeyFor(field, parent, ctx.kind);
    if (mergeKey !== undefined)
      return mergeList(Array.isArray(original) ? original : [], patch, mergeKey, field, ctx);
    return clone(patch);
  }
  return patch;
}

/**
 * Merges a patch map into an original map (undefined: an empty one). `self` is the field holding
 * the map. Handles `null` (delete the key), `$patch: replace|delete|merge`, `$retainKeys`,
 * `$setElementOrder/<field>` and `$deleteFromPrimitiveList/<field>`.
 */
function mergeMap(
  original: JsonObject | undefined,
  patch: JsonObject,
  self: string | undefined,
  ctx: PatchContext,
): JsonObject | typeof DELETE {
  const directive = patch.$patch;
  if (directive === 'delete') return DELETE;
  if (directive === 'replace') {
    const { $patch: _, ...rest } = patch;
    return mergeMap(undefined, rest, self, ctx) as JsonObject;
  }
  if (directive !== undefined && directive !== 'merge') {
    throw new DirectiveError(`${self ?? 'object'}: unknown $patch directive ${JSON.stringify(directive)}`);
  }
  const result: JsonObject = original ? { ...original } : {};
  const retain = patch.$retainKeys;
  if (retain !== undefined) {
    if (!Array.isArray(retain)) throw new DirectiveError(`${self ?? 'object'}: $retainKeys must be a list`);
    for (const k of Object.keys(result)) if (!retain.includes(k)) delete result[k];
  }
  const orders: [string, unknown[]][] = [];
  const primitiveDeletes: [string, unknown[]][] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) {
      if (key === '$patch' || key === '$retainKeys') continue;
      const asList = (): unknown[] => {
        if (!Array.isArray(value)) throw new DirectiveError(`${key} must be a list`);
        return value;
      };
      if (key.startsWith(SET_ORDER)) orders.push([key.slice(SET_ORDER.length), asList()]);
      else if (key.startsWith(DELETE_FROM_PRIMITIVE))
        primitiveDeletes.push([key.slice(DELETE_FROM_PRIMITIVE.length), asList()]);
      else throw new DirectiveError(`unknown patch directive "${key}"`);
      continue;
    }
    if (value === null) {
      delete result[key];
      continue;
    }
    const merged = mergeField(Object.hasOwn(result, key) ? result[key] : undefined, value, key, self, ctx);
    if (merged === DELETE) delete result[key];
    else setKey(result, key, merged);
  }
  for (const [field, values] of primitiveDeletes) {
    const list = result[field];
    if (Array.isArray(list)) result[field] = list.filter((v) => !values.some((d) => deepEqual(d, v)));
  }
  for (const [field, order] of orders) {
    const list = result[field];
    if (!Array.isArray(list)) continue;
    const before = original && Array.isArray(original[field]) ? (original[field] as unknown[]) : [];
    result[field] = normalizeOrder(list, order, before, mergeKeyFor(field, self, ctx.kind));
  }
  return result;
}

/**
 * Applies a strategic merge patch to an object, as Kubernetes does for its built-in kinds: maps
 * merge recursively, `null` deletes a key, lists with a merge key (containers, env, volumes,
 * volumeMounts, ports, …; see {@link mergeKeyFor}) merge item by item and other lists are replaced;
 * `$patch: delete|replace`, `$retainKeys`, `$setElementOrder/…` and `$deleteFromPrimitiveList/…`
 * directives are honoured. The inputs are not changed.
 *
 * @throws {Error} for a malformed directive or a merge-list item without its merge key (callers wrap it).
 */
export function strategicMergePatch(original: JsonObject, patch: JsonObject, ctx: PatchContext): JsonObject {
  const merged = mergeMap(original, patch, undefined, ctx);
  if (merged === DELETE) throw new DirectiveError('a patch cannot delete the whole object');
  return merged;
}

/** Applies an RFC 7386 JSON merge patch. The inputs are not changed. */
export function jsonMergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return clone(patch);
  const result: JsonObject = isRecord(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete result[k];
    else setKey(result, k, jsonMergePatch(Object.hasOwn(result, k) ? result[k] : undefined, v));
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Diffing

function mergeable(list: readonly unknown[], mergeKey: string): boolean {
  const seen = new Set<unknown>();
  for (const item of list) {
    if (!isRecord(item)) return false;
    const key = item[mergeKey];
    if ((typeof key !== 'string' && typeof key !== 'number') || seen.has(key)) return false;
    seen.add(key);
  }
  return true;
}

/** A patch value that, merged into nothing, gives `value`. */
function additionOf(value: unknown, field: string, parent: string | undefined, ctx: PatchContext): unknown {
  if (isRecord(value)) return diffMaps({}, value, field, ctx);
  if (Array.isArray(value)) {
    const mergeKey = mergeKeyFor(field, parent, ctx.kind);
    if (mergeKey === undefined) return clone(value);
    return diffLists([], value, mergeKey, field, ctx).list;
  }
  return value;
}

function diffLists(
  original: readonly unknown[],
  modified: readonly unknown[],
  mergeKey: string,
  field: string,
  ctx: PatchContext,
): { list: unknown[]; order?: unknown[] } {
  if (!mergeable(original, mergeKey) || !mergeable(modified, mergeKey)) {
    // Cannot merge item by item (an item without its key, or a key twice): replace the list.
    const items = modified.map((m) => (isRecord(m) ? diffMaps({}, m, field, ctx) : clone(m)));
    return { list: [...items, { $patch: 'replace' }] };
  }
  const byKey = new Map(original.map((o) => [(o as JsonObject)[mergeKey], o as JsonObject]));
  const modifiedKeys = new Set(modified.map((m) => (m as JsonObject)[mergeKey]));
  const list: unknown[] = [];
  for (const m of modified as JsonObject[]) {
    const key = m[mergeKey];
    const o = byKey.get(key);
    if (o === undefined) {
      list.push(diffMaps({}, m, field, ctx));
      continue;
    }
    const d = diffMaps(o, m, field, ctx);
    if (Object.keys(d).length > 0) list.push({ [mergeKey]: key, ...d });
  }
  for (const o of original as JsonObject[]) {
    if (!modifiedKeys.has(o[mergeKey])) list.push({ [mergeKey]: o[mergeKey], $patch: 'delete' });
  }
  const orderSame =
    original.length === modified.length &&
    original.every((o, i) => (o as JsonObject)[mergeKey] === (modified[i] as JsonObject)[mergeKey]);
  if (list.length === 0 && orderSame) return { list };
  return { list, order: modified.map((m) => ({ [mergeKey]: (m as JsonObject)[mergeKey] })) };
}

function diffMaps(
  original: JsonObject,
  modified: JsonObject,
  self: string | undefined,
  ctx: PatchContext,
): JsonObject {
  const patch: JsonObject = {};
  for (const [key, mv] of Object.entries(modified)) {
    if (!Object.hasOwn(original, key)) {
      if (mv !== null) setKey(patch, key, additionOf(mv, key, self, ctx));
      continue;
    }
    const ov = original[key];
    if (deepEqual(ov, mv)) continue;
    if (mv === null) {
      setKey(patch, key, null);
      continue;
    }
    if (isRecord(ov) && isRecord(mv)) {
      const d = diffMaps(ov, mv, key, ctx);
      if (Object.keys(d).length > 0) setKey(patch, key, d);
      continue;
    }
    const mergeKey = Array.isArray(mv) ? mergeKeyFor(key, self, ctx.kind) : undefined;
    if (Array.isArray(ov) && Array.isArray(mv) && mergeKey !== undefined) {
      const { list, order } = diffLists(ov, mv, mergeKey, key, ctx);
      if (order) setKey(patch, `${SET_ORDER}${key}`, order);
      if (list.length > 0) setKey(patch, key, list);
      continue;
    }
    // A scalar changed, a list without merge key changed, or the type changed.
    setKey(patch, key, isRecord(mv) || Array.isArray(mv) ? additionOf(mv, key, self, ctx) : mv);
  }
  for (const key of Object.keys(original)) {
    if (!Object.hasOwn(modified, key)) setKey(patch, key, null);
  }
  return patch;
}

/**
 * The two-way strategic merge patch from `original` to `modified`, as Kubernetes'
 * `CreateTwoWayMergePatch` makes it: changed keys, `null` for removed ones, merge lists as changed
 * items (with their merge key), new items, `{<key>: …, $patch: delete}` for removed items and a
 * `$setElementOrder/<field>` list when a merge list changed. `{}` when they are equal.
 * A `null` value counts as an absent key.
 */
export function createTwoWayMergePatch(
  original: JsonObject,
  modified: JsonObject,
  ctx: PatchContext,
): JsonObject {
  return diffMaps(original, modified, undefined, ctx);
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** The RFC 7386 JSON merge patch from `original` to `modified` (`{}` when they are equal). */
export function createJsonMergePatch(original: JsonObject, modified: JsonObject): JsonObject {
  const patch: JsonObject = {};
  for (const [key, mv] of Object.entries(modified)) {
    if (!Object.hasOwn(original, key)) {
      setKey(patch, key, clone(mv));
      continue;
    }
    const ov = original[key];
    if (typeOf(ov) !== typeOf(mv)) setKey(patch, key, clone(mv));
    else if (isRecord(ov) && isRecord(mv)) {
      const d = createJsonMergePatch(ov, mv);
      if (Object.keys(d).length > 0) setKey(patch, key, d);
    } else if (!deepEqual(ov, mv)) setKey(patch, key, clone(mv));
  }
  for (const key of Object.keys(original)) {
    if (!Object.hasOwn(modified, key)) setKey(patch, key, null);
  }
  return patch;
}

// ---------------------------------------------------------------------------------------------
// Patch files

/** The parts of a {@link Resource} patching needs. */
export type PatchableResource = Pick<
  Resource,
  'id' | 'apiVersion' | 'kind' | 'name' | 'namespace' | 'object'
>;

/** Options for reading and writing patch files. */
export interface PatchFileOptions {
  /** The patch file's path for messages, relative to the repository root. */
  file: string;
  /** Namespace of namespaced resources that name none (default `default`). */
  defaultNamespace?: string;
  /** Which kinds get a strategic merge patch (default {@link builtinStrategic}). */
  isStrategic?: IsStrategic;
}

/** One document of a patch file. */
export interface PatchDocument {
  object: JsonObject;
  position: FilePosition;
}

/**
 * Reads the documents of a patch file (empty documents are skipped).
 *
 * @throws {PatchError} when it is not YAML or a document is not a map with kind and metadata.name.
 */
export function parsePatchFile(text: string, file: string): PatchDocument[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const at = (offset: number): FilePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  if ('empty' in docs) {
    // A stream without documents (only comments or whitespace), possibly with errors.
    const err = docs.errors[0];
    if (err)
      throw new PatchError(file, `not valid YAML: ${err.message.split('\n')[0]}`, {
        position: at(err.pos[0]),
      });
    return [];
  }
  const out: PatchDocument[] = [];
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error)
      throw new PatchError(file, `not valid YAML: ${error.message.split('\n')[0]}`, {
        position: at(error.pos[0]),
      });
    const value: unknown = doc.toJS({ maxAliasCount: 1000 });
    const position = at(doc.contents?.range[0] ?? doc.range[0]);
    if (value === null || value === undefined) continue;
    const metadata = isRecord(value) && isRecord(value.metadata) ? value.metadata : {};
    if (!isRecord(value) || typeof value.kind !== 'string' || typeof metadata.name !== 'string') {
      throw new PatchError(file, 'a patch must be a map with kind and metadata.name', { position });
    }
    out.push({ object: value, position });
  }
  return out;
}

function declaredNamespace(object: JsonObject): string | undefined {
  const metadata = isRecord(object.metadata) ? object.metadata : {};
  return typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : undefined;
}

/** The generated resource a patch document is for, matched by kind, name and namespace. */
function targetOf(
  doc: JsonObject,
  byKindName: Map<string, PatchableResource[]>,
  defaultNamespace: string,
): { id: string; resource: PatchableResource | undefined } {
  const kind = (doc.kind as string).toLowerCase();
  const name = (doc.metadata as JsonObject).name as string;
  const candidates = byKindName.get(`${kind}/${name}`) ?? [];
  const clusterScoped = candidates.find((r) => r.namespace === undefined);
  if (clusterScoped) return { id: clusterScoped.id.toString(), resource: clusterScoped };
  const namespace = declaredNamespace(doc) ?? defaultNamespace;
  const resource = candidates.find((r) => r.namespace === namespace);
  return { id: resource ? resource.id.toString() : `${namespace}:${kind}/${name}`, resource };
}

/** The patch without the fields that only say which resource it is for. */
function withoutIdentity(doc: JsonObject): JsonObject {
  const { apiVersion: _a, kind: _k, ...rest } = doc;
  if (isRecord(rest.metadata)) {
    const { name: _n, namespace: _ns, ...metadata } = rest.metadata;
    if (Object.keys(metadata).length === 0) delete rest.metadata;
    else rest.metadata = metadata;
  }
  return rest;
}

/** A generated object after patching. */
export interface PatchedObject {
  id: string;
  object: JsonObject;
  /** Whether a patch applied to it. */
  patched: boolean;
}

/**
 * Applies a patch file to generated resources. Each document patches the generated resource with
 * the same kind, name and namespace (strategic merge patch for built-in kinds, JSON merge patch for
 * the rest); its apiVersion, kind, name and namespace only identify the resource and are not applied.
 * Returns every generated object, in the generated order.
 *
 * @throws {PatchMissingResourceError} for a patch of a resource that is not generated.
 * @throws {PatchError} when the file is not YAML, two patches are for the same resource, or a patch
 *   cannot be applied.
 */
export function applyPatchFile(
  generated: readonly PatchableResource[],
  patchText: string,
  options: PatchFileOptions,
): PatchedObject[] {
  const { file } = options;
  const defaultNamespace = options.defaultNamespace ?? 'default';
  const isStrategic = options.isStrategic ?? builtinStrategic;
  const byKindName = new Map<string, PatchableResource[]>();
  for (const r of generated) {
    const key = `${r.id.kind}/${r.name}`;
    byKindName.set(key, [...(byKindName.get(key) ?? []), r]);
  }
  const patches = new Map<string, PatchDocument>();
  for (const doc of parsePatchFile(patchText, file)) {
    const { id, resource } = targetOf(doc.object, byKindName, defaultNamespace);
    if (!resource) throw new PatchMissingResourceError(file, id, doc.position);
    const earlier = patches.get(id);
    if (earlier) {
      throw new PatchError(
        file,
        `two patches for ${id} (lines ${earlier.position.line} and ${doc.position.line})`,
        {
          position: doc.position,
          help: 'Merge the two patches into one document.',
        },
      );
    }
    patches.set(id, doc);
  }
  return generated.map((r) => {
    const id = r.id.toString();
    const doc = patches.get(id);
    if (!doc) return { id, object: r.object, patched: false };
    const patch = withoutIdentity(doc.object);
    try {
      const object = isStrategic(r.apiVersion, r.kind)
        ? strategicMergePatch(r.object, patch, { kind: r.kind })
        : (jsonMergePatch(r.object, patch) as JsonObject);
      return { id, object, patched: true };
    } catch (err) {
      if (!(err instanceof DirectiveError)) throw err;
      throw new PatchError(file, `cannot apply the patch for ${id}: ${err.message}`, {
        position: doc.position,
        cause: err,
      });
    }
  });
}

/**
 * The patches that turn `generated` into `edited`, one per resource present in both that differs
 * (strategic merge patch for built-in kinds, JSON merge patch for the rest), sorted by resource ID,
 * each naming its resource by apiVersion, kind, metadata.name and (when the generated manifest has
 * one) metadata.namespace.
 */
export function createPatches(
  generated: readonly PatchableResource[],
  edited: readonly PatchableResource[],
  options: Omit<PatchFileOptions, 'file'> = {},
): JsonObject[] {
  const isStrategic = options.isStrategic ?? builtinStrategic;
  const editedById = new Map(edited.map((r) => [r.id.toString(), r]));
  const sorted = [...generated].sort((a, b) => {
    const x = a.id.toString();
    const y = b.id.toString();
    return x < y ? -1 : x > y ? 1 : 0;
  });
  const out: JsonObject[] = [];
  for (const g of sorted) {
    const e = editedById.get(g.id.toString());
    if (!e) continue;
    const patch = isStrategic(g.apiVersion, g.kind)
      ? createTwoWayMergePatch(g.object, e.object, { kind: g.kind })
      : createJsonMergePatch(g.object, e.object);
    if (Object.keys(patch).length === 0) continue;
    patch.apiVersion = g.apiVersion;
    patch.kind = g.kind;
    const metadata = isRecord(patch.metadata) ? patch.metadata : {};
    metadata.name = g.name;
    const namespace = declaredNamespace(g.object);
    if (namespace !== undefined && g.id.namespace !== CLUSTER_SCOPE) metadata.namespace = namespace;
    patch.metadata = metadata;
    out.push(patch);
  }
  return out;
}

const renderOptions = {
  // YAML 1.1 quoting, so values like "yes", "on" or "0755" stay strings for every reader.
  version: '1.1',
  lineWidth: 0,
  aliasDuplicateObjects: false,
} as const;

/**
 * Renders objects as a YAML stream, each document starting with `---`. With `sortKeys`, map keys
 * are sorted (the patch file's canonical form, as Flux v1 writes it).
 */
export function renderStream(objects: readonly unknown[], options: { sortKeys?: boolean } = {}): string {
  return objects
    .map((o) => `---\n${stringify(o, { ...renderOptions, sortMapEntries: options.sortKeys ?? false })}`)
    .join('');
}

/** {@link createPatches} rendered as a patch file (empty when there are no differences). */
export function createPatchFile(
  generated: readonly PatchableResource[],
  edited: readonly PatchableResource[],
  options: Omit<PatchFileOptions, 'file'> = {},
): string {
  return renderStream(createPatches(generated, edited, options), { sortKeys: true });
}
