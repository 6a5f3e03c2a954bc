import { describe, expect, it } from 'vitest';
import { globMatcher, imageFilter } from './image-filter.ts';

describe('imageFilter', () => {
  it.each`
    name                                 | include                             | exclude                  | scanned
    ${'index.docker.io/library/nginx'}   | ${undefined}                        | ${['k8s.gcr.io/*']}      | ${true}
    ${'k8s.gcr.io/pause'}                | ${undefined}                        | ${['k8s.gcr.io/*']}      | ${false}
    ${'index.docker.io/weaveworks/flux'} | ${['index.docker.io/weaveworks/*']} | ${[]}                    | ${true}
    ${'index.docker.io/library/nginx'}   | ${['index.docker.io/weaveworks/*']} | ${[]}                    | ${false}
    ${'index.docker.io/weaveworks/flux'} | ${['index.docker.io/*']}            | ${['*/weaveworks/flux']} | ${false}
    ${'ghcr.io/a.b/c'}                   | ${['ghcr.io/a.b/*']}                | ${undefined}             | ${true}
    ${'ghcr.io/aXb/c'}                   | ${['ghcr.io/a.b/*']}                | ${undefined}             | ${false}
  `('$name include=$include exclude=$exclude: $scanned', ({ name, include, exclude, scanned }) => {
    expect(imageFilter({ include, exclude })(name)).toBe(scanned);
  });

  it('ignores empty patterns', () => {
    expect(globMatcher(['', ' '])('anything')).toBe(false);
  });
});
