import { describe, expect, it } from 'vitest';
import { type FillJob, FillPriority, FillQueue } from './fill-queue.ts';

/** A job that records when it starts and finishes only when the test says so. */
class Gate {
  readonly started: string[] = [];
  readonly #open = new Map<string, () => void>();

  job(key: string, priority: FillPriority, rank = 0, extra: Partial<FillJob> = {}): FillJob {
    return {
      key,
      group: 'host',
      priority,
      rank,
      run: () =>
        new Promise<void>((resolve) => {
          this.started.push(key);
          this.#open.set(key, resolve);
        }),
      ...extra,
    };
  }

  /** Lets every started job finish, and waits until the queue has reacted. */
  async finishAll(): Promise<void> {
    const open = [...this.#open.values()];
    this.#open.clear();
    for (const f of open) f();
    await settle();
  }

  get running(): number {
    return this.#open.size;
  }
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
};

describe('FillQueue', () => {
  it('runs the most urgent first: priority, then rank, then arrival', async () => {
    const q = new FillQueue({ concurrency: 1 });
    const gate = new Gate();
    const release = q.hold('host');
    q.add(gate.job('bg-a0', FillPriority.Background, 0));
    q.add(gate.job('bg-b0', FillPriority.Background, 0));
    q.add(gate.job('bg-a1', FillPriority.Background, 1));
    q.add(gate.job('dec-b1', FillPriority.Decision, 1));
    q.add(gate.job('dec-a0', FillPriority.Decision, 0));
    release();
    await settle();
    while (gate.running > 0) await gate.finishAll();

    expect(gate.started).toEqual(['dec-a0', 'dec-b1', 'bg-a0', 'bg-b0', 'bg-a1']);
    await q.idle();
    expect(q.size).toBe(0);
  });

  it('keeps background jobs within the bound, and starts none while held', async () => {
    const q = new FillQueue({ concurrency: 2 });
    const gate = new Gate();
    const release = q.hold('host');
    for (let i = 0; i < 6; i++) q.add(gate.job(`t${i}`, FillPriority.Background, i));
    await settle();
    expect(gate.started).toEqual([]);

    release();
    await settle();
    expect(gate.running).toBe(2);
    await gate.finishAll();
    expect(gate.running).toBe(2);
    expect(gate.started).toEqual(['t0', 't1', 't2', 't3']);
  });

  it('holds only the held group: other hosts’ jobs go on', async () => {
    const q = new FillQueue({ concurrency: 2 });
    const gate = new Gate();
    const release = q.hold('host');
    q.add(gate.job('held', FillPriority.Decision, 0));
    q.add(gate.job('free', FillPriority.Background, 5, { group: 'other' }));
    await settle();
    expect(gate.started).toEqual(['free']);

    release();
    await settle();
    expect(gate.started).toEqual(['free', 'held']);
  });

  it('gives waited jobs slots of their own, ignoring holds, ahead of the background', async () => {
    const q = new FillQueue({ concurrency: 1 });
    const gate = new Gate();
    q.add(gate.job('bg0', FillPriority.Background, 0));
    q.add(gate.job('bg1', FillPriority.Background, 1));
    await settle();
    const release = q.hold('host');
    const waited = q.add(gate.job('wanted', FillPriority.Waited));
    await settle();

    expect(gate.started).toEqual(['bg0', 'wanted']);
    await gate.finishAll();
    await expect(waited).resolves.toBeUndefined();
    expect(gate.started).toEqual(['bg0', 'wanted']); // bg1 waits for the hold
    release();
    await settle();
    expect(gate.started).toEqual(['bg0', 'wanted', 'bg1']);
  });

  it('runs a job once however often it is added, hurrying it when a more urgent add joins', async () => {
    const q = new FillQueue({ concurrency: 1 });
    const gate = new Gate();
    const release = q.hold('host');
    q.add(gate.job('a', FillPriority.Background, 0));
    q.add(gate.job('b', FillPriority.Background, 5));
    const first = q.add(gate.job('b', FillPriority.Decision, 9));
    release();
    await settle();
    await gate.finishAll();
    await gate.finishAll();

    expect(gate.started).toEqual(['b', 'a']);
    await expect(first).resolves.toBeUndefined();
  });

  it('passes a job’s error to everyone who added it', async () => {
    const q = new FillQueue({ concurrency: 1 });
    const boom = new Error('manifest unreadable');
    const job: FillJob = {
      key: 'k',
      group: 'h',
      priority: FillPriority.Waited,
      rank: 0,
      run: () => Promise.reject(boom),
    };
    const [a, b] = [q.add(job), q.add(job)];

    await expect(a).rejects.toBe(boom);
    await expect(b).rejects.toBe(boom);
  });

  it('drops the queued jobs of a group (a host that answered 429), not the running ones nor other hosts', async () => {
    const q = new FillQueue({ concurrency: 1 });
    const gate = new Gate();
    const running = q.add(gate.job('h-0', FillPriority.Background, 0));
    const queued = q.add(gate.job('h-1', FillPriority.Background, 1));
    q.add(gate.job('other-0', FillPriority.Background, 2, { group: 'other' }));
    await settle();
    const limited = new Error('429');

    expect(q.dropGroup('host', limited)).toBe(1);
    await expect(queued).rejects.toBe(limited);
    await gate.finishAll();
    await expect(running).resolves.toBeUndefined();
    expect(gate.started).toEqual(['h-0', 'other-0']);
  });

  it('drops queued jobs once all who added them have aborted', async () => {
    const q = new FillQueue({ concurrency: 1 });
    const gate = new Gate();
    const warmer = new AbortController();
    const caller = new AbortController();
    q.add(gate.job('busy', FillPriority.Background, 0));
    const shared = q.add(gate.job('shared', FillPriority.Background, 1, { signal: warmer.signal }));
    q.add(gate.job('shared', FillPriority.Background, 1, { signal: caller.signal }));
    const alone = q.add(gate.job('alone', FillPriority.Background, 2, { signal: warmer.signal }));
    await settle();

    warmer.abort();
    expect(q.prune()).toBe(1);
    await expect(alone).rejects.toThrow(/abort/i);
    caller.abort();
    await gate.finishAll();
    await expect(shared).rejects.toThrow(/abort/i);
    expect(gate.started).toEqual(['busy']);
    await q.idle();
  });

  it('refuses a concurrency that is not a positive integer', () => {
    expect(() => new FillQueue({ concurrency: 0 })).toThrow(/positive integer/);
  });
});
