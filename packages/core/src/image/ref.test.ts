import { describe, expect, it } from 'vitest';
import { InvalidImageRefError, parseImageRef } from './ref.ts';

const digest = `sha256:${'ab'.repeat(32)}`;

describe('parseImageRef', () => {
  it.each`
    input                                   | domain               | path                         | tag       | canonicalName
    ${'alpine'}                             | ${''}                | ${'alpine'}                  | ${''}     | ${'index.docker.io/library/alpine'}
    ${'alpine:3.19'}                        | ${''}                | ${'alpine'}                  | ${'3.19'} | ${'index.docker.io/library/alpine'}
    ${'library/alpine:3'}                   | ${''}                | ${'library/alpine'}          | ${'3'}    | ${'index.docker.io/library/alpine'}
    ${'weaveworks/flux:1.0'}                | ${''}                | ${'weaveworks/flux'}         | ${'1.0'}  | ${'index.docker.io/weaveworks/flux'}
    ${'docker.io/alpine:tag'}               | ${'docker.io'}       | ${'alpine'}                  | ${'tag'}  | ${'index.docker.io/library/alpine'}
    ${'index.docker.io/foo/bar:baz'}        | ${'index.docker.io'} | ${'foo/bar'}                 | ${'baz'}  | ${'index.docker.io/foo/bar'}
    ${'localhost:5000/alpine:tag'}          | ${'localhost:5000'}  | ${'alpine'}                  | ${'tag'}  | ${'localhost:5000/alpine'}
    ${'localhost/alpine'}                   | ${'localhost'}       | ${'alpine'}                  | ${''}     | ${'localhost/alpine'}
    ${'quay.io/weaveworks/helloworld:v1'}   | ${'quay.io'}         | ${'weaveworks/helloworld'}   | ${'v1'}   | ${'quay.io/weaveworks/helloworld'}
    ${'gcr.io/google_containers/pause:3.0'} | ${'gcr.io'}          | ${'google_containers/pause'} | ${'3.0'}  | ${'gcr.io/google_containers/pause'}
    ${'reg:5000/a/b/c:t'}                   | ${'reg:5000'}        | ${'a/b/c'}                   | ${'t'}    | ${'reg:5000/a/b/c'}
    ${'foo:5000/bar'}                       | ${''}                | ${'foo:5000/bar'}            | ${''}     | ${'index.docker.io/foo:5000/bar'}
  `('$input', ({ input, domain, path, tag, canonicalName }) => {
    const ref = parseImageRef(input);

    expect({ domain: ref.domain, path: ref.path, tag: ref.tag }).toEqual({ domain, path, tag });
    expect(ref.canonicalName).toBe(canonicalName);
    expect(ref.toString()).toBe(input);
  });

  it('keeps a digest, with or without a tag', () => {
    expect(parseImageRef(`nginx@${digest}`)).toMatchObject({ path: 'nginx', tag: '', digest });
    const both = parseImageRef(`busybox:1.38.0@${digest}`);
    expect(both).toMatchObject({ path: 'busybox', tag: '1.38.0', digest });
    expect(both.toString()).toBe(`busybox:1.38.0@${digest}`);
    expect(both.canonicalRef).toBe(`index.docker.io/library/busybox:1.38.0@${digest}`);
  });

  it('changes only the tag, keeping the written form', () => {
    expect(parseImageRef('nginx:1.19').withTag('1.20').toString()).toBe('nginx:1.20');
    expect(parseImageRef('docker.io/nginx').withTag('1.20').toString()).toBe('docker.io/nginx:1.20');
    expect(parseImageRef('nginx:1').sameRepository(parseImageRef('index.docker.io/library/nginx:2'))).toBe(
      true,
    );
  });

  it.each(['', '/alpine', 'alpine/', 'a//b', 'alpine:tag:extra', 'alpine:', ':tag', 'nginx@md5:abc'])(
    'rejects %j',
    (input) => {
      expect(() => parseImageRef(input)).toThrow(InvalidImageRefError);
      expect(() => parseImageRef(input)).toThrow(/invalid image reference/);
    },
  );
});
