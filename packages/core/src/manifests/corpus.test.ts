import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseImageRef } from '../image/ref.ts';
import { parseManifests } from './parse.ts';
import { setContainerImage } from './update-image.ts';
import { parseYamlSource } from './yaml-source.ts';

// Real-world manifests from public repositories (shared/corpus, beside the repository), with an
// index of every container image written by an independent tool: kind, name, container, the image
// as written, and the line, column and raw source of its scalar(s).
const corpus = new URL('../../../../../shared/corpus/', import.meta.url).pathname;

interface ImageRow {
  file: string;
  kind: string;
  namespace: string;
  name: string;
  containerKind: string;
  container: string;
  image: string;
  line: number;
  column: number;
  style: string;
  /** Each scalar of the image: its key (helm), source text and position. */
  parts: { key: string; raw: string; line: number; column: number }[];
}

const unescapeField = (s: string): string =>
  s.replace(/\\([\\tnr])/g, (_m, c: string) => ({ '\\': '\\', t: '\t', n: '\n', r: '\r' })[c] as string);

function readIndex(): ImageRow[] {
  const [, ...lines] = readFileSync(join(corpus, 'images.tsv'), 'utf8').trimEnd().split('\n');
  return lines.map((line) => {
    const f = line.split('\t').map(unescapeField);
    const [file, , kind, namespace, name, containerKind, container, image, , l, c, style, raw] =
      f as string[];
    const parts =
      containerKind === 'helm'
        ? (raw as string).split(' ; ').map((p) => {
            const m = /^([^=]+)=(.*)@(\d+):(\d+)$/.exec(p) as RegExpExecArray;
            return { key: m[1] as string, raw: m[2] as string, line: Number(m[3]), column: Number(m[4]) };
          })
        : [{ key: 'image', raw: raw as string, line: Number(l), column: Number(c) }];
    return {
      file: file as string,
      kind: kind as string,
      namespace: namespace as string,
      name: name as string,
      containerKind: containerKind as string,
      container: container as string,
      image: image as string,
      line: Number(l),
      column: Number(c),
      style: style as string,
      parts,
    };
  });
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/** Offset of a 1-based line and column in `text`. */
function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) offset = text.indexOf('\n', offset) + 1;
  return offset + column - 1;
}

const idOf = (row: ImageRow): string => `${row.namespace || 'default'}:${row.kind.toLowerCase()}/${row.name}`;

describe('corpus of real-world manifests', () => {
  it('is present beside the repository', () => {
    expect(
      existsSync(join(corpus, 'images.tsv')),
      `${corpus} is missing: CI clones shared/ beside the repository`,
    ).toBe(true);
  });

  const files = existsSync(corpus) ? listFiles(join(corpus, 'manifests')).sort() : [];
  const rows = existsSync(corpus) ? readIndex() : [];

  it('has the files and images the index promises', () => {
    expect(files.length).toBeGreaterThan(250);
    expect(rows.length).toBeGreaterThan(250);
  });

  it('round-trips every file byte for byte', () => {
    const changed = files.filter((file) => {
      const text = readFileSync(file, 'utf8');
      return parseYamlSource(text, file).stringify() !== text;
    });

    expect(changed).toEqual([]);
  });

  it('loads every file, reporting the broken ones with file and line instead of throwing', () => {
    const broken: string[] = [];
    for (const file of files) {
      const result = parseManifests(readFileSync(file, 'utf8'), file.slice(corpus.length));
      for (const err of result.errors) if (err.code === 'manifest.parse') broken.push(err.message);
    }

    // Four files of the set are not valid YAML as committed upstream; each is named with its position.
    expect(broken.map((m) => m.split(':').slice(0, 2).join(':')).sort()).toEqual([
      'manifests/billimek-k8s-gitops/kube-system__hostdev-device-plugin__hostdev-device-plugin.at-cbe67742.yaml:31',
      'manifests/kubernetes-examples/staging__javaweb-tomcat-sidecar__javaweb-2.at-e3c0e941.yaml:8',
      'manifests/prometheus-operator-kube-prometheus/examples__alertmanager-config-with-template.yaml:20',
      'manifests/wrmilling-k3s-gitops/default__haste-server__haste-server.at-6cc60de8.yaml:50',
    ]);
    for (const message of broken)
      expect(message).toMatch(/^manifests\/[^:]+\.ya?ml:\d+:\d+: cannot parse YAML: \w/);
  });

  it('finds exactly the indexed containers, with the images as written', () => {
    const indexed = rows.map((r) => `${r.file} ${idOf(r)} ${r.container}=${r.image}`).sort();
    const found: string[] = [];
    for (const file of files) {
      const rel = file.slice(corpus.length);
      for (const resource of parseManifests(readFileSync(file, 'utf8'), rel).resources) {
        if (
          resource.kind === 'HelmRelease' &&
          !/^(helm\.fluxcd\.io|flux\.weave\.works)\//.test(resource.apiVersion)
        )
          continue;
        for (const c of resource.containers ?? []) found.push(`${rel} ${resource.id} ${c.name}=${c.image}`);
      }
    }

    expect(found.sort()).toEqual(indexed);
  });

  it('changes exactly the tag bytes when every container of every workload gets a new tag', () => {
    const byFile = new Map<string, ImageRow[]>();
    for (const row of rows) byFile.set(row.file, [...(byFile.get(row.file) ?? []), row]);
    let edited = 0;
    let skipped = 0;

    for (const [file, fileRows] of byFile) {
      const original = readFileSync(join(corpus, file), 'utf8');
      let actual = original;
      const replacements: { offset: number; length: number; text: string }[] = [];
      for (const row of fileRows) {
        let ref: ReturnType<typeof parseImageRef>;
        try {
          ref = parseImageRef(row.image);
        } catch {
          skipped++; // placeholders such as "<image_url>" are not references
          continue;
        }
        if (!ref.tag || row.style.includes('alias')) {
          skipped++;
          continue;
        }
        const newTag = `${ref.tag}-next`;
        const image = ref.digest ? `${ref.name}:${newTag}@${ref.digest}` : ref.withTag(newTag).toString();
        actual = setContainerImage(actual, idOf(row), row.container, image);
        edited++;
        // Independently: in the indexed scalar that holds the tag, the tag's bytes change.
        const part = row.parts.find((p) => p.key === 'tag') ?? (row.parts[0] as ImageRow['parts'][number]);
        const at = part.raw.lastIndexOf(ref.tag);
        const offset = offsetOf(original, part.line, part.column) + at;
        expect(original.slice(offset, offset + ref.tag.length), `${file}:${part.line}:${part.column}`).toBe(
          ref.tag,
        );
        replacements.push({ offset, length: ref.tag.length, text: newTag });
      }
      let expected = original;
      for (const r of replacements.sort((a, b) => b.offset - a.offset)) {
        expected = expected.slice(0, r.offset) + r.text + expected.slice(r.offset + r.length);
      }

      expect(actual, file).toBe(expected);
    }

    expect(edited).toBeGreaterThan(200);
    expect(skipped).toBeLessThan(rows.length / 5);
  });
});
