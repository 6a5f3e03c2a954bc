import type { Logger } from '@flux-ts/core';
import { type Event, eventText } from './event.ts';

/** Where fluxd reports events: the log, or the upstream service (`--connect`). */
export interface EventSink {
  /** Records one event. Implementations never reject for delivery failures; they log them. */
  logEvent(event: Event, signal?: AbortSignal): Promise<void>;
}

/** The sink used without `--connect`: logs `event=<text> logupstream=false`, as Flux v1 does. */
export function logEventSink(logger: Logger): EventSink {
  return {
    logEvent: (event) => {
      logger.info({ event: eventText(event), logupstream: false }, 'event');
      return Promise.resolve();
    },
  };
}
