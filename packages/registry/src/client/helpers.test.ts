import { describe, expect, it } from 'vitest';
import { nextLink } from './link-header.ts';
import { parsePlatform, platformMatches } from './platform.ts';
import { parseRetryAfter } from './registry-client.ts';

describe('nextLink', () => {
  it.each`
    header                                                          | next
    ${'</v2/_catalog?last=b&n=1>; rel="next"'}                      | ${'/v2/_catalog?last=b&n=1'}
    ${'<https://r.example/v2/x/tags/list?n=2&last=a>; rel=next'}    | ${'https://r.example/v2/x/tags/list?n=2&last=a'}
    ${'</first>; rel="prev", </v2/x/tags/list?last=c>; rel="next"'} | ${'/v2/x/tags/list?last=c'}
    ${'</only>; rel="prev"'}                                        | ${undefined}
    ${null}                                                         | ${undefined}
  `('$header', ({ header, next }) => {
    expect(nextLink(header)).toBe(next);
  });
});

describe('parseRetryAfter', () => {
  it.each`
    value                              | ms
    ${'3'}                             | ${3000}
    ${'Thu, 01 Jan 1970 00:00:10 GMT'} | ${8000}
    ${'soon'}                          | ${undefined}
    ${null}                            | ${undefined}
  `('$value', ({ value, ms }) => {
    expect(parseRetryAfter(value, 2000)).toBe(ms);
  });
});

describe('platforms', () => {
  it('matches a platform without variant to any variant', () => {
    expect(platformMatches(parsePlatform('linux/arm64'), parsePlatform('linux/arm64/v8'))).toBe(true);
    expect(platformMatches(parsePlatform('linux/arm/v7'), parsePlatform('linux/arm/v6'))).toBe(false);
    expect(platformMatches(parsePlatform('linux/amd64'), parsePlatform('windows/amd64'))).toBe(false);
  });
});
