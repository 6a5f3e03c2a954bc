import type { CommitEventMetadataJson, JobStatusJson } from '@flux-ts/core';
import { JobStatusString } from '@flux-ts/core';
import { newJobId } from './job-id.ts';
import { JobStatusCache } from './status-cache.ts';

/** What a job returns when it succeeds: the commit it made (if any) and per-workload results. */
export type JobResult = CommitEventMetadataJson;

/** A job failed but keeps what it had (Flux v1 clients read `Result` of failed jobs too). */
export class JobFailure extends Error {
  readonly result: JobResult;
  constructor(message: string, result: JobResult = {}) {
    super(message);
    this.name = 'JobFailure';
    this.result = result;
  }
}

/** One unit of work of the daemon loop: a release, a policy change, a manual sync. */
export interface Job {
  readonly id: string;
  run(signal: AbortSignal): Promise<JobResult>;
}

/**
 * The daemon's job queue: unbounded FIFO, one job at a time (the daemon loop takes them), with the
 * status of the last 100 jobs kept for `GET /v6/jobs`.
 */
export class JobQueue {
  readonly #pending: Job[] = [];
  readonly #statuses: JobStatusCache;
  #wake: (() => void) | undefined;

  constructor(statusCacheSize = 100) {
    this.#statuses = new JobStatusCache(statusCacheSize);
  }

  /** Queues a job under a new ID (or `id`), visible as `queued` at once. */
  enqueue(run: (signal: AbortSignal) => Promise<JobResult>, id: string = newJobId()): string {
    this.#statuses.set(id, { Result: {}, Err: '', StatusString: JobStatusString.Queued });
    this.#pending.push({ id, run });
    this.#wake?.();
    return id;
  }

  /** Records the final status of a job that ran outside the queue (a dry-run release). */
  record(id: string, status: JobStatusJson): void {
    this.#statuses.set(id, status);
  }

  status(id: string): JobStatusJson | undefined {
    return this.#statuses.get(id);
  }

  get length(): number {
    return this.#pending.length;
  }

  /** Resolves when a job is waiting (at once if one is), or when `signal` aborts. */
  waitForJob(signal: AbortSignal): Promise<void> {
    if (this.#pending.length > 0 || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.#wake = undefined;
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.#wake = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /**
   * Runs the next job, if any, recording `running` then `succeeded` or `failed`. Returns what ran
   * (undefined when the queue was empty).
   */
  async runNext(signal: AbortSignal): Promise<{ id: string; result?: JobResult; error?: Error } | undefined> {
    const job = this.#pending.shift();
    if (!job) return undefined;
    this.#statuses.set(job.id, { Result: {}, Err: '', StatusString: JobStatusString.Running });
    try {
      const result = await job.run(signal);
      this.#statuses.set(job.id, { Result: result, Err: '', StatusString: JobStatusString.Succeeded });
      return { id: job.id, result };
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      const result = err instanceof JobFailure ? err.result : {};
      this.#statuses.set(job.id, {
        Result: result,
        Err: error.message,
        StatusString: JobStatusString.Failed,
      });
      return { id: job.id, error };
    }
  }
}
