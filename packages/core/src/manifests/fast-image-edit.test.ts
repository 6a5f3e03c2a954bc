import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseImageRef } from '../image/ref.ts';
import { parseResourceId } from '../resource/id.ts';
import { fastSetContainerImage } from './fast-image-edit.ts';
import { parseManifests } from './parse.ts';
import { cstSetContainerImage } from './update-image.ts';

const fixtures = new URL('../../test/fixtures/update-image/', import.meta.url).pathname;
const corpus = new URL('../../../../../shared/corpus/manifests/', import.meta.url).pathname;

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/** Runs both editors; the fast one may decline (undefined) but must never disagree. */
function compare(text: string, id: string, container: string, image: string): 'fast' | 'declined' {
  const fast = fastSetContainerImage(text, parseResourceId(id), container, image, 'default');
  if (fast === undefined) return 'declined';
  expect(fast, `${id} ${container}`).toBe(cstSetContainerImage(text, id, container, image));
  return 'fast';
}

describe('fast image edit', () => {
  it.each(readdirSync(fixtures).sort())('agrees with the CST editor on fixture %s', (name) => {
    const text = readFileSync(join(fixtures, name, 'input.yaml'), 'utf8');
    const spec = JSON.parse(readFileSync(join(fixtures, name, 'case.json'), 'utf8')) as {
      id: string;
      container: string;
      image: string;
      error?: string;
    };

    const fast = fastSetContainerImage(text, parseResourceId(spec.id), spec.container, spec.image, 'default');

    if (spec.error) expect(fast).toBeUndefined();
    else if (fast !== undefined)
      expect(fast).toBe(readFileSync(join(fixtures, name, 'expected.yaml'), 'utf8'));
  });

  it('agrees with the CST editor on every container of the corpus, and handles most of them', () => {
    const outcomes = { fast: 0, declined: 0 };
    for (const file of listFiles(corpus)) {
      const text = readFileSync(file, 'utf8');
      for (const resource of parseManifests(text, file).resources) {
        for (const c of resource.containers ?? []) {
          if (c.kind === 'helm') continue;
          let tag = 'next';
          try {
            tag = `${parseImageRef(c.image).tag || 'latest'}-next`;
          } catch {
            // placeholder images: any new value will do
          }
          outcomes[compare(text, resource.id.toString(), c.name, `${c.image.split(':')[0]}:${tag}`)]++;
        }
      }
    }

    expect(outcomes.fast).toBeGreaterThan(150);
    expect(outcomes.declined).toBeLessThan(outcomes.fast / 4);
  });

  it.each`
    case                        | text
    ${'flow container'}         | ${'kind: Pod\nmetadata:\n  name: p\nspec:\n  containers: [{name: a, image: x:1}]\n'}
    ${'anchor on the image'}    | ${'kind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    image: &i x:1\n'}
    ${'block scalar image'}     | ${'kind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    image: >-\n      x:1\n'}
    ${'multi-line plain image'} | ${'kind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    image: x:1\n      continued\n'}
    ${'escaped double quotes'}  | ${'kind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    image: "x:\\u0031"\n'}
    ${'directive'}              | ${'%YAML 1.2\n---\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    image: x:1\n'}
    ${'duplicate key'}          | ${'kind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    image: x:1\n    image: x:2\n'}
    ${'tab indentation'}        | ${'kind: Pod\nmetadata:\n\tname: p\n'}
  `('declines when it is not sure: $case', ({ text }) => {
    expect(
      fastSetContainerImage(text, parseResourceId('default:pod/p'), 'a', 'x:2', 'default'),
    ).toBeUndefined();
  });
});
