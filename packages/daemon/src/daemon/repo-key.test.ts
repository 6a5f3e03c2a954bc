import { describe, expect, it } from 'vitest';
import { repoKey } from './daemon.ts';

describe('repoKey: is a notification about our repository?', () => {
  it.each([
    ['git@github.com:org/repo', 'https://github.com/org/repo.git'],
    ['ssh://git@github.com/org/repo.git', 'git@github.com:org/repo'],
    ['https://user:pw@github.com/org/repo', 'git@github.com:/org/repo.git'],
  ])('%s ≡ %s', (a, b) => {
    expect(repoKey(a)).toBe(repoKey(b));
  });

  it('tells different repositories apart', () => {
    expect(repoKey('git@github.com:org/repo')).not.toBe(repoKey('git@github.com:org/other'));
    expect(repoKey('git@github.com:org/repo')).not.toBe(repoKey('git@gitlab.com:org/repo'));
  });
});
