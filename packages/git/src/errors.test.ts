import { describe, expect, it } from 'vitest';
import { NoChangesError, UnsignedHeadError } from './errors.ts';
import { UnverifiedHeadError } from './sync-tag.ts';

describe('fixed Flux v1 error texts', () => {
  it('HEAD revision is unsigned', () => {
    const err = new UnsignedHeadError('aaa', 'bbb');

    expect(err.message).toBe('HEAD revision is unsigned');
    expect(err.kind).toBe('user');
    expect(err.help).toBe(
      'HEAD is not a verified commit.\n\nThe branch HEAD in the git repo is not verified, and fluxd is unable to\n' +
        'make a change on top of it. The last verified commit was\n\n    aaa\n\nHEAD is \n\n    bbb.\n',
    );
  });

  it('no changes made in repo', () => {
    expect(new NoChangesError().message).toBe('no changes made in repo');
  });

  it('branch HEAD not verified', () => {
    expect(new UnverifiedHeadError('0123456789abcdef', 'fedcba9876543210').message).toBe(
      'The branch HEAD in the git repo is not verified, and fluxd is unable to sync to it. The last verified commit was fedcba98. HEAD is 01234567.',
    );
  });
});
