import { isMap, isScalar, type Node, type Pair, type YAMLMap } from 'yaml';
import { quoteStyleFor } from '../policy/policy-update.ts';
import { UnsupportedEditError } from './errors.ts';
import { type EditOptions, locateObject } from './locate.ts';
import { safeAsPlain, setScalar } from './scalar-edit.ts';
import { parseYamlSource, type YamlSource } from './yaml-source.ts';

/** One annotation to set (`value` a string) or delete (`value` null). */
export interface AnnotationChange {
  key: string;
  value: string | null;
}

/**
 * How a new annotation value is written: plain when it reads back as that string, single-quoted when
 * it would read as something else (`'true'`, `'1.0'`, `'a: b'`), double-quoted when it needs escapes —
 * the form Flux v1 writes (`fluxcd.io/automated: 'true'`, `fluxcd.io/tag.app: glob:3.5.*`).
 */
export function formatAnnotationValue(value: string, context: 'block' | 'flow' = 'block'): string {
  const style = quoteStyleFor(value, context);
  if (style === 'double') return JSON.stringify(value);
  if (style === 'single') return `'${value.replace(/'/g, "''")}'`;
  return value;
}

function formatKey(key: string): string {
  return safeAsPlain(key) ? key : `'${key.replace(/'/g, "''")}'`;
}

/** Offset just past the end of the line that contains `offset` (after its line break). */
function endOfLine(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === '\n') return offset; // a block scalar's range ends after its line break
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

function startOfLine(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

const eolOf = (text: string): string => (text.includes('\r\n') ? '\r\n' : '\n');

function column(text: string, offset: number): number {
  return offset - startOfLine(text, offset);
}

function pairEnd(pair: Pair): number {
  const value = pair.value as Node | null;
  const key = pair.key as Node;
  return (value?.range ?? key.range ?? [0, 0, 0])[1];
}

function keyStart(pair: Pair): number {
  return (pair.key as Node).range?.[0] ?? 0;
}

/** Text with a new last entry appended to a block map, in the map's own indentation. */
function appendToBlockMap(text: string, map: YAMLMap, lines: string[]): string {
  const items = map.items as Pair[];
  const last = items[items.length - 1] as Pair;
  const indent = ' '.repeat(column(text, keyStart(items[0] as Pair)));
  const at = endOfLine(text, pairEnd(last));
  const eol = eolOf(text);
  const needsBreak = at === text.length && !text.endsWith('\n');
  const insert = lines.map((l) => `${indent}${l}${eol}`).join('');
  return text.slice(0, at) + (needsBreak ? eol : '') + insert + text.slice(at);
}

function childIndentStep(text: string, metadata: YAMLMap): number {
  // The step between metadata's own keys and their parent, as the file writes it; 2 when unknown.
  const first = metadata.items[0] as Pair | undefined;
  if (!first || !metadata.range) return 2;
  const keyCol = column(text, keyStart(first));
  const parentLine = startOfLine(text, metadata.range[0]);
  const prev = text.lastIndexOf('\n', parentLine - 2);
  const parentIndent = text.slice(prev + 1).search(/\S/);
  return keyCol > parentIndent && parentIndent >= 0 ? keyCol - parentIndent : 2;
}

function applyOne(source: YamlSource, id: string, change: AnnotationChange, options: EditOptions): string {
  const text = source.text;
  const where = `${source.file}: ${id} annotation ${change.key}`;
  const { node } = locateObject(source, id, options);
  const metadata = node.get('metadata', true);
  if (!isMap(metadata)) {
    throw new UnsupportedEditError(`${where}: metadata is not a map`, 'Give the resource a metadata map.');
  }
  const annotationsPair = (metadata.items as Pair[]).find(
    (p) => isScalar(p.key) && p.key.value === 'annotations',
  );
  const annotations = annotationsPair?.value;
  const existing = isMap(annotations)
    ? (annotations.items as Pair[]).find((p) => isScalar(p.key) && String(p.key.value) === change.key)
    : undefined;

  if (change.value === null) {
    if (!existing || !isMap(annotations)) return text;
    if (annotations.flow) {
      const others = (annotations.items as Pair[]).filter((p) => p !== existing);
      const body = others.map((p) => text.slice(keyStart(p), pairEnd(p))).join(', ');
      const [start, end] = annotations.range ?? [0, 0];
      return `${text.slice(0, start)}{${body}}${text.slice(end)}`;
    }
    if (annotations.items.length === 1 && annotationsPair) {
      // The last annotation goes, and the annotations key with it.
      const from = startOfLine(text, keyStart(annotationsPair));
      return text.slice(0, from) + text.slice(endOfLine(text, pairEnd(existing)));
    }
    const from = startOfLine(text, keyStart(existing));
    return text.slice(0, from) + text.slice(endOfLine(text, pairEnd(existing)));
  }

  if (existing) {
    setScalar(existing.value as Node, change.value, where);
    return source.stringify();
  }
  const entry = `${formatKey(change.key)}: ${formatAnnotationValue(change.value)}`;
  if (isMap(annotations) && annotations.flow) {
    const flowEntry = `${formatKey(change.key)}: ${formatAnnotationValue(change.value, 'flow')}`;
    const [start, end] = annotations.range ?? [0, 0];
    const inner = text.slice(start + 1, text.lastIndexOf('}', end - 1));
    const body = inner.trim() === '' ? flowEntry : `${inner.replace(/\s*$/, '')}, ${flowEntry}`;
    return `${text.slice(0, start)}{${body}}${text.slice(end)}`;
  }
  if (isMap(annotations) && annotations.items.length > 0) return appendToBlockMap(text, annotations, [entry]);
  if (metadata.flow) {
    throw new UnsupportedEditError(
      `${where}: metadata is a flow map ({…})`,
      'Write metadata as a block map to let flux-ts add annotations.',
    );
  }
  const step = ' '.repeat(childIndentStep(text, metadata));
  if (annotationsPair) {
    // `annotations:` with no value (or an empty block): put the entry on the next line.
    const eol = eolOf(text);
    const indent = ' '.repeat(column(text, keyStart(annotationsPair))) + step;
    const at = endOfLine(text, keyStart(annotationsPair));
    const lineEnd = text.slice(keyStart(annotationsPair), at).replace(/\r?\n$/, '');
    const rebuilt = `${lineEnd.replace(/\s*(\{\s*\}|~|null)?\s*$/, '')}${eol}${indent}${entry}${eol}`;
    return text.slice(0, keyStart(annotationsPair)) + rebuilt + text.slice(at);
  }
  return appendToBlockMap(text, metadata, ['annotations:', `${step}${entry}`]);
}

/**
 * Sets or deletes annotations of the resource `id` in a manifest file's text, changing only the
 * bytes involved: an existing value's scalar, one new line in the map's own indentation, or the
 * deleted entry's line(s). When the last annotation goes, the `annotations` key goes too.
 */
export function setAnnotations(
  text: string,
  id: string,
  changes: readonly AnnotationChange[],
  options: EditOptions = {},
): string {
  let current = text;
  for (const change of changes) {
    current = applyOne(parseYamlSource(current, options.file ?? '<text>'), id, change, options);
  }
  return current;
}
