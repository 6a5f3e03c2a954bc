/**
 * Runs tasks one at a time per key, tasks of different keys at once. `pushImage` keys its writes by
 * registry and digest: Docker Distribution 2.8's filesystem driver rewrites a file in place
 * (truncate, then write), so two concurrent writes of one digest (a blob's repository link, a
 * manifest's data and revision link) let a request in between read an empty file. The manifest PUT
 * that reads it then fails with DIGEST_INVALID (the empty link is not a digest) and
 * MANIFEST_BLOB_UNKNOWN. Distribution 3 writes a temporary file and renames it instead.
 */
export class KeyedLocks {
  readonly #tails = new Map<string, Promise<void>>();

  /** Runs `task` once every task queued before it under `key` has settled. */
  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const before = this.#tails.get(key) ?? Promise.resolve();
    let release = (): void => {};
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = before.then(() => mine);
    this.#tails.set(key, tail);
    try {
      await before;
      return await task();
    } finally {
      release();
      // The last in the queue leaves no entry behind.
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }

  /** Keys with a task queued or running (for tests). */
  get size(): number {
    return this.#tails.size;
  }
}
