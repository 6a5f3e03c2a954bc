import { describe, expect, it } from 'vitest';
import { newJobId } from './job-id.ts';
import { JobFailure, JobQueue } from './job-queue.ts';
import { JobStatusCache } from './status-cache.ts';

describe('newJobId', () => {
  it('looks like Flux v1 job IDs: 8-4-4-4-12 lower-case hex', () => {
    const ids = new Set(Array.from({ length: 50 }, () => newJobId()));
    expect(ids.size).toBe(50);
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});

describe('JobStatusCache', () => {
  it('keeps the last N statuses, oldest out first', () => {
    const cache = new JobStatusCache(3);
    for (const id of ['a', 'b', 'c', 'd']) cache.set(id, { Result: {}, Err: '', StatusString: 'queued' });
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('d')).toMatchObject({ StatusString: 'queued' });
    expect(cache.size).toBe(3);
  });
});

describe('JobQueue', () => {
  const signal = new AbortController().signal;

  it('runs jobs one at a time in order, recording queued → running → succeeded', async () => {
    const queue = new JobQueue();
    const seen: string[] = [];
    const first = queue.enqueue(async () => {
      seen.push(queue.status(first)?.StatusString ?? '');
      return { revision: 'abc' };
    });
    const second = queue.enqueue(async () => ({}));
    expect(queue.status(first)?.StatusString).toBe('queued');
    expect(queue.length).toBe(2);
    expect(await queue.runNext(signal)).toEqual({ id: first, result: { revision: 'abc' } });
    expect(seen).toEqual(['running']);
    expect(queue.status(first)).toEqual({ Result: { revision: 'abc' }, Err: '', StatusString: 'succeeded' });
    expect(queue.status(second)?.StatusString).toBe('queued');
    await queue.runNext(signal);
    expect(await queue.runNext(signal)).toBeUndefined();
  });

  it('records a failure with its message and keeps the result a JobFailure carries', async () => {
    const queue = new JobQueue();
    const plain = queue.enqueue(async () => {
      throw new Error('boom');
    });
    const kept = queue.enqueue(async () => {
      throw new JobFailure('HEAD is not verified', { revision: 'deadbeef' });
    });
    await queue.runNext(signal);
    await queue.runNext(signal);
    expect(queue.status(plain)).toEqual({ Result: {}, Err: 'boom', StatusString: 'failed' });
    expect(queue.status(kept)).toEqual({
      Result: { revision: 'deadbeef' },
      Err: 'HEAD is not verified',
      StatusString: 'failed',
    });
  });

  it('wakes a waiting consumer when a job arrives', async () => {
    const queue = new JobQueue();
    const waiting = queue.waitForJob(signal);
    queue.enqueue(async () => ({}));
    await expect(waiting).resolves.toBeUndefined();
  });
});
