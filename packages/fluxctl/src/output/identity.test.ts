import type { PublicKeyJson } from '@flux-ts/core';
import { describe, expect, it } from 'vitest';
import { formatIdentity } from './identity.ts';

const randomart = '+---[RSA 2048]----+\n|       .o.       |\n+------[MD5]------+';
const key: PublicKeyJson = {
  key: 'ssh-rsa AAAAB3NzaC1yc2E flux@cluster\n',
  fingerprints: {
    md5: { hash: 'aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99', randomart },
    sha256: { hash: 'c2hhMjU2', randomart: 'other' },
  },
};

describe('formatIdentity', () => {
  it('prints the key verbatim', () => {
    expect(formatIdentity(key)).toBe('ssh-rsa AAAAB3NzaC1yc2E flux@cluster\n');
    expect(formatIdentity(key, { fingerprint: false })).toBe(key.key);
  });

  it('prints the md5 hash and a newline with -l', () => {
    expect(formatIdentity(key, { fingerprint: true })).toBe(
      'aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99\n',
    );
  });

  it('adds the randomart verbatim with -v, which implies -l', () => {
    const expected = `aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99\n${randomart}`;
    expect(formatIdentity(key, { visual: true })).toBe(expected);
    expect(formatIdentity(key, { fingerprint: true, visual: true })).toBe(expected);
  });

  it('prints an empty line without fingerprints, as Flux v1 does', () => {
    const none: PublicKeyJson = { key: '', fingerprints: null };
    expect(formatIdentity(none)).toBe('');
    expect(formatIdentity(none, { fingerprint: true })).toBe('\n');
    expect(formatIdentity(none, { visual: true })).toBe('\n');
  });
});
