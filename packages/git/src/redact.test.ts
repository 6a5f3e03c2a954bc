import { describe, expect, it } from 'vitest';
import { redactText, redactUrl } from './redact.ts';

describe('redactUrl', () => {
  it.each`
    url                                              | expected
    ${'https://flux:s3cr3t@github.com/org/repo.git'} | ${'https://flux:***@github.com/org/repo.git'}
    ${'https://github.com/org/repo.git'}             | ${'https://github.com/org/repo.git'}
    ${'ssh://git@127.0.0.1:2299/~/config.git'}       | ${'ssh://git@127.0.0.1:2299/~/config.git'}
    ${'git@github.com:org/repo.git'}                 | ${'git@github.com:org/repo.git'}
    ${'file:///tmp/repo.git'}                        | ${'file:///tmp/repo.git'}
  `('$url', ({ url, expected }) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it('redacts every URL in git stderr', () => {
    const stderr = "fatal: unable to access 'https://u:tok@example.com/r.git/': 403";
    expect(redactText(stderr)).toBe("fatal: unable to access 'https://u:***@example.com/r.git/': 403");
    expect(redactText(stderr)).not.toContain('tok');
  });
});
