import { describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from './clock.ts';

describe('ManualClock', () => {
  it('wakes sleepers only when time passes their deadline', async () => {
    const clock = new ManualClock(1_000);
    const woke: number[] = [];
    void clock.sleep(50).then(() => woke.push(50));
    void clock.sleep(10).then(() => woke.push(10));

    await clock.advance(9);
    expect(woke).toEqual([]);
    await clock.advance(41);

    expect(woke).toEqual([10, 50]);
    expect(clock.now()).toBe(1_050);
    expect(clock.pending).toBe(0);
  });

  it('rejects a sleep when its signal aborts, and forgets it', async () => {
    const clock = new ManualClock();
    const ac = new AbortController();
    const slept = clock.sleep(1_000, ac.signal);

    ac.abort(new Error('stop'));

    await expect(slept).rejects.toThrow('stop');
    expect(clock.pending).toBe(0);
  });
});

describe('systemClock', () => {
  it('sleeps for real and can be aborted', async () => {
    const t0 = systemClock.now();
    await systemClock.sleep(5);
    expect(systemClock.now() - t0).toBeGreaterThanOrEqual(4);

    const ac = new AbortController();
    const slept = systemClock.sleep(60_000, ac.signal);
    ac.abort();
    await expect(slept).rejects.toMatchObject({ name: 'AbortError' });
  });
});
