import { describe, expect, it } from 'vitest';
import { isMutableTag } from './mutable-tag.ts';

// Tag shapes as real registries serve them (the image names say where each one comes from).
describe('isMutableTag', () => {
  it.each`
    tag                                           | seen in                                 | mutable
    ${'latest'}                                   | ${'every image'}                        | ${true}
    ${'stable'}                                   | ${'nginx'}                              | ${true}
    ${'mainline'}                                 | ${'nginx'}                              | ${true}
    ${'alpine'}                                   | ${'nginx, node'}                        | ${true}
    ${'stable-alpine'}                            | ${'nginx'}                              | ${true}
    ${'bookworm'}                                 | ${'debian, golang'}                     | ${true}
    ${'lts'}                                      | ${'node'}                               | ${true}
    ${'lts-alpine'}                               | ${'node'}                               | ${true}
    ${'main'}                                     | ${'ghcr.io branch builds'}              | ${true}
    ${'master'}                                   | ${'quay.io branch builds'}              | ${true}
    ${'edge'}                                     | ${'alpine, traefik'}                    | ${true}
    ${'dev'}                                      | ${'many'}                               | ${true}
    ${'nightly'}                                  | ${'many'}                               | ${true}
    ${'canary'}                                   | ${'many'}                               | ${true}
    ${'LATEST'}                                   | ${'case does not matter'}               | ${true}
    ${'amd64-latest'}                             | ${'linuxserver/*'}                      | ${true}
    ${'arm64v8-latest'}                           | ${'linuxserver/*'}                      | ${true}
    ${'1.2.3'}                                    | ${'semver releases'}                    | ${false}
    ${'v2.2.3'}                                   | ${'fluxcd/flux-cli'}                    | ${false}
    ${'v2.0.0-rc.1'}                              | ${'prereleases'}                        | ${false}
    ${'1.25.3-alpine'}                            | ${'nginx'}                              | ${false}
    ${'1.25.3-debian-11-r0'}                      | ${'bitnami/*'}                          | ${false}
    ${'version-1.40.0.7998'}                      | ${'linuxserver/plex'}                   | ${false}
    ${'a1b2c3d'}                                  | ${'short commit sha'}                   | ${false}
    ${'4f2e9c1b7d3a5e6f8091a2b3c4d5e6f708192a3b'} | ${'full commit sha'}                    | ${false}
    ${'main-abc1234'}                             | ${'branch-sha builds'}                  | ${false}
    ${'sha-4f2e9c1'}                              | ${'docker/metadata-action'}             | ${false}
    ${'20240101-123456'}                          | ${'date builds'}                        | ${false}
    ${'2024.01.15'}                               | ${'calver'}                             | ${false}
    ${'RELEASE.2024-01-16T16-07-38Z'}             | ${'minio/minio'}                        | ${false}
    ${'build-987'}                                | ${'CI build numbers'}                   | ${false}
    ${'pr-1234'}                                  | ${'pull-request builds'}                | ${false}
    ${'nightly-20240101'}                         | ${'dated nightlies'}                    | ${false}
    ${'1.25'}                                     | ${'nginx (floating, read once)'}        | ${false}
    ${'22-alpine'}                                | ${'node (floating, read once)'}         | ${false}
    ${'lts-alpine3.18'}                           | ${'node (floating, read once)'}         | ${false}
    ${'latest2'}                                  | ${'a build named after latest, not it'} | ${false}
  `('$tag ($seen in): mutable $mutable', ({ tag, mutable }) => {
    expect(isMutableTag(tag)).toBe(mutable);
  });
});
