import { describe, expect, it } from 'vitest';
import { editDistance, suggest } from './suggest.ts';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['', 'abc', 3],
    ['git-branch', 'git-branch', 0],
    ['git-brnch', 'git-branch', 1],
    ['kitten', 'sitting', 3],
  ])('%s → %s is %i', (a, b, expected) => {
    expect(editDistance(a, b)).toBe(expected);
    expect(editDistance(b, a)).toBe(expected);
  });
});

describe('suggest', () => {
  const candidates = ['git-branch', 'git-path', 'git-url', 'sync-interval'];

  it('picks the closest candidate', () => {
    expect(suggest('git-brnch', candidates)).toBe('git-branch');
    expect(suggest('git-pth', candidates)).toBe('git-path');
  });

  it('suggests a candidate the input abbreviates', () => {
    expect(suggest('sync-int', candidates)).toBe('sync-interval');
  });

  it('suggests nothing for something far away', () => {
    expect(suggest('frobnicate', candidates)).toBeUndefined();
    expect(suggest('x', candidates)).toBeUndefined();
  });
});
