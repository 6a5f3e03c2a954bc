import { describe, expect, it } from 'vitest';
import { formatGoRFC822 } from './go-time.ts';

describe('formatGoRFC822', () => {
  it('formats UTC times as Go RFC822', () => {
    expect(formatGoRFC822('2020-03-20T13:53:00Z')).toBe('20 Mar 20 13:53 UTC');
    expect(formatGoRFC822('2016-07-12T17:16:00.123456789Z')).toBe('12 Jul 16 17:16 UTC');
    expect(formatGoRFC822('2009-01-02T03:04:05Z')).toBe('02 Jan 09 03:04 UTC');
  });

  it('keeps a numeric offset as the zone', () => {
    expect(formatGoRFC822('2020-12-31T23:59:59+02:00')).toBe('31 Dec 20 23:59 +0200');
  });

  it('gives nothing for the zero time and the empty string', () => {
    expect(formatGoRFC822('')).toBe('');
    expect(formatGoRFC822('0001-01-01T00:00:00Z')).toBe('');
  });

  it('returns text that is not RFC 3339 unchanged', () => {
    expect(formatGoRFC822('yesterday')).toBe('yesterday');
  });
});
