import { join } from 'node:path';
import { ErrorKind, FluxError } from '@flux-ts/core';
import { isMap, isScalar, type Pair, parseAllDocuments, stringify } from 'yaml';
import { compareGoYamlKeys } from './go-yaml-key-order.ts';

/** One object of `fluxctl save`, cleaned for version control, with its YAML (no `---`). */
export interface SavedObject {
  kind: string;
  name: string;
  namespace: string;
  text: string;
}

/** The export stream does not decode. */
export class ExportDecodeError extends FluxError {
  constructor(reason: string) {
    super(`unmarshalling exported yaml: ${reason}`, {
      code: 'fluxctl.save.decode',
      kind: ErrorKind.Server,
      help: 'The daemon sent an export that is not a YAML stream of objects; check the daemon version and logs.',
    });
  }
}

/** Annotations the cluster or kubectl maintain, which `save` leaves out. */
export const DROPPED_ANNOTATIONS: readonly string[] = [
  'deployment.kubernetes.io/revision',
  'kubectl.kubernetes.io/last-applied-configuration',
  'kubernetes.io/change-cause',
];

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Text of a scalar as Go's yaml.v2 decodes it into a string field: the source text for plain
 * scalars (`0x1F` stays `0x1F`), the value for quoted ones, '' for null.
 */
function scalarText(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  if (node.value === null || node.value === undefined) return '';
  if (typeof node.value === 'string') return node.value;
  return node.source ?? String(node.value);
}

function stringField(node: unknown): string {
  return scalarText(node) ?? '';
}

function stringMap(node: unknown, drop: readonly string[] = []): Record<string, string> | undefined {
  if (!isMap(node)) return undefined;
  const out: Record<string, string> = {};
  for (const pair of node.items) {
    const key = scalarText(pair.key);
    if (key === undefined || drop.includes(key)) continue;
    out[key] = scalarText(pair.value) ?? '';
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Flux v1's `deleteEmptyMapValues`, kept exactly: in one pass, drop map entries whose value is null,
 * an empty map or an empty list, and recurse into maps and list items. A map emptied by this pass
 * is kept (as `{}`), and list items are never removed.
 */
function deleteEmptyValues(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (Array.isArray(value)) {
    if (value.length === 0) return true;
    for (const item of value) deleteEmptyValues(item);
    return false;
  }
  if (isPlain(value)) {
    if (Object.keys(value).length === 0) return true;
    for (const [k, v] of Object.entries(value)) if (deleteEmptyValues(v)) delete value[k];
  }
  return false;
}

function cleanSpec(spec: unknown): Plain | undefined {
  if (!isPlain(spec)) return undefined;
  const template = spec.template;
  if (isPlain(template) && isPlain(template.metadata)) delete template.metadata.creationTimestamp;
  deleteEmptyValues(spec);
  return Object.keys(spec).length > 0 ? spec : undefined;
}

const pairKey = (p: Pair): string => String(isScalar(p.key) ? p.key.value : p.key);

/**
 * Close to Go's yaml.v2 `Marshal`: 2-space indent, list items not indented under their key, map keys
 * in yaml.v2's natural order, YAML 1.1 quoting (`"yes"`, `"on"`, `"n"` are quoted), multi-line
 * strings as literal blocks. Where bytes may differ from Go's marshaller: yaml.v2 folds plain and
 * double-quoted strings longer than 80 columns (we never fold); it picks single quotes for strings
 * that are only unsafe as plain scalars (`'a: b'`, we write `"a: b"`); and keys that YAML reads as
 * numbers or booleans come back as quoted strings here (`"80": x`, Go writes `80: x`).
 */
const STRINGIFY_OPTIONS = {
  version: '1.1',
  indent: 2,
  indentSeq: false,
  lineWidth: 0,
  minContentWidth: 0,
  blockQuote: 'literal',
  aliasDuplicateObjects: false,
  sortMapEntries: (a: Pair, b: Pair): number => compareGoYamlKeys(pairKey(a), pairKey(b)),
} as const;

/**
 * Decodes the export YAML stream (already base64-decoded) and cleans each object as Flux v1's
 * `fluxctl save` does: only `apiVersion`, `kind`, `metadata.{annotations,labels,name,namespace}` and
 * `spec` are kept; {@link DROPPED_ANNOTATIONS} and `spec.template.metadata.creationTimestamp` are
 * removed; null and empty values in `spec` are dropped; empty fields are left out. Empty documents
 * are skipped. Throws {@link ExportDecodeError} when the stream does not parse (Flux v1 stopped
 * silently there).
 */
export function cleanExported(yamlStream: string): SavedObject[] {
  const objects: SavedObject[] = [];
  for (const doc of parseAllDocuments(yamlStream)) {
    const error = doc.errors[0];
    if (error) throw new ExportDecodeError(error.message);
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) continue;
    if (!isMap(doc.contents)) throw new ExportDecodeError('a document is not a mapping');

    const kind = stringField(doc.get('kind', true));
    const metadataNode = doc.get('metadata', true);
    const metadata = {
      annotations: stringMap(
        isMap(metadataNode) ? metadataNode.get('annotations', true) : undefined,
        DROPPED_ANNOTATIONS,
      ),
      labels: stringMap(isMap(metadataNode) ? metadataNode.get('labels', true) : undefined),
      name: isMap(metadataNode) ? stringField(metadataNode.get('name', true)) : '',
      namespace: isMap(metadataNode) ? stringField(metadataNode.get('namespace', true)) : '',
    };
    const spec = cleanSpec((doc.toJS() as Plain).spec);

    const out: Plain = {};
    const apiVersion = stringField(doc.get('apiVersion', true));
    if (apiVersion) out.apiVersion = apiVersion;
    if (kind) out.kind = kind;
    const meta: Plain = {};
    if (metadata.annotations) meta.annotations = metadata.annotations;
    if (metadata.labels) meta.labels = metadata.labels;
    if (metadata.name) meta.name = metadata.name;
    if (metadata.namespace) meta.namespace = metadata.namespace;
    if (Object.keys(meta).length > 0) out.metadata = meta;
    if (spec) out.spec = spec;

    objects.push({
      kind,
      name: metadata.name,
      namespace: metadata.namespace,
      text: stringify(out, STRINGIFY_OPTIONS),
    });
  }
  return objects;
}

/** The file of one object under `--out <dir>`: `<name>-ns.yaml`, `<ns>/<name>-dep.yaml`, `<ns>/<name>-<Kind>.yaml`. */
export function savePath(obj: Pick<SavedObject, 'kind' | 'name' | 'namespace'>, outDir: string): string {
  if (obj.kind === 'Namespace') return join(outDir, `${obj.name}-ns.yaml`);
  const kind = obj.kind === 'Deployment' ? 'dep' : obj.kind;
  return join(outDir, obj.namespace, `${obj.name}-${kind}.yaml`);
}

/** One object as `save` writes it, to stdout or into its file: `---\n<yaml>`. */
export function saveDocument(obj: Pick<SavedObject, 'text'>): string {
  return `---\n${obj.text}`;
}

/** `fluxctl save` to stdout: every object as `---\n<yaml>`. */
export function saveToStdout(objs: readonly SavedObject[]): string {
  return objs.map(saveDocument).join('');
}

/** The line `save --out <dir>` prints for each file (to stdout). */
export function saveMessage(obj: Pick<SavedObject, 'kind' | 'name'>, path: string): string {
  return `Saving ${obj.kind} '${obj.name}' to ${path}\n`;
}
