import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContainerNotFoundError, ResourceNotFoundError, UnsupportedEditError } from './errors.ts';
import { parseManifests } from './parse.ts';
import { setContainerImage } from './update-image.ts';

const errorClasses = { ContainerNotFoundError, ResourceNotFoundError, UnsupportedEditError };

const dir = new URL('../../test/fixtures/update-image/', import.meta.url).pathname;
const cases = readdirSync(dir).sort();

interface ImageCase {
  id: string;
  container: string;
  image: string;
  error?: keyof typeof errorClasses;
}

describe('setContainerImage golden fixtures', () => {
  it('has a fixture for every shape', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)('%s', (name) => {
    const input = readFileSync(join(dir, name, 'input.yaml'), 'utf8');
    const spec = JSON.parse(readFileSync(join(dir, name, 'case.json'), 'utf8')) as ImageCase;

    if (spec.error) {
      const ErrorClass = errorClasses[spec.error];
      expect(() =>
        setContainerImage(input, spec.id, spec.container, spec.image, { file: `${name}/input.yaml` }),
      ).toThrow(ErrorClass);
      return;
    }
    const output = setContainerImage(input, spec.id, spec.container, spec.image, {
      file: `${name}/input.yaml`,
    });

    expect(output).toBe(readFileSync(join(dir, name, 'expected.yaml'), 'utf8'));
    const before = parseManifests(input, 'in.yaml').resources.find((r) => r.id.toString() === spec.id);
    const after = parseManifests(output, 'out.yaml').resources.find((r) => r.id.toString() === spec.id);
    expect(after?.containers?.find((c) => c.name === spec.container)?.image).toBe(spec.image);
    expect(after?.containers?.filter((c) => c.name !== spec.container)).toEqual(
      before?.containers?.filter((c) => c.name !== spec.container),
    );
  });
});
