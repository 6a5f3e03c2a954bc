import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CACHE_KEY_PREFIX, imageKey, keyDigest, memcachedKey, repoKey, tagKey } from './keys.ts';

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

describe('key builders', () => {
  it.each`
    built                                                                                  | expected
    ${repoKey('index.docker.io/library/alpine')}                                           | ${'flux-ts:v1|repo|index.docker.io/library/alpine'}
    ${tagKey('index.docker.io/library/alpine', '3.19')}                                    | ${'flux-ts:v1|tag|index.docker.io/library/alpine|3.19'}
    ${tagKey('localhost:5000/team/app', 'v1.2.3-rc.1')}                                    | ${'flux-ts:v1|tag|localhost:5000/team/app|v1.2.3-rc.1'}
    ${imageKey('sha256:6457d53fb065d6f250e1504b9bc42d5b6c65941d57532c072d929dd0628977d0')} | ${'flux-ts:v1|image|sha256:6457d53fb065d6f250e1504b9bc42d5b6c65941d57532c072d929dd0628977d0'}
    ${tagKey('a|b', 'c')}                                                                  | ${'flux-ts:v1|tag|a%7Cb|c'}
    ${tagKey('a', 'b|c')}                                                                  | ${'flux-ts:v1|tag|a|b%7Cc'}
    ${tagKey('a%7Cb', 'c')}                                                                | ${'flux-ts:v1|tag|a%257Cb|c'}
  `('builds $expected', ({ built, expected }: { built: string; expected: string }) => {
    expect(built).toBe(expected);
  });

  it('starts every key with the versioned prefix', () => {
    expect(CACHE_KEY_PREFIX).toBe('flux-ts:v1');
    for (const k of [repoKey('r'), tagKey('r', 't'), imageKey('sha256:0')]) {
      expect(k.startsWith(`${CACHE_KEY_PREFIX}|`)).toBe(true);
    }
  });

  it.each`
    a                       | b
    ${tagKey('a|b', 'c')}   | ${tagKey('a', 'b|c')}
    ${tagKey('a%7Cb', 'c')} | ${tagKey('a|b', 'c')}
    ${repoKey('x')}         | ${tagKey('x', '')}
    ${imageKey('x')}        | ${repoKey('x')}
  `('never builds the same key from different arguments: $a vs $b', ({ a, b }: { a: string; b: string }) => {
    expect(a).not.toBe(b);
  });
});

describe('memcachedKey', () => {
  const long = `flux-ts:v1|tag|${'registry.example.com/'.repeat(20)}app|latest`;

  it.each`
    key
    ${'flux-ts:v1|repo|index.docker.io/library/alpine'}
    ${tagKey('index.docker.io/library/alpine', '3.19')}
    ${'x'.repeat(250)}
    ${'!"$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'}
  `('passes a safe key through: $key', ({ key }: { key: string }) => {
    expect(memcachedKey(key)).toBe(key);
  });

  it.each`
    label                   | key                       | readable
    ${'251 characters'}     | ${'x'.repeat(251)}        | ${'x'.repeat(185)}
    ${'a long key'}         | ${long}                   | ${long.slice(0, 185)}
    ${'a space'}            | ${'flux-ts:v1|tag|a b|c'} | ${'flux-ts:v1|tag|a_b|c'}
    ${'control characters'} | ${'a\nb\tc\u0000d\u007f'} | ${'a_b_c_d_'}
    ${'non-ASCII'}          | ${'régistry/ïmage'}       | ${'r_gistry/_mage'}
    ${'a "#"'}              | ${'a#b'}                  | ${'a_b'}
    ${'nothing'}            | ${''}                     | ${''}
  `(
    'hashes a key with $label, keeping a readable prefix',
    ({ key, readable }: { key: string; readable: string }) => {
      const mapped = memcachedKey(key);

      expect(mapped).toBe(`${readable}#${sha256(key)}`);
      expect(Buffer.byteLength(mapped)).toBeLessThanOrEqual(250);
      expect(mapped).toMatch(/^[\x21-\x7e]+$/);
    },
  );

  it('maps keys that differ only past the readable prefix to different keys', () => {
    const a = memcachedKey(`${'x'.repeat(300)}a`);
    const b = memcachedKey(`${'x'.repeat(300)}b`);

    expect(a).not.toBe(b);
    expect(a.slice(0, 185)).toBe(b.slice(0, 185));
  });

  it('never maps a hashed key onto a passed-through one', () => {
    const hashed = memcachedKey('a b');

    expect(memcachedKey(hashed)).not.toBe(hashed);
    expect(memcachedKey('a_b')).toBe('a_b');
    expect(hashed).not.toBe('a_b');
  });

  it('names files by the sha256 of the key', () => {
    expect(keyDigest('flux-ts:v1|repo|r')).toBe(sha256('flux-ts:v1|repo|r'));
  });
});

describe('tagKey and platforms', () => {
  it('names the platforms when they are not the default, so daemons for other platforms keep their own records', () => {
    expect(tagKey('r.example/app', '1.0')).toBe(tagKey('r.example/app', '1.0', ['linux/amd64']));
    expect(tagKey('r.example/app', '1.0', ['linux/arm64'])).toBe(
      'flux-ts:v1|tag|r.example/app|1.0|linux/arm64',
    );
    expect(tagKey('r.example/app', '1.0', ['linux/arm64', 'linux/amd64'])).not.toBe(
      tagKey('r.example/app', '1.0', ['linux/arm64']),
    );
  });
});
