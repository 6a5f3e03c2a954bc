import { describe, expect, it } from 'vitest';
import {
  changedFilesArgs,
  commitArgs,
  logArgs,
  normalizeGitPaths,
  notePayload,
  notesAddArgs,
  parseLog,
  pushArgs,
  syncTagArgs,
  withCiSkip,
  writeCheckArgs,
} from './argv.ts';
import { InvalidGitPathError } from './errors.ts';

describe('argv builders', () => {
  it.each`
    name                  | args                                                                               | expected
    ${'plain commit'}     | ${commitArgs({ messageFile: '/m' })}                                               | ${['commit', '--no-verify', '--file', '/m', '--']}
    ${'signed w/ author'} | ${commitArgs({ messageFile: '/m', author: 'A <a@x>', signingKey: 'ABC' })}         | ${['commit', '--no-verify', '--file', '/m', '--author', 'A <a@x>', '--gpg-sign=ABC', '--']}
    ${'notes add'}        | ${notesAddArgs('flux', '/n.json', 'abc')}                                          | ${['notes', '--ref', 'refs/notes/flux', 'add', '--file', '/n.json', 'abc']}
    ${'push'}             | ${pushArgs({ url: 'u', branch: 'main' })}                                          | ${['push', '--atomic', 'u', 'HEAD:refs/heads/main']}
    ${'push with notes'}  | ${pushArgs({ url: 'u', branch: 'main', notesRef: 'flux' })}                        | ${['push', '--atomic', 'u', 'HEAD:refs/heads/main', 'refs/notes/flux:refs/notes/flux']}
    ${'sync tag'}         | ${syncTagArgs('flux-sync', 'abc')}                                                 | ${['tag', '--force', '-a', '-m', 'Sync pointer', 'flux-sync', 'abc']}
    ${'signed sync tag'}  | ${syncTagArgs('flux-sync', 'abc', 'K')}                                            | ${['tag', '--force', '-a', '-m', 'Sync pointer', '--local-user=K', 'flux-sync', 'abc']}
    ${'log range'}        | ${logArgs({ from: 'a', to: 'b', firstParent: true, reverse: true, paths: ['x'] })} | ${['log', '--pretty=format:%GK|%G?|%H|%s', '--first-parent', '--reverse', 'a..b', '--', 'x']}
    ${'log to'}           | ${logArgs({ to: 'b' })}                                                            | ${['log', '--pretty=format:%GK|%G?|%H|%s', 'b', '--']}
    ${'changed files'}    | ${changedFilesArgs('a', 'b', ['deploy'])}                                          | ${['diff', '--name-only', '--no-renames', 'a', 'b', '--', 'deploy']}
  `('$name', ({ args, expected }) => {
    expect(args).toEqual(expected);
  });

  it('builds the write check', () => {
    expect(writeCheckArgs('u', 'flux-write-check-0123456789', 'main')).toEqual({
      tag: ['tag', 'flux-write-check-0123456789', 'refs/heads/main'],
      push: ['push', 'u', 'refs/tags/flux-write-check-0123456789:refs/tags/flux-write-check-0123456789'],
      delete: ['push', '--delete', 'u', 'refs/tags/flux-write-check-0123456789'],
    });
  });
});

describe('parseLog', () => {
  it('splits key, status, sha and a subject that may contain |', () => {
    expect(parseLog('K1|G|aaa|Release a|b\n|N|bbb|plain\n')).toEqual([
      { signingKey: 'K1', signature: 'G', revision: 'aaa', subject: 'Release a|b' },
      { signingKey: '', signature: 'N', revision: 'bbb', subject: 'plain' },
    ]);
  });
});

describe('normalizeGitPaths', () => {
  it.each`
    input                        | output
    ${['deploy', 'a/b/', './c']} | ${['deploy', 'a/b', 'c']}
    ${['.']}                     | ${['.']}
    ${['a/../b']}                | ${['b']}
  `('$input → $output', ({ input, output }) => {
    expect(normalizeGitPaths(input)).toEqual(output);
  });

  it.each(['/etc', '..', '../x', 'a/../../x', 'C:\\x'])('rejects %s', (p) => {
    expect(() => normalizeGitPaths([p])).toThrow(InvalidGitPathError);
  });
});

describe('withCiSkip', () => {
  it.each`
    opts                                             | message
    ${{}}                                            | ${'Auto-release x'}
    ${{ ciSkip: true }}                              | ${'Auto-release x\n\n[ci skip]'}
    ${{ ciSkip: true, ciSkipMessage: ' [skip ci]' }} | ${'Auto-release x [skip ci]'}
  `('$message', ({ opts, message }) => {
    expect(withCiSkip('Auto-release x', opts)).toBe(message);
  });
});

describe('notePayload', () => {
  it("keeps Flux v1's field order and null result", () => {
    expect(notePayload({ jobID: 'j1', spec: { type: 'policy' }, result: undefined })).toBe(
      '{"jobID":"j1","spec":{"type":"policy"},"result":null}',
    );
  });
});
