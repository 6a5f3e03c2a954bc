import { describe, expect, it, vi } from 'vitest';
import { MAX_TIMER_MS, ManualClock, systemClock } from './clock.ts';

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

describe('systemClock with delays beyond setTimeout', () => {
  it('sleeps a whole year (a year-long --sync-interval) instead of firing at once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const year = 365 * 24 * 3600 * 1000;
      expect(year).toBeGreaterThan(MAX_TIMER_MS);
      let done = false;
      const slept = systemClock.sleep(year).then(() => {
        done = true;
      });
      await vi.advanceTimersByTimeAsync(MAX_TIMER_MS + 1);
      expect(done).toBe(false);
      await vi.advanceTimersByTimeAsync(year - MAX_TIMER_MS - 2);
      expect(done).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await slept;
      expect(done).toBe(true);

      const controller = new AbortController();
      const aborted = systemClock.sleep(year, controller.signal).catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(MAX_TIMER_MS + 5);
      controller.abort(new Error('stop'));
      expect(((await aborted) as Error).message).toBe('stop');
    } finally {
      vi.useRealTimers();
    }
  });
});
