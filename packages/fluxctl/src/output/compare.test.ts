import { describe, expect, it } from 'vitest';
import { compareStrings } from './compare.ts';

describe('compareStrings', () => {
  it('orders as Go strings compare, not by locale', () => {
    expect(['b', 'B', 'a', 'a:x', 'a-x'].sort(compareStrings)).toEqual(['B', 'a', 'a-x', 'a:x', 'b']);
    expect(compareStrings('x', 'x')).toBe(0);
  });
});
