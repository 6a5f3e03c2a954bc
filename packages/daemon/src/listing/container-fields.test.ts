import { CONTAINER_FIELDS } from '@flux-ts/core';
import { describe, expect, it } from 'vitest';
import { InvalidContainerFieldError, isContainerField, parseContainerFields } from './container-fields.ts';

describe('parseContainerFields', () => {
  it.each([
    { names: [], want: [] },
    { names: ['Name', 'Current'], want: ['Name', 'Current'] },
    { names: [...CONTAINER_FIELDS], want: [...CONTAINER_FIELDS] },
  ])('$names', ({ names, want }) => {
    expect(parseContainerFields(names)).toEqual(want);
  });

  it.each(['name', 'Bogus', ''])('rejects %j with Flux v1’s message, as a user error', (bad) => {
    const run = () => parseContainerFields(['Name', bad]);
    expect(run).toThrow(InvalidContainerFieldError);
    expect(run).toThrow(`${bad} is an invalid field`);
    try {
      run();
    } catch (err) {
      expect((err as InvalidContainerFieldError).kind).toBe('user');
      expect((err as InvalidContainerFieldError).field).toBe(bad);
    }
  });

  it('isContainerField', () => {
    expect(isContainerField('Available')).toBe(true);
    expect(isContainerField('available')).toBe(false);
  });
});
