import { describe, expect, it } from 'vitest';
import { refName, refParts, sameRef } from './image-ref.ts';

describe('refParts', () => {
  it('splits domain, path and tag as written', () => {
    expect(refParts('quay.io/weaveworks/helloworld:master-a000001')).toEqual({
      domain: 'quay.io',
      path: 'weaveworks/helloworld',
      tag: 'master-a000001',
    });
    expect(refParts('stefanprodan/podinfo:3.1.0')).toEqual({
      domain: '',
      path: 'stefanprodan/podinfo',
      tag: '3.1.0',
    });
    expect(refParts('localhost:5000/app')).toEqual({ domain: 'localhost:5000', path: 'app', tag: '' });
  });

  it('gives the empty reference for what does not parse, keeping the tag of ":<tag>"', () => {
    expect(refParts('')).toEqual({ domain: '', path: '', tag: '' });
    expect(refParts('a:b:c')).toEqual({ domain: '', path: '', tag: '' });
    expect(refParts(':1.2.3')).toEqual({ domain: '', path: '', tag: '1.2.3' });
  });

  it('names and compares references', () => {
    expect(refName(refParts('quay.io/weaveworks/helloworld:master'))).toBe('quay.io/weaveworks/helloworld');
    expect(refName(refParts('nginx:1'))).toBe('nginx');
    expect(sameRef(refParts('nginx:1'), refParts('nginx:1'))).toBe(true);
    expect(sameRef(refParts('nginx:1'), refParts('docker.io/nginx:1'))).toBe(false);
  });
});
