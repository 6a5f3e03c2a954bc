import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type AnnotationChange, setAnnotations } from './annotations-edit.ts';
import { parseManifests } from './parse.ts';

const dir = new URL('../../test/fixtures/update-annotations/', import.meta.url).pathname;

describe('setAnnotations golden fixtures', () => {
  it.each(readdirSync(dir).sort())('%s', (name) => {
    const input = readFileSync(join(dir, name, 'input.yaml'), 'utf8');
    const spec = JSON.parse(readFileSync(join(dir, name, 'case.json'), 'utf8')) as {
      id: string;
      changes: AnnotationChange[];
    };

    const output = setAnnotations(input, spec.id, spec.changes, { file: `${name}/input.yaml` });

    expect(output).toBe(readFileSync(join(dir, name, 'expected.yaml'), 'utf8'));
    const after = parseManifests(output, 'out.yaml').resources.find((r) => r.id.toString() === spec.id);
    for (const change of spec.changes) {
      expect(after?.annotations[change.key]).toBe(change.value ?? undefined);
    }
  });
});
