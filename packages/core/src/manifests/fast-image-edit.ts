import { CLUSTER_SCOPE, type ResourceId } from '../resource/id.ts';
import { safeAsPlain } from './scalar-edit.ts';
import { POD_SPEC_PATHS } from './workloads.ts';

// A fast path for the commonest edit, a container image in block-style YAML, that reads only the
// lines it needs instead of parsing the whole stream. It answers only when everything on its way is
// plainly written (block maps and sequences, single-line scalars); anything else — flow
// collections, anchors, aliases, tags, block scalars, directives, List kinds, HelmReleases — makes
// it return undefined, and the full CST editor does the edit. The two are tested to agree on every
// golden fixture and every corpus file.

interface Line {
  /** Offset of the first character. */
  start: number;
  /** Offset of the end of the content (before \r\n or \n). */
  end: number;
  /** Number of leading spaces; -1 for blank and comment-only lines. */
  indent: number;
}

interface KeyLine {
  line: number;
  key: string;
  /** Offset where the value's text starts ('' value: end of line). */
  valueStart: number;
  /** The value text to the end of the line (no line break). */
  valueText: string;
  /** Indentation of the key itself (after a `- ` when the line opens a sequence item). */
  keyIndent: number;
}

// The same paths as the full editor, by lower-cased kind (resource IDs lower-case kinds).
const podSpecPaths: Record<string, readonly string[]> = Object.fromEntries(
  Object.entries(POD_SPEC_PATHS).map(([kind, path]) => [kind.toLowerCase(), path.map(String)]),
);

class Bail extends Error {}
const bail = (): never => {
  throw new Bail();
};

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start < text.length) {
    let nl = text.indexOf('\n', start);
    if (nl < 0) nl = text.length;
    const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    let i = start;
    while (i < end && text.charCodeAt(i) === 32) i++;
    const c = text.charCodeAt(i);
    if (c === 9) bail(); // a tab in indentation
    const indent = i === end || c === 35 /* # */ ? -1 : i - start;
    lines.push({ start, end, indent });
    start = nl + 1;
  }
  return lines;
}

const plainKey = /^([A-Za-z0-9_][A-Za-z0-9_./-]*)[ ]*:(?:[ ]+|$)/;

/** Reads `key: value` at `offset` (the key's first character). */
function readKey(text: string, line: Line, lineIndex: number, offset: number): KeyLine | undefined {
  const m = plainKey.exec(text.slice(offset, line.end));
  if (!m) return undefined;
  const valueStart = offset + m[0].length;
  return {
    line: lineIndex,
    key: m[1] as string,
    valueStart,
    valueText: text.slice(valueStart, line.end),
    keyIndent: offset - line.start,
  };
}

interface Scalar {
  value: string;
  start: number;
  end: number;
  style: 'plain' | 'single' | 'double';
}

/** A single-line scalar value, or bail. */
function readScalar(key: KeyLine): Scalar {
  const t = key.valueText;
  const first = t.charAt(0);
  let value: string;
  let length: number;
  let style: Scalar['style'];
  if (first === '"') {
    const close = t.indexOf('"', 1);
    if (close < 0 || t.slice(1, close).includes('\\')) bail();
    value = t.slice(1, close);
    length = close + 1;
    style = 'double';
  } else if (first === "'") {
    let i = 1;
    value = '';
    for (;;) {
      const q = t.indexOf("'", i);
      if (q < 0) return bail();
      value += t.slice(i, q);
      if (t.charAt(q + 1) === "'") {
        value += "'";
        i = q + 2;
        continue;
      }
      length = q + 1;
      break;
    }
    style = 'single';
  } else {
    if (t === '' || /^[[{&*!|>%@`#]/.test(t)) bail();
    const hash = t.search(/\s#/);
    value = (hash < 0 ? t : t.slice(0, hash)).trimEnd();
    if (/:\s|:$/.test(value)) bail();
    length = value.length;
    style = 'plain';
  }
  const rest = t.slice(length);
  if (rest.trim() !== '' && !/^\s+#/.test(rest)) bail();
  return { value, start: key.valueStart, end: key.valueStart + length, style };
}

/** The keys of the block map whose entries are at `indent`, between lines `from` and `to`. */
function mapKeys(text: string, lines: Line[], from: number, to: number, indent: number): KeyLine[] {
  const keys: KeyLine[] = [];
  for (let i = from; i < to; i++) {
    const line = lines[i] as Line;
    if (line.indent < 0 || line.indent > indent) continue;
    if (line.indent < indent) break;
    // An indentless sequence belongs to the key before it.
    if (
      text.startsWith('- ', line.start + indent) ||
      (line.end === line.start + indent + 1 && text[line.start + indent] === '-')
    )
      continue;
    const key = readKey(text, line, i, line.start + indent) ?? bail();
    keys.push(key);
  }
  return keys;
}

/** Lines of the block value of `key` (the lines after it that are more indented), as [from, to). */
function blockOf(
  lines: Line[],
  key: KeyLine,
  to: number,
  allowSameIndentSeq: boolean,
  text: string,
): [number, number, number] {
  if (key.valueText.trim() !== '' && !/^#/.test(key.valueText.trim())) bail();
  let i = key.line + 1;
  while (i < to && (lines[i] as Line).indent < 0) i++;
  const first = lines[i];
  if (!first) return bail();
  const isSeqAtSameIndent =
    allowSameIndentSeq && first.indent === key.keyIndent && text.startsWith('- ', first.start + first.indent);
  if (first.indent <= key.keyIndent && !isSeqAtSameIndent) bail();
  let end = i;
  for (; end < to; end++) {
    const l = lines[end] as Line;
    if (l.indent < 0) continue;
    if (l.indent < first.indent) break;
    if (l.indent === first.indent && isSeqAtSameIndent && !text.startsWith('-', l.start + l.indent)) break;
  }
  return [i, end, first.indent];
}

function unique(keys: KeyLine[], name: string): KeyLine | undefined {
  const found = keys.filter((k) => k.key === name);
  if (found.length > 1) bail();
  return found[0];
}

/** New source for a scalar, in its style (plain turns single-quoted when it would not read back). */
function render(value: string, style: Scalar['style']): string {
  if (style === 'double')
    return /^[\x20-\x7e]*$/.test(value) && !value.includes('"') && !value.includes('\\')
      ? `"${value}"`
      : bail();
  if (style === 'single' || !safeAsPlain(value)) {
    return `'${value.replace(/'/g, "''")}'`;
  }
  return value;
}

function documentRanges(text: string, lines: Line[]): [number, number][] {
  const ranges: [number, number][] = [];
  let from = 0;
  lines.forEach((line, i) => {
    const c = text.charCodeAt(line.start);
    if (c === 37 /* % */) bail();
    if (c !== 45 && c !== 46) return;
    const head = text.slice(line.start, line.end);
    if (!/^(---|\.\.\.)(\s*(#.*)?)?$/.test(head)) {
      if (/^(---|\.\.\.)(\s|$)/.test(head)) bail(); // content on a document marker line
      return;
    }
    if (i > from) ranges.push([from, i]);
    from = i + 1;
  });
  if (from < lines.length) ranges.push([from, lines.length]);
  return ranges;
}

/**
 * Sets a container's image by reading only the lines on the way to it, or returns undefined when the
 * file is not written plainly enough to be sure (the caller then uses the full CST editor).
 */
export function fastSetContainerImage(
  text: string,
  id: ResourceId,
  container: string,
  image: string,
  defaultNamespace: string,
): string | undefined {
  const path = podSpecPaths[id.kind];
  if (!path) return undefined;
  try {
    const lines = splitLines(text);
    for (const [from, to] of documentRanges(text, lines)) {
      const top = mapKeys(text, lines, from, to, 0);
      if (top.length === 0) continue;
      const kind = unique(top, 'kind');
      if (!kind || readScalar(kind).value.toLowerCase() !== id.kind) continue;
      const metadataKey = unique(top, 'metadata') ?? bail();
      const [mFrom, mTo, mIndent] = blockOf(lines, metadataKey, to, false, text);
      const meta = mapKeys(text, lines, mFrom, mTo, mIndent);
      const nameKey = unique(meta, 'name');
      if (!nameKey || readScalar(nameKey).value !== id.name) continue;
      const nsKey = unique(meta, 'namespace');
      const namespace = nsKey ? readScalar(nsKey).value || defaultNamespace : defaultNamespace;
      if (id.namespace !== CLUSTER_SCOPE && namespace !== id.namespace) continue;

      // The target document: walk down to the pod spec.
      let keys = top;
      let range: [number, number] = [from, to];
      for (const step of path) {
        const key = unique(keys, step) ?? bail();
        const [f, t, indent] = blockOf(lines, key, range[1], false, text);
        keys = mapKeys(text, lines, f, t, indent);
        range = [f, t];
      }
      for (const field of ['containers', 'initContainers']) {
        const listKey = unique(keys, field);
        if (!listKey) continue;
        const [f, t, dashIndent] = blockOf(lines, listKey, range[1], true, text);
        let i = f;
        while (i < t) {
          const line = lines[i] as Line;
          if (line.indent < 0) {
            i++;
            continue;
          }
          if (line.indent !== dashIndent || !text.startsWith('- ', line.start + dashIndent)) bail();
          let keyOffset = line.start + dashIndent + 1;
          while (text.charCodeAt(keyOffset) === 32) keyOffset++;
          const firstKey = readKey(text, line, i, keyOffset) ?? bail();
          let next = i + 1;
          while (next < t && ((lines[next] as Line).indent < 0 || (lines[next] as Line).indent > dashIndent))
            next++;
          const itemKeys = [firstKey, ...mapKeys(text, lines, i + 1, next, firstKey.keyIndent)];
          const nameKey2 = unique(itemKeys, 'name');
          if (nameKey2 && readScalar(nameKey2).value === container) {
            const imageKey = unique(itemKeys, 'image') ?? bail();
            const scalar = readScalar(imageKey);
            // A plain scalar continued on the next line is not a single-line value.
            const after = lines.slice(imageKey.line + 1, next).find((l) => l.indent >= 0);
            if (after && after.indent > imageKey.keyIndent) bail();
            return text.slice(0, scalar.start) + render(image, scalar.style) + text.slice(scalar.end);
          }
          i = next;
        }
      }
      return undefined; // not found here: the full editor says why
    }
    return undefined;
  } catch (err) {
    if (err instanceof Bail) return undefined;
    throw err;
  }
}
