/**
 * A signal that work may be waiting: `wait()` resolves at the next `kick()` (or at once if one came
 * since the last wait), or when `signal` aborts.
 */
export class Wake {
  #pending = false;
  #waiters: (() => void)[] = [];

  kick(): void {
    this.#pending = true;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  wait(signal: AbortSignal): Promise<void> {
    if (this.#pending || signal.aborted) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        signal.removeEventListener('abort', done);
        this.#pending = false;
        resolve();
      };
      this.#waiters.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

/** Sleeps on `clock` for `ms`, ending early (without error) when `wake` is kicked or `signal` aborts. */
export async function sleepOrWake(
  clock: { sleep(ms: number, signal?: AbortSignal): Promise<void> },
  ms: number,
  wake: Wake,
  signal: AbortSignal,
): Promise<void> {
  const ctl = new AbortController();
  const stop = (): void => ctl.abort();
  signal.addEventListener('abort', stop, { once: true });
  try {
    await Promise.race([clock.sleep(ms, ctl.signal).catch(() => undefined), wake.wait(ctl.signal)]);
  } finally {
    ctl.abort();
    signal.removeEventListener('abort', stop);
  }
}
