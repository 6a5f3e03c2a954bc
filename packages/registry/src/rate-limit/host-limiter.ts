import { type Clock, type Logger, noopLogger, systemClock } from '@flux-ts/core';
import Bottleneck from 'bottleneck';
import { AdaptiveRate } from './adaptive-rate.ts';

/** Options of {@link HostLimiters}. */
export interface HostLimiterOptions {
  /** Requests per second per host (`--registry-rps`, default 200). */
  rps?: number;
  /** Burst and concurrency per host (`--registry-burst`, default 125). */
  burst?: number;
  clock?: Clock;
  logger?: Logger;
}

/**
 * Bottleneck refills its reservoir on a 250 ms heartbeat, adding a fixed amount per refill: express
 * `rps` as "amount every interval" with an interval of at least one heartbeat.
 */
export function refillFor(rps: number): {
  reservoirIncreaseInterval: number;
  reservoirIncreaseAmount: number;
} {
  const interval = Math.max(250, Math.ceil(1000 / rps));
  return {
    reservoirIncreaseInterval: interval,
    reservoirIncreaseAmount: Math.max(1, Math.round((rps * interval) / 1000)),
  };
}

interface Host {
  rate: AdaptiveRate;
  bottleneck: Bottleneck;
  warned: boolean;
}

/**
 * Per-registry-host rate limits: a token bucket of `rps` with `burst` (bottleneck), whose rate adapts
 * to 429s ({@link AdaptiveRate}), and a pause while the host's Retry-After runs. One warning per host
 * per back-off, not one per request.
 */
export class HostLimiters {
  readonly #hosts = new Map<string, Host>();
  readonly #rps: number;
  readonly #burst: number;
  readonly #clock: Clock;
  readonly #logger: Logger;

  constructor(options: HostLimiterOptions = {}) {
    this.#rps = options.rps ?? 200;
    this.#burst = options.burst ?? 125;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? noopLogger;
  }

  #host(name: string): Host {
    let host = this.#hosts.get(name);
    if (!host) {
      host = {
        rate: new AdaptiveRate({ rps: this.#rps, clock: this.#clock }),
        bottleneck: new Bottleneck({
          maxConcurrent: this.#burst,
          reservoir: this.#burst,
          reservoirIncreaseMaximum: this.#burst,
          ...refillFor(this.#rps),
        }),
        warned: false,
      };
      this.#hosts.set(name, host);
    }
    return host;
  }

  /** The current rate of a host, for metrics and explanations. */
  rps(host: string): number {
    return this.#host(host).rate.rps;
  }

  /** Runs `task` within the host's limits, after any Retry-After pause. */
  async schedule<T>(host: string, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const h = this.#host(host);
    const pausedUntil = h.rate.pausedUntil;
    if (pausedUntil > 0) await this.#clock.sleep(pausedUntil - this.#clock.now(), signal);
    signal?.throwIfAborted();
    return h.bottleneck.schedule(task);
  }

  /** Reports a 429 for one operation: slows the host down and pauses it for Retry-After. */
  backOff(host: string, retryAfterMs?: number): void {
    const h = this.#host(host);
    h.rate.backOff(retryAfterMs);
    this.#apply(h);
    if (!h.warned) {
      h.warned = true;
      this.#logger.warn(
        { host, rps: h.rate.rps, retryAfterMs },
        'registry rate limited us: slowing down for this host',
      );
    }
  }

  /** Reports a fully successful operation: the host may speed up again after its cool-down. */
  recover(host: string): void {
    const h = this.#host(host);
    if (h.rate.recover()) {
      this.#apply(h);
      if (h.rate.rps >= this.#rps) {
        h.warned = false;
        this.#logger.info({ host, rps: h.rate.rps }, 'registry rate back to normal for this host');
      }
    }
  }

  #apply(h: Host): void {
    h.bottleneck.updateSettings(refillFor(h.rate.rps));
  }

  /** Stops every host's scheduler. */
  async stop(): Promise<void> {
    await Promise.all(
      [...this.#hosts.values()].map((h) =>
        h.bottleneck.stop({ dropWaitingJobs: true }).catch(() => undefined),
      ),
    );
  }
}
