import { describe, expect, it } from 'vitest';
import { refillFor } from './host-limiter.ts';

describe('refillFor', () => {
  it.each`
    rps    | interval | amount
    ${200} | ${250}   | ${50}
    ${100} | ${250}   | ${25}
    ${1}   | ${1000}  | ${1}
    ${0.1} | ${10000} | ${1}
    ${3}   | ${334}   | ${1}
  `('$rps rps refills $amount every $interval ms', ({ rps, interval, amount }) => {
    expect(refillFor(rps)).toEqual({ reservoirIncreaseInterval: interval, reservoirIncreaseAmount: amount });
  });
});
