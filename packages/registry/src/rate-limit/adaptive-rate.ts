import type { Clock } from '@flux-ts/core';

/** Options of {@link AdaptiveRate}. */
export interface AdaptiveRateOptions {
  /** The configured rate (`--registry-rps`), also the ceiling. */
  rps: number;
  /** The lowest rate a host is slowed to. Default 0.1 requests/s. */
  floorRps?: number;
  /** How long after a back-off before the rate may grow again. Default 20 minutes. */
  coolDownMs?: number;
  clock: Clock;
}

/**
 * One host's request rate: halved on a 429 (at most once per operation, down to a floor), grown by
 * half again after a successful operation once a cool-down has passed since the last back-off, up to
 * the configured rate. Flux v1's rule, with time from an injected clock.
 */
export class AdaptiveRate {
  readonly #max: number;
  readonly #floor: number;
  readonly #coolDownMs: number;
  readonly #clock: Clock;
  #rps: number;
  #lastBackOff = Number.NEGATIVE_INFINITY;
  #pausedUntil = 0;

  constructor(options: AdaptiveRateOptions) {
    this.#max = options.rps;
    this.#rps = options.rps;
    this.#floor = Math.min(options.floorRps ?? 0.1, options.rps);
    this.#coolDownMs = options.coolDownMs ?? 20 * 60_000;
    this.#clock = options.clock;
  }

  /** Requests per second allowed now. */
  get rps(): number {
    return this.#rps;
  }

  /** Until when (ms epoch) the host asked us not to send anything (Retry-After); 0 when not paused. */
  get pausedUntil(): number {
    return this.#pausedUntil > this.#clock.now() ? this.#pausedUntil : 0;
  }

  /** A 429: halve the rate (callers call this once per operation) and honour Retry-After. Returns true when the rate changed. */
  backOff(retryAfterMs?: number): boolean {
    const now = this.#clock.now();
    if (retryAfterMs !== undefined && retryAfterMs > 0)
      this.#pausedUntil = Math.max(this.#pausedUntil, now + retryAfterMs);
    this.#lastBackOff = now;
    const next = Math.max(this.#floor, this.#rps / 2);
    const changed = next !== this.#rps;
    this.#rps = next;
    return changed;
  }

  /** A successful operation: grow by half once the cool-down since the last back-off has passed. */
  recover(): boolean {
    if (this.#rps >= this.#max || this.#clock.now() - this.#lastBackOff < this.#coolDownMs) return false;
    this.#rps = Math.min(this.#max, this.#rps * 1.5);
    return true;
  }
}
