import { ManualClock } from '@flux-ts/core';
import { describe, expect, it } from 'vitest';
import { sleepOrWake, Wake } from './wake.ts';

describe('Wake', () => {
  it('remembers a kick that came before the wait', async () => {
    const wake = new Wake();
    wake.kick();
    await expect(wake.wait(new AbortController().signal)).resolves.toBeUndefined();
  });

  it('ends a clock sleep early when kicked, and otherwise when the clock passes the deadline', async () => {
    const clock = new ManualClock();
    const wake = new Wake();
    const signal = new AbortController().signal;
    let done = false;
    const sleeping = sleepOrWake(clock, 60_000, wake, signal).then(() => {
      done = true;
    });
    await clock.advance(1_000);
    expect(done).toBe(false);
    wake.kick();
    await sleeping;
    expect(done).toBe(true);
    expect(clock.pending).toBe(0);

    let slept = false;
    const timed = sleepOrWake(clock, 5_000, wake, signal).then(() => {
      slept = true;
    });
    await clock.advance(4_999);
    expect(slept).toBe(false);
    await clock.advance(1);
    await timed;
    expect(slept).toBe(true);
  });
});
