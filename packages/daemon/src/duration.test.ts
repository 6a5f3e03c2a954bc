import { describe, expect, it } from 'vitest';
import { InvalidDurationError, parseDuration } from './duration.ts';

describe('parseDuration', () => {
  it.each`
    text       | ms
    ${'5m'}    | ${300_000}
    ${'20s'}   | ${20_000}
    ${'1m30s'} | ${90_000}
    ${'1.5s'}  | ${1_500}
    ${'250ms'} | ${250}
    ${'1h'}    | ${3_600_000}
    ${'0'}     | ${0}
  `('$text is $ms ms', ({ text, ms }) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '5', 'm', '5x', '1m 30s', '-1s'])('rejects %j with the flag name', (text) => {
    expect(() => parseDuration(text, 'sync-interval')).toThrow(InvalidDurationError);
    expect(() => parseDuration(text, 'sync-interval')).toThrow(/--sync-interval/);
  });
});
