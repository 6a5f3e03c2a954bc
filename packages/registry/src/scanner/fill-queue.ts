import { MinHeap } from './min-heap.ts';

/** How soon a tag's metadata is needed: lower runs first. */
export const FillPriority = {
  /** Someone waits for it: a release's image, a notified repository, `Scanner.refresh`. */
  Waited: 0,
  /** A time-ordered automated decision (`glob:`, `regexp:`, no filter) may pick this tag. */
  Decision: 1,
  /** Only `list-images` shows it (creation times, labels). */
  Background: 2,
} as const;
export type FillPriority = (typeof FillPriority)[keyof typeof FillPriority];

/** One piece of work: reading (or re-checking) one tag's metadata. */
export interface FillJob {
  /** Identifies the work: adding a job whose key is queued or running joins it (and may hurry it). */
  key: string;
  /** Jobs that stop together (a registry host): see {@link FillQueue.dropGroup}. */
  group: string;
  priority: FillPriority;
  /** Order within a priority: 0 for a repository's newest tag, so every repository's newest go first. */
  rank: number;
  run: () => Promise<void>;
  /** The job is dropped, while queued, once the signals of everyone who added it have aborted. */
  signal?: AbortSignal | undefined;
}

interface Entry {
  job: FillJob;
  seq: number;
  signals: (AbortSignal | undefined)[];
  state: 'queued' | 'running' | 'done';
  /** Whether it took one of the slots of waited work. */
  waitedSlot: boolean;
  done: Promise<void>;
  resolve: () => void;
  reject: (reason: unknown) => void;
}

/** A place in the heap: an entry at the priority and rank it had when pushed (stale once it changed). */
interface Node {
  entry: Entry;
  priority: number;
  rank: number;
}

const before = (a: Node, b: Node): boolean =>
  a.priority !== b.priority
    ? a.priority < b.priority
    : a.rank !== b.rank
      ? a.rank < b.rank
      : a.entry.seq < b.entry.seq;

/** Options of {@link FillQueue}. */
export interface FillQueueOptions {
  /** Jobs in flight that nobody waits for; as many again for waited jobs. */
  concurrency: number;
}

/**
 * The scanner's metadata fill, shared by every repository: most urgent job first (priority, then rank,
 * then arrival), at most `concurrency` background jobs in flight, and none of a group (host) started
 * while a tag-list pass {@link FillQueue.hold}s that group. Waited jobs have `concurrency` slots of
 * their own and ignore holds, so a caller never queues behind the background work. Each job runs once
 * however often it is added.
 */
export class FillQueue {
  readonly #concurrency: number;
  readonly #entries = new Map<string, Entry>();
  /** Queued jobs per group: a held group's background jobs wait while the others' run. */
  readonly #heaps = new Map<string, MinHeap<Node>>();
  readonly #holds = new Map<string, number>();
  #running = 0;
  #runningWaited = 0;
  #seq = 0;
  #pumpScheduled = false;
  #idleWaiters: (() => void)[] = [];

  constructor(options: FillQueueOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new RangeError(`fill concurrency must be a positive integer, got ${options.concurrency}`);
    }
    this.#concurrency = options.concurrency;
  }

  /** Jobs queued or running. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Queues a job, or joins the queued or running one with the same key (taking the more urgent of
   * the two priorities and ranks while it is queued). Resolves when it has run; rejects with its
   * error, or with the reason it was dropped. Nobody needs to handle the rejection.
   */
  add(job: FillJob): Promise<void> {
    const known = this.#entries.get(job.key);
    if (known) {
      if (!known.signals.includes(job.signal)) known.signals.push(job.signal);
      const k = known.job;
      if (
        known.state === 'queued' &&
        (job.priority < k.priority || (job.priority === k.priority && job.rank < k.rank))
      ) {
        known.job = { ...k, priority: job.priority, rank: job.rank };
        this.#push(known);
        this.#schedulePump();
      }
      return known.done;
    }
    let resolve: () => void = () => undefined;
    let reject: (reason: unknown) => void = () => undefined;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    done.catch(() => undefined);
    const entry: Entry = {
      job,
      seq: this.#seq++,
      signals: [job.signal],
      state: 'queued',
      waitedSlot: false,
      done,
      resolve,
      reject,
    };
    this.#entries.set(job.key, entry);
    this.#push(entry);
    this.#schedulePump();
    return done;
  }

  /**
   * Starts no background job of `group` until the returned function is called: a tag-list pass reads
   * a host's lists before its fill goes on. Other groups go on meanwhile.
   */
  hold(group: string): () => void {
    this.#holds.set(group, (this.#holds.get(group) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#holds.get(group) ?? 1) - 1;
      if (left > 0) this.#holds.set(group, left);
      else this.#holds.delete(group);
      this.#schedulePump();
    };
  }

  /** Drops every queued job of `group` (a host that answered 429): they reject with `reason`. */
  dropGroup(group: string, reason: unknown): number {
    return this.#drop((entry) => entry.job.group === group, reason);
  }

  /** Drops every queued job whose adders have all aborted (a stopped warmer). */
  prune(): number {
    return this.#drop(
      (entry) => entry.signals.every((s) => s?.aborted),
      new DOMException('The operation was aborted', 'AbortError'),
    );
  }

  /** Resolves once nothing is queued or running. */
  idle(): Promise<void> {
    if (this.#entries.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #drop(which: (entry: Entry) => boolean, reason: unknown): number {
    let dropped = 0;
    for (const entry of [...this.#entries.values()]) {
      if (entry.state !== 'queued' || !which(entry)) continue;
      this.#finish(entry);
      entry.reject(reason);
      dropped++;
    }
    this.#checkIdle();
    return dropped;
  }

  #finish(entry: Entry): void {
    entry.state = 'done';
    if (this.#entries.get(entry.job.key) === entry) this.#entries.delete(entry.job.key);
  }

  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    queueMicrotask(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  #pump(): void {
    for (;;) {
      const next = this.#next();
      if (!next) break;
      const { entry } = next;
      if (entry.signals.every((s) => s?.aborted)) {
        this.#heaps.get(entry.job.group)?.pop();
        this.#finish(entry);
        entry.reject(new DOMException('The operation was aborted', 'AbortError'));
        continue;
      }
      if (entry.job.priority === FillPriority.Waited) {
        if (this.#runningWaited >= this.#concurrency) break;
        this.#runningWaited++;
        entry.waitedSlot = true;
      } else {
        if (this.#running >= this.#concurrency) break;
        this.#running++;
      }
      this.#heaps.get(entry.job.group)?.pop();
      this.#start(entry);
    }
    this.#checkIdle();
  }

  /** The most urgent job that may start: the best of each group's first, held groups only for waited jobs. */
  #next(): Node | undefined {
    let best: Node | undefined;
    for (const [group, heap] of this.#heaps) {
      let top = heap.peek();
      while (top && !this.#valid(top)) {
        heap.pop();
        top = heap.peek();
      }
      if (!top) {
        this.#heaps.delete(group);
        continue;
      }
      if (top.priority !== FillPriority.Waited && this.#holds.has(group)) continue;
      if (!best || before(top, best)) best = top;
    }
    return best;
  }

  #start(entry: Entry): void {
    entry.state = 'running';
    Promise.resolve()
      .then(() => entry.job.run())
      .then(
        () => entry.resolve(),
        (err: unknown) => entry.reject(err),
      )
      .finally(() => {
        if (entry.waitedSlot) this.#runningWaited--;
        else this.#running--;
        this.#finish(entry);
        this.#pump();
      });
  }

  #checkIdle(): void {
    if (this.#entries.size > 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  /** A node is stale once its entry left the queue or was hurried since it was pushed. */
  #valid(node: Node): boolean {
    const { entry } = node;
    return entry.state === 'queued' && entry.job.priority === node.priority && entry.job.rank === node.rank;
  }

  #push(entry: Entry): void {
    let heap = this.#heaps.get(entry.job.group);
    if (!heap) {
      heap = new MinHeap<Node>(before);
      this.#heaps.set(entry.job.group, heap);
    }
    heap.push({ entry, priority: entry.job.priority, rank: entry.job.rank });
  }
}
