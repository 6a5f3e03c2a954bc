import { describe, expect, it } from 'vitest';
import { classifyGitError, firstErrorLine } from './classify.ts';
import {
  GitAuthError,
  GitBranchMissingError,
  GitCommandError,
  GitTimeoutError,
  GitUnreachableError,
  PushRejectedError,
} from './errors.ts';

const URL = 'https://flux:s3cret@git.example.com/org/config.git';

describe('classifyGitError', () => {
  it.each`
    output                                                                                                                | type                     | code
    ${'ssh: Could not resolve hostname nohost: Name or service not known\nfatal: Could not read from remote repository.'} | ${GitUnreachableError}   | ${'git.unreachable'}
    ${'ssh: connect to host 127.0.0.1 port 1: Connection refused\nfatal: Could not read from remote repository.'}         | ${GitUnreachableError}   | ${'git.unreachable'}
    ${`fatal: unable to access '${URL}/': Could not resolve host: git.example.com`}                                       | ${GitUnreachableError}   | ${'git.unreachable'}
    ${"fatal: '/nope.git' does not appear to be a git repository"}                                                        | ${GitUnreachableError}   | ${'git.unreachable'}
    ${'git@host: Permission denied (publickey).\nfatal: Could not read from remote repository.'}                          | ${GitAuthError}          | ${'git.auth'}
    ${'Host key verification failed.\nfatal: Could not read from remote repository.'}                                     | ${GitAuthError}          | ${'git.auth'}
    ${`fatal: Authentication failed for '${URL}/'`}                                                                       | ${GitAuthError}          | ${'git.auth'}
    ${"fatal: could not read Username for 'https://h': terminal prompts disabled"}                                        | ${GitAuthError}          | ${'git.auth'}
    ${'fatal: Remote branch dev not found in upstream origin'}                                                            | ${GitBranchMissingError} | ${'git.branch-missing'}
    ${"fatal: couldn't find remote ref refs/heads/dev"}                                                                   | ${GitBranchMissingError} | ${'git.branch-missing'}
    ${` ! [rejected]        HEAD -> main (fetch first)\nerror: failed to push some refs to '${URL}'`}                     | ${PushRejectedError}     | ${'git.push-rejected'}
    ${` ! [rejected]        main -> main (non-fast-forward)\nerror: failed to push some refs to '${URL}'`}                | ${PushRejectedError}     | ${'git.push-rejected'}
    ${'error: atomic push failed for ref refs/heads/main. status: 2'}                                                     | ${PushRejectedError}     | ${'git.push-rejected'}
    ${'fatal: something else entirely'}                                                                                   | ${GitCommandError}       | ${'git.command'}
  `('$code from: $output', ({ output, type, code }) => {
    const err = classifyGitError({ args: ['push', URL], output, url: URL, branch: 'dev' });

    expect(err).toBeInstanceOf(type);
    expect(err.code).toBe(code);
    expect(err.message).not.toContain('s3cret');
    expect(err.output ?? '').not.toContain('s3cret');
    expect(err.url).toBe('https://flux:***@git.example.com/org/config.git');
  });

  it('names the redacted URL and the first fatal line', () => {
    const err = classifyGitError({
      args: ['fetch'],
      output: 'warning: x\nfatal: Could not read from remote repository.\nmore',
      url: URL,
    });

    expect(err.message).toBe(
      'git fetch https://flux:***@git.example.com/org/config.git: fatal: Could not read from remote repository.',
    );
  });

  it('reports a timeout before anything in the output', () => {
    const err = classifyGitError({
      args: ['clone'],
      output: 'Connection refused',
      url: URL,
      timedOutAfterMs: 500,
    });

    expect(err).toBeInstanceOf(GitTimeoutError);
    expect(err.message).toBe(
      'git clone https://flux:***@git.example.com/org/config.git: timed out after 500ms',
    );
  });

  it('names the configured branch when it is missing', () => {
    const err = classifyGitError({
      args: ['clone'],
      output: "fatal: couldn't find remote ref refs/heads/x",
      branch: 'x',
    });

    expect(err).toBeInstanceOf(GitBranchMissingError);
    expect(err.message).toBe("configured branch 'x' does not exist");
  });
});

describe('firstErrorLine', () => {
  it.each`
    output                           | line
    ${'hint: a\nerror: b\nfatal: c'} | ${'error: b'}
    ${'\n  plain text\n'}            | ${'plain text'}
    ${''}                            | ${''}
  `('$line', ({ output, line }) => {
    expect(firstErrorLine(output)).toBe(line);
  });
});
