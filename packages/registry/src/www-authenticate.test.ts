import { describe, expect, it } from 'vitest';
import { parseWwwAuthenticate } from './www-authenticate.ts';

describe('parseWwwAuthenticate', () => {
  it.each`
    header                                                                                              | expected
    ${'Basic realm="test-realm"'}                                                                       | ${[{ scheme: 'basic', params: { realm: 'test-realm' } }]}
    ${'Bearer realm="http://127.0.0.1:5098/token",service="test-registry",scope="repository:a/b:pull"'} | ${[{ scheme: 'bearer', params: { realm: 'http://127.0.0.1:5098/token', service: 'test-registry', scope: 'repository:a/b:pull' } }]}
    ${'Bearer realm="r",error="insufficient_scope",scope="repository:x:pull,push"'}                     | ${[{ scheme: 'bearer', params: { realm: 'r', error: 'insufficient_scope', scope: 'repository:x:pull,push' } }]}
    ${'Basic realm="a\\"b", Bearer realm=plain'}                                                        | ${[{ scheme: 'basic', params: { realm: 'a"b' } }, { scheme: 'bearer', params: { realm: 'plain' } }]}
    ${''}                                                                                               | ${[]}
  `('parses $header', ({ header, expected }) => {
    expect(parseWwwAuthenticate(header)).toEqual(expected);
  });
});
