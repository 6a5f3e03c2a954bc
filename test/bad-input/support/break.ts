import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Broken manifests derived from real files of the shared corpus (`../shared/corpus/manifests`,
 * beside the repository). Each breaker changes a few bytes of a real manifest and says on which
 * line the damage is, so a test can check that the error fluxd reports names that file and line.
 * Line-based on purpose: no YAML library re-serialises the file, so the line numbers stay the
 * corpus file's own (after {@link retarget}).
 */

/** The corpus of real manifests (`FLUX_TS_CORPUS` overrides). */
export const CORPUS_DIR: string =
  process.env.FLUX_TS_CORPUS ??
  fileURLToPath(new URL('../../../../shared/corpus/manifests/', import.meta.url));

/** A few real Deployments (with their Services and ServiceAccounts) from the corpus. */
export const SAMPLE_DEPLOYMENTS: readonly string[] = [
  'fluxcd-flux-get-started/workloads__podinfo-dep.yaml',
  'googlecloudplatform-microservices-demo/kubernetes-manifests__adservice.yaml',
  'istio-istio/samples__sleep__sleep.yaml',
];

/** Reads a corpus file (`<project>/<file>.yaml`). */
export function readCorpus(path: string): Promise<string> {
  return readFile(join(CORPUS_DIR, path), 'utf8');
}

/** A short name for a corpus path: `podinfo-dep`, `adservice`, `sleep`. */
export function sampleName(path: string): string {
  const base = basename(path).replace(/\.ya?ml$/, '');
  return (base.split('__').at(-1) ?? base).replace(/^kubernetes-manifests-/, '');
}

/** How a variant is broken. */
export const BREAKS = [
  'truncate',
  'bad-indentation',
  'tab',
  'duplicate-key',
  'wrong-type-metadata',
  'wrong-type-kind',
  'wrong-type-replicas',
] as const;
export type BreakKind = (typeof BREAKS)[number];

/** A broken copy of a manifest. */
export interface BrokenVariant {
  kind: BreakKind;
  text: string;
  /** The 1-based line an error should name: where the damage is (or the document it broke). */
  line: number;
  /** What a correct loader or API server says about it (Flux v1's wording or the YAML parser's). */
  reason: RegExp;
  /**
   * Who notices: `load` = a YAML/manifest error with file:line when the repository is read;
   * `apply` = the file loads, and the API server refuses the object.
   */
  detectedBy: 'load' | 'apply';
}

interface Doc {
  /** Index of the document's first line (after `---`), and one past its last. */
  start: number;
  end: number;
}

function documents(lines: readonly string[]): Doc[] {
  const docs: Doc[] = [];
  let start = 0;
  lines.forEach((line, i) => {
    if (/^---\s*$/.test(line)) {
      docs.push({ start, end: i });
      start = i + 1;
    }
  });
  docs.push({ start, end: lines.length });
  return docs.filter((d) => lines.slice(d.start, d.end).some((l) => /^kind:/.test(l)));
}

/** The index of a top-level key's line in a document, or -1. */
function topKey(lines: readonly string[], doc: Doc, key: string): number {
  for (let i = doc.start; i < doc.end; i++) if ((lines[i] ?? '').startsWith(`${key}:`)) return i;
  return -1;
}

/** The index of `  <key>:` directly under the top-level `metadata:` of a document, or -1. */
function metadataKey(lines: readonly string[], doc: Doc, key: string): number {
  const meta = topKey(lines, doc, 'metadata');
  if (meta < 0) return -1;
  for (let i = meta + 1; i < doc.end; i++) {
    const line = lines[i] ?? '';
    if (/^\S/.test(line)) return -1;
    if (line.startsWith(`  ${key}:`)) return i;
  }
  return -1;
}

/** The document that holds the first `kind: Deployment` (the one the breakers damage). */
function deploymentDoc(lines: readonly string[]): Doc {
  const doc = documents(lines).find(
    (d) => topKey(lines, d, 'kind') >= 0 && lines[topKey(lines, d, 'kind')] === 'kind: Deployment',
  );
  if (!doc) throw new Error('no Deployment in the manifest');
  return doc;
}

/** The first line of a document's content (not blank, not a comment): where a loader says it starts. */
function contentStart(lines: readonly string[], doc: Doc): number {
  for (let i = doc.start; i < doc.end; i++) {
    const line = lines[i] ?? '';
    if (line.trim() !== '' && !line.trimStart().startsWith('#')) return i;
  }
  return doc.start;
}

/**
 * Points every object of a multi-document manifest at `namespace` and appends `suffix` to its
 * name (so broken copies never collide with the good one), editing only `metadata.name` and
 * `metadata.namespace` lines: the other lines keep their numbers, and the comments stay.
 */
export function retarget(text: string, namespace: string, suffix = ''): string {
  const lines = text.split('\n');
  const out: string[] = [];
  const docs = documents(lines);
  const inserts = new Map<number, string>();
  const drop = new Set<number>();
  for (const doc of docs) {
    const name = metadataKey(lines, doc, 'name');
    if (name < 0) throw new Error(`a document at line ${doc.start + 1} has no metadata.name`);
    const ns = metadataKey(lines, doc, 'namespace');
    if (ns >= 0) drop.add(ns);
    inserts.set(name, `  namespace: ${namespace}`);
    const value = (lines[name] ?? '').replace(/^ {2}name:\s*/, '').replace(/^["']|["']$/g, '');
    lines[name] = `  name: ${value}${suffix}`;
  }
  lines.forEach((line, i) => {
    if (drop.has(i)) return;
    out.push(line);
    const insert = inserts.get(i);
    if (insert !== undefined) out.push(insert);
  });
  return out.join('\n');
}

function variant(
  kind: BreakKind,
  lines: string[],
  line: number,
  reason: RegExp,
  detectedBy: 'load' | 'apply',
): BrokenVariant {
  return { kind, text: lines.join('\n'), line, reason, detectedBy };
}

/** Breaks a manifest one way. Throws when this manifest offers nothing to break that way. */
export function breakManifest(text: string, kind: BreakKind): BrokenVariant {
  const lines = text.split('\n');
  const doc = deploymentDoc(lines);
  switch (kind) {
    case 'truncate': {
      // Cut the file short inside a quoted scalar, as an interrupted write or paste would.
      for (let i = doc.start; i < doc.end; i++) {
        const line = lines[i] ?? '';
        const quote = line.indexOf('"');
        if (quote < 0 || line.trimStart().startsWith('#')) continue;
        const cut = [...lines.slice(0, i), line.slice(0, quote + 2)];
        return variant(kind, cut, i + 1, /missing closing "?quote/i, 'load');
      }
      throw new Error('no quoted scalar to cut inside');
    }
    case 'bad-indentation': {
      // A key one column left of its siblings (`metadata.name` is followed by a sibling key).
      const name = metadataKey(lines, doc, 'name');
      const next = name + 1;
      if (name < 0 || !/^ {2}\S/.test(lines[next] ?? '')) throw new Error('no sibling after metadata.name');
      lines[next] = (lines[next] ?? '').slice(1);
      return variant(kind, lines, next + 1, /same column|indent/i, 'load');
    }
    case 'tab': {
      const name = metadataKey(lines, doc, 'name');
      if (name < 0) throw new Error('no metadata.name');
      lines[name] = `\t${(lines[name] ?? '').trimStart()}`;
      return variant(kind, lines, name + 1, /tab/i, 'load');
    }
    case 'duplicate-key': {
      // The same key twice in one mapping: which value wins is up to the parser.
      const name = metadataKey(lines, doc, 'name');
      if (name < 0) throw new Error('no metadata.name');
      lines.splice(name + 1, 0, `${lines[name]}-dup`);
      return variant(kind, lines, name + 2, /duplicate|unique|already/i, 'load');
    }
    case 'wrong-type-metadata': {
      // `metadata.name` a sequence: the object has no usable name.
      const name = metadataKey(lines, doc, 'name');
      if (name < 0) throw new Error('no metadata.name');
      lines[name] = (lines[name] ?? '').replace(/^( {2}name: )(.*)$/, '$1[$2]');
      return variant(kind, lines, contentStart(lines, doc) + 1, /no metadata\.name/, 'load');
    }
    case 'wrong-type-kind': {
      const k = topKey(lines, doc, 'kind');
      lines[k] = 'kind: [Deployment]';
      return variant(kind, lines, k + 1, /kind/i, 'load');
    }
    case 'wrong-type-replicas': {
      // Valid YAML, invalid object: the API server refuses a string where it wants an integer.
      const spec = topKey(lines, doc, 'spec');
      if (spec < 0) throw new Error('no spec');
      const replicas = lines.findIndex((l, i) => i > spec && i < doc.end && /^ {2}replicas:/.test(l));
      if (replicas >= 0) {
        lines[replicas] = '  replicas: "three"';
        return variant(kind, lines, replicas + 1, /replicas/i, 'apply');
      }
      lines.splice(spec + 1, 0, '  replicas: "three"');
      return variant(kind, lines, spec + 2, /replicas/i, 'apply');
    }
  }
}

/** Every variant of a manifest, keyed by kind. */
export function allBreaks(text: string): BrokenVariant[] {
  return BREAKS.map((kind) => breakManifest(text, kind));
}

/**
 * Bytes that are not text: a PNG signature, NULs, invalid UTF-8 and control characters,
 * deterministic (a linear congruential sequence) so a failure can be reproduced.
 */
export function binaryBytes(size: number, seed = 7): Buffer {
  const out = Buffer.alloc(size);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(out);
  let x = seed;
  for (let i = 8; i < size; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = i % 17 === 0 ? 0 : x >> 16;
  }
  return out;
}

/**
 * A valid manifest of `bytes` bytes: one ConfigMap whose single value is huge. Over the loader's
 * per-file limit (16 MiB) it is refused unread; under it but over the API server's request size
 * limit (3 MiB) it loads and then fails to apply.
 */
export function hugeConfigMap(name: string, namespace: string, bytes: number): string {
  const head = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\ndata:\n  blob: `;
  return `${head}${'x'.repeat(Math.max(0, bytes - head.length - 1))}\n`;
}
