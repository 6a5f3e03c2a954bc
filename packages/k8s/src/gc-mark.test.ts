import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { gcMark, syncSetName } from './gc-mark.ts';

describe('gcMark', () => {
  it('is sha256. + unpadded base64url of sha256(syncSet + id)', () => {
    const expected = createHash('sha256').update('setdefault:deployment/helloworld').digest('base64');
    const urlSafe = expected.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

    const mark = gcMark('set', 'default:deployment/helloworld');

    expect(mark).toBe(`sha256.${urlSafe}`);
    expect(mark).toMatch(/^sha256\.[A-Za-z0-9_-]{43}$/);
    expect(gcMark('other', 'default:deployment/helloworld')).not.toBe(mark);
  });

  it('names the sync set from url, branch and paths in order', () => {
    const a = syncSetName('ssh://git@host/repo.git', 'master', ['a', 'b']);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(syncSetName('ssh://git@host/repo.git', 'master', ['b', 'a'])).not.toBe(a);
    expect(syncSetName('ssh://git@host/repo.git', 'master', ['a', 'b'])).toBe(a);
  });
});
