import { ManualClock } from '@flux-ts/core';
import { describe, expect, it } from 'vitest';
import { AdaptiveRate } from './adaptive-rate.ts';

describe('AdaptiveRate', () => {
  it('halves on each back-off down to the floor, and honours Retry-After', () => {
    const clock = new ManualClock(0);
    const rate = new AdaptiveRate({ rps: 200, clock });

    const rates = [];
    for (let i = 0; i < 13; i++) {
      rate.backOff();
      rates.push(rate.rps);
    }
    rate.backOff(30_000);

    expect(rates.slice(0, 3)).toEqual([100, 50, 25]);
    expect(rates.at(-1)).toBe(0.1);
    expect(rate.pausedUntil).toBe(30_000);
  });

  it('recovers by half again only after a 20-minute cool-down, up to the configured rate', async () => {
    const clock = new ManualClock(0);
    const rate = new AdaptiveRate({ rps: 200, clock });
    rate.backOff();
    rate.backOff();

    expect(rate.recover()).toBe(false);
    await clock.advance(20 * 60_000);
    expect(rate.recover()).toBe(true);
    expect(rate.rps).toBe(75);
    rate.recover();
    rate.recover();
    rate.recover();
    expect(rate.rps).toBe(200);
    expect(rate.pausedUntil).toBe(0);
  });
});
