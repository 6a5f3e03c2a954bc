import { describe, expect, it } from 'vitest';
import { safeGitUrl } from './safe-url.ts';

describe('safeGitUrl', () => {
  it.each([
    ['git@github.com:org/repo', 'ssh://git@github.com/org/repo'],
    ['git@github.com:org/repo.git', 'ssh://git@github.com/org/repo.git'],
    ['github.com:org/repo', 'ssh://github.com/org/repo'],
    ['ssh://git@127.0.0.1:2222/srv/repo.git', 'ssh://git@127.0.0.1:2222/srv/repo.git'],
    ['https://user:secret@example.com/r.git', 'https://user@example.com/r.git'],
    ['https://example.com/r.git', 'https://example.com/r.git'],
    ['file:///tmp/repo.git', 'file:///tmp/repo.git'],
  ])('%s → %s', (input, want) => {
    expect(safeGitUrl(input)).toBe(want);
  });
});
