import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PolicyUpdate } from '../policy/policy-update.ts';
import { InvalidTagPatternError } from '../policy/tag-pattern.ts';
import { ResourceNotFoundError } from './errors.ts';
import { updateWorkloadPolicies } from './update-policies.ts';

const dir = new URL('../../test/fixtures/update-policies/', import.meta.url).pathname;
const errorClasses = { InvalidTagPatternError, ResourceNotFoundError };

describe('updateWorkloadPolicies golden fixtures', () => {
  it.each(readdirSync(dir).sort())('%s', (name) => {
    const input = readFileSync(join(dir, name, 'input.yaml'), 'utf8');
    const spec = JSON.parse(readFileSync(join(dir, name, 'case.json'), 'utf8')) as {
      id: string;
      update: PolicyUpdate;
      error?: keyof typeof errorClasses;
    };

    if (spec.error) {
      expect(() => updateWorkloadPolicies(input, spec.id, spec.update)).toThrow(errorClasses[spec.error]);
      return;
    }
    const output = updateWorkloadPolicies(input, spec.id, spec.update);

    expect(output).toBe(readFileSync(join(dir, name, 'expected.yaml'), 'utf8'));
  });

  it('names the annotation in a bad pattern error', () => {
    const input = readFileSync(join(dir, 'error-invalid-semver', 'input.yaml'), 'utf8');

    expect(() =>
      updateWorkloadPolicies(input, 'demo:deployment/podinfo', {
        add: { 'tag.podinfod': 'semver:>=banana' },
      }),
    ).toThrow(/annotation fluxcd\.io\/tag\.podinfod: invalid tag pattern: "semver:>=banana"/);
  });
});
