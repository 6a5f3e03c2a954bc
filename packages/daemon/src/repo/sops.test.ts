import { describe, expect, it } from 'vitest';
import { isSopsEncrypted } from './sops.ts';

describe('isSopsEncrypted', () => {
  it('recognises sops metadata in YAML and JSON', () => {
    expect(
      isSopsEncrypted('data:\n  a: ENC[AES256_GCM,data:x]\nsops:\n  mac: ENC[x]\n  version: 3.8.1\n'),
    ).toBe(true);
    expect(isSopsEncrypted('{"data":{"a":"ENC[x]"},"sops":{"mac":"ENC[x]","version":"3.8.1"}}')).toBe(true);
  });

  it('leaves ordinary manifests alone', () => {
    expect(isSopsEncrypted('apiVersion: v1\nkind: ConfigMap\ndata:\n  sops: "no"\n')).toBe(false);
  });
});
