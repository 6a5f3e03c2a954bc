import { describe, expect, it } from 'vitest';
import { compareGoYamlKeys, goYamlKeyLess } from './go-yaml-key-order.ts';

describe('goYamlKeyLess', () => {
  it('orders plain keys alphabetically, a prefix first', () => {
    expect(['spec', 'metadata', 'kind', 'apiVersion'].sort(compareGoYamlKeys)).toEqual([
      'apiVersion',
      'kind',
      'metadata',
      'spec',
    ]);
    expect(['namespace', 'name', 'labels', 'annotations'].sort(compareGoYamlKeys)).toEqual([
      'annotations',
      'labels',
      'name',
      'namespace',
    ]);
  });

  it('orders runs of digits by value', () => {
    expect(['a10', 'a2', 'a1'].sort(compareGoYamlKeys)).toEqual(['a1', 'a2', 'a10']);
    expect(['10', '9', '100'].sort(compareGoYamlKeys)).toEqual(['9', '10', '100']);
  });

  it('puts a non-letter before a letter', () => {
    expect(goYamlKeyLess('a.b', 'ab')).toBe(true);
    expect(goYamlKeyLess('ab', 'a.b')).toBe(false);
    expect(goYamlKeyLess('a/b', 'a-b')).toBe(false);
    expect(goYamlKeyLess('a-b', 'a/b')).toBe(true);
    expect(['fluxcd.io/tag.app', 'fluxcd.io/automated', 'app'].sort(compareGoYamlKeys)).toEqual([
      'app',
      'fluxcd.io/automated',
      'fluxcd.io/tag.app',
    ]);
  });

  it('treats leading zeros as making a number longer', () => {
    expect(goYamlKeyLess('a01', 'a1')).toBe(false);
    expect(goYamlKeyLess('a1', 'a01')).toBe(true);
    expect(compareGoYamlKeys('x', 'x')).toBe(0);
  });
});
