import { describe, expect, it } from 'vitest';
import { goJsonLine } from './go-json.ts';

describe('goJsonLine', () => {
  it('writes compact JSON and a newline', () => {
    expect(goJsonLine([{ ID: 'a', Labels: {} }])).toBe('[{"ID":"a","Labels":{}}]\n');
    expect(goJsonLine(null)).toBe('null\n');
  });

  it('escapes HTML characters and line separators as Go does', () => {
    expect(goJsonLine({ 'tag.c': 'semver:>=1.0 <2.0', x: 'a&b\u2028' })).toBe(
      '{"tag.c":"semver:\\u003e=1.0 \\u003c2.0","x":"a\\u0026b\\u2028"}\n',
    );
  });
});
