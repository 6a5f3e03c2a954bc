import type { JobStatusJson } from '@flux-ts/core';

/**
 * The last `size` job statuses, in memory (Flux v1 keeps 100). Oldest entries go first; updating a
 * known job keeps its place.
 */
export class JobStatusCache {
  readonly #size: number;
  readonly #entries = new Map<string, JobStatusJson>();

  constructor(size = 100) {
    this.#size = size;
  }

  get(id: string): JobStatusJson | undefined {
    return this.#entries.get(id);
  }

  set(id: string, status: JobStatusJson): void {
    this.#entries.set(id, status);
    while (this.#entries.size > this.#size) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}
