import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { KeyedLocks } from './registry-push-locks.ts';

describe('KeyedLocks', () => {
  it('runs the tasks of one key one at a time, in order, and those of other keys at once', async () => {
    const locks = new KeyedLocks();
    const events: string[] = [];
    const task = (name: string, ms: number) => async (): Promise<string> => {
      events.push(`start ${name}`);
      await sleep(ms);
      events.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([
      locks.run('a', task('a1', 30)),
      locks.run('a', task('a2', 1)),
      locks.run('b', task('b1', 1)),
      locks.run('a', task('a3', 1)),
    ]);
    expect(results).toEqual(['a1', 'a2', 'b1', 'a3']);
    // b1 ran while a1 held key a; a2 and a3 waited for it, in order.
    expect(events.indexOf('end b1')).toBeLessThan(events.indexOf('end a1'));
    expect(events.filter((e) => e.endsWith('a1') || e.endsWith('a2') || e.endsWith('a3'))).toEqual([
      'start a1',
      'end a1',
      'start a2',
      'end a2',
      'start a3',
      'end a3',
    ]);
    expect(locks.size).toBe(0);
  });

  it('passes a failure to its caller only, and the queue goes on', async () => {
    const locks = new KeyedLocks();
    const failing = locks.run('k', async () => {
      await sleep(5);
      throw new Error('push failed');
    });
    const next = locks.run('k', async () => 'next');
    await expect(failing).rejects.toThrow('push failed');
    await expect(next).resolves.toBe('next');
    expect(locks.size).toBe(0);
  });
});
