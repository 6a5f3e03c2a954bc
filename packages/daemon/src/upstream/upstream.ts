import { posix } from 'node:path';
import type { Clock, FluxApi, Logger } from '@flux-ts/core';
import { ErrorKind, FluxError, noopLogger, systemClock } from '@flux-ts/core';
import WebSocket from 'ws';
import { type Event, eventJson, eventText } from '../events/event.ts';
import type { EventSink } from '../events/event-sink.ts';
import { decodeRpcRequest, JsonValueSplitter } from './json-rpc.ts';
import { createRpcServer } from './rpc-server.ts';

/**
 * The upstream connection (`--connect`, `flux-v1.md` §11): fluxd dials a websocket to
 * `<connect>/v11/daemon` and serves Go JSON-RPC over it (fluxd is the RPC server), redialling
 * after every disconnect; events are POSTed to `<connect>/v6/events`.
 */

/** Flux v1's timings. */
export const UPSTREAM_DEFAULTS = {
  redialDelayMs: 5_000,
  pingIntervalMs: 13_333,
  pongTimeoutMs: 30_000,
  writeTimeoutMs: 10_000,
  eventTimeoutMs: 10_000,
  handshakeTimeoutMs: 45_000,
} as const;

/** How long a closing connection waits for the peer's close frame. */
const CLOSE_GRACE_MS = 1_000;

/** The upstream answered the dial with `410 Gone`: this fluxd is too old for it. fluxd exits 1. */
export class UpstreamDeprecatedError extends FluxError {
  constructor() {
    super(
      'Your fluxd version is deprecated - please upgrade, see https://github.com/weaveworks/flux-adapter',
      {
        code: 'upstream.deprecated',
        kind: ErrorKind.User,
        help: 'The service given with --connect refused this fluxd (HTTP 410). Upgrade it, or remove --connect.',
      },
    );
  }
}

/** `--connect` is not a ws, wss, http or https URL. */
export class UpstreamUrlError extends FluxError {
  constructor(reason: string) {
    super(`invalid --connect URL: ${reason}`, {
      code: 'upstream.url',
      kind: ErrorKind.User,
      help: 'Give --connect as ws://, wss://, http:// or https:// followed by the host (and optional path).',
    });
  }
}

/** Options of {@link startUpstream}. */
export interface UpstreamOptions {
  /** `--connect`: ws, wss, http or https. */
  url: string;
  /** `--token`; empty = no `Authorization` header. Never logged. */
  token: string;
  /** fluxd's version, sent as `User-Agent: fluxd/<version>`. */
  version: string;
  api: FluxApi;
  /** `--rpc-timeout`, per call. */
  rpcTimeoutMs: number;
  logger?: Logger;
  /** Time for the redial wait, keepalives, deadlines and timeouts. */
  clock?: Clock;
  /** Stops the connection; `done` then resolves. */
  signal?: AbortSignal;
  /** Called with true when connected and false when the connection ends (the connection gauge). */
  onConnectionChange?: (connected: boolean) => void;
  /** Overrides of {@link UPSTREAM_DEFAULTS} (tests). */
  redialDelayMs?: number;
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  writeTimeoutMs?: number;
  eventTimeoutMs?: number;
}

/** A running upstream connection; also the event sink that posts events upstream. */
export interface Upstream extends EventSink {
  /** Resolves when `signal` stops it; rejects with {@link UpstreamDeprecatedError} on a 410. */
  readonly done: Promise<void>;
  connected(): boolean;
}

/** The websocket (`ws`/`wss`) and HTTP (`http`/`https`) forms of `--connect`. */
export function upstreamEndpoints(connect: string): { ws: URL; http: URL } {
  let url: URL;
  try {
    url = new URL(connect);
  } catch {
    throw new UpstreamUrlError('not a URL');
  }
  const pairs: Record<string, [string, string]> = {
    'ws:': ['ws:', 'http:'],
    'wss:': ['wss:', 'https:'],
    'http:': ['ws:', 'http:'],
    'https:': ['wss:', 'https:'],
  };
  const pair = pairs[url.protocol];
  if (!pair) throw new UpstreamUrlError(`unsupported scheme ${url.protocol.replace(/:$/, '')}`);
  // Switching between special schemes keeps everything else of the URL.
  const ws = new URL(url.href);
  ws.protocol = pair[0];
  const http = new URL(url.href);
  http.protocol = pair[1];
  return { ws, http };
}

/** `base` with `route` joined to its path, as Flux v1's `MakeURL` (`path.Join`) does. */
export function joinRoute(base: URL, route: string): URL {
  const url = new URL(base.href);
  url.pathname = posix.join(url.pathname || '/', route);
  return url;
}

/** The URL for logs and errors: no user-info. */
function safeUrl(url: URL): string {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}

/** Starts the upstream connection loop. */
export function startUpstream(options: UpstreamOptions): Upstream {
  const clock = options.clock ?? systemClock;
  const logger = (options.logger ?? noopLogger).child({ component: 'upstream' });
  const redialDelayMs = options.redialDelayMs ?? UPSTREAM_DEFAULTS.redialDelayMs;
  const pingIntervalMs = options.pingIntervalMs ?? UPSTREAM_DEFAULTS.pingIntervalMs;
  const pongTimeoutMs = options.pongTimeoutMs ?? UPSTREAM_DEFAULTS.pongTimeoutMs;
  const writeTimeoutMs = options.writeTimeoutMs ?? UPSTREAM_DEFAULTS.writeTimeoutMs;
  const eventTimeoutMs = options.eventTimeoutMs ?? UPSTREAM_DEFAULTS.eventTimeoutMs;
  const signal = options.signal ?? new AbortController().signal;
  const endpoints = upstreamEndpoints(options.url);
  const daemonUrl = joinRoute(endpoints.ws, '/v11/daemon');
  const eventsUrl = joinRoute(endpoints.http, '/v6/events');
  const headers: Record<string, string> = { 'User-Agent': `fluxd/${options.version}` };
  if (options.token) headers.Authorization = `Scope-Probe token=${options.token}`;
  const rpc = createRpcServer({ api: options.api, timeoutMs: options.rpcTimeoutMs, clock, logger });

  /** Removes the token from text that may reach a log or an error. */
  const scrub = (text: string): string =>
    options.token ? text.split(options.token).join('<redacted>') : text;
  const describe = (err: unknown): string =>
    scrub(err instanceof Error ? err.message || err.name : String(err));

  let isConnected = false;
  const setConnected = (value: boolean): void => {
    if (isConnected === value) return;
    isConnected = value;
    try {
      options.onConnectionChange?.(value);
    } catch (err) {
      logger.warn({ err: describe(err) }, 'connection callback failed');
    }
  };

  /**
   * Dials once; resolves, once open, with the promise of the connection's end. RPC serving is
   * attached synchronously on `open`: a request may arrive in the same read as the handshake.
   */
  function dial(): Promise<Promise<void>> {
    return new Promise<Promise<void>>((resolve, reject) => {
      const ws = new WebSocket(daemonUrl, {
        headers,
        handshakeTimeout: UPSTREAM_DEFAULTS.handshakeTimeoutMs,
        perMessageDeflate: false,
        followRedirects: false,
      });
      const onAbort = (): void => ws.terminate();
      signal.addEventListener('abort', onAbort, { once: true });
      const settle = (): void => signal.removeEventListener('abort', onAbort);
      ws.once('unexpected-response', (req, res) => {
        settle();
        const status = res.statusCode ?? 0;
        res.resume();
        req.destroy();
        reject(
          status === 410
            ? new UpstreamDeprecatedError()
            : new Error(`connecting to websocket ${safeUrl(daemonUrl)} (http status code = ${status})`),
        );
      });
      ws.once('open', () => {
        settle();
        setConnected(true);
        logger.info({ url: safeUrl(daemonUrl) }, 'connected');
        resolve(serve(ws));
      });
      ws.on('error', (err) => {
        settle();
        reject(new Error(`executing websocket ${safeUrl(daemonUrl)}: ${describe(err)}`));
      });
    });
  }

  /** Serves RPC on an open socket until it closes. */
  function serve(ws: WebSocket): Promise<void> {
    return new Promise<void>((resolve) => {
      const connection = new AbortController();
      const splitter = new JsonValueSplitter();
      let lastSeen = clock.now();

      const close = (reason: string): void => {
        logger.info({ reason }, 'connection closing');
        if (ws.readyState !== WebSocket.OPEN) {
          ws.terminate();
          return;
        }
        ws.close(1000, 'ok');
        // As Flux v1: send the close frame, then drop the connection without a long wait for the peer.
        clock.sleep(CLOSE_GRACE_MS, connection.signal).then(
          () => ws.terminate(),
          () => {},
        );
      };
      const onAbort = (): void => close('stopping');
      signal.addEventListener('abort', onAbort, { once: true });

      const send = (line: string): void => {
        if (ws.readyState !== WebSocket.OPEN) return;
        const deadline = new AbortController();
        clock.sleep(writeTimeoutMs, deadline.signal).then(
          () => {
            logger.warn({ timeoutMs: writeTimeoutMs }, 'write deadline exceeded; dropping the connection');
            ws.terminate();
          },
          () => {},
        );
        ws.send(Buffer.from(line, 'utf8'), { binary: true }, () => deadline.abort());
      };

      ws.on('message', (data, isBinary) => {
        lastSeen = clock.now();
        if (!isBinary) return; // Flux v1 ignores non-binary messages.
        const chunk = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
        let values: string[];
        try {
          values = splitter.push(chunk);
          for (const text of values) {
            const request = decodeRpcRequest(text);
            void rpc.serve(request, connection.signal).then(send);
          }
        } catch (err) {
          logger.warn({ err: describe(err) }, 'bad data from upstream');
          close('protocol error');
        }
      });
      ws.on('pong', () => {
        lastSeen = clock.now();
      });
      ws.on('error', (err) => logger.warn({ err: describe(err) }, 'websocket error'));
      ws.once('close', () => {
        signal.removeEventListener('abort', onAbort);
        connection.abort();
        resolve();
      });

      // Keepalive: a ping every pingIntervalMs; no pong (or data) for pongTimeoutMs ends it.
      void (async () => {
        let nextPing = clock.now() + pingIntervalMs;
        while (!connection.signal.aborted) {
          const now = clock.now();
          const wait = Math.max(0, Math.min(nextPing, lastSeen + pongTimeoutMs) - now);
          try {
            await clock.sleep(wait, connection.signal);
          } catch {
            return;
          }
          const at = clock.now();
          if (at >= lastSeen + pongTimeoutMs) {
            logger.warn({ timeoutMs: pongTimeoutMs }, 'no pong from upstream; dropping the connection');
            ws.terminate();
            return;
          }
          if (at >= nextPing) {
            nextPing = at + pingIntervalMs;
            if (ws.readyState === WebSocket.OPEN) ws.ping();
          }
        }
      })();
    });
  }

  async function loop(): Promise<void> {
    while (!signal.aborted) {
      logger.info({ url: safeUrl(daemonUrl) }, 'connecting');
      try {
        const closed = await dial();
        await closed;
        logger.info({}, 'disconnected');
      } catch (err) {
        if (err instanceof UpstreamDeprecatedError) {
          logger.error({ err: err.message }, 'upstream refused this fluxd');
          throw err;
        }
        if (signal.aborted) break;
        logger.warn({ err: describe(err) }, 'upstream connection failed');
      } finally {
        setConnected(false);
      }
      try {
        await clock.sleep(redialDelayMs, signal);
      } catch {
        break;
      }
    }
  }

  async function postEvent(event: Event, callSignal?: AbortSignal): Promise<void> {
    const timeout = new AbortController();
    const timer = new AbortController();
    clock.sleep(eventTimeoutMs, timer.signal).then(
      () => timeout.abort(new Error(`timed out after ${eventTimeoutMs}ms`)),
      () => {},
    );
    const signals = [timeout.signal, signal, ...(callSignal ? [callSignal] : [])];
    try {
      const res = await fetch(eventsUrl, {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(eventJson(event)),
        signal: AbortSignal.any(signals),
      });
      const body = await res.text();
      if (!res.ok) {
        throw new Error(
          `POST ${safeUrl(eventsUrl)}: HTTP ${res.status}${body ? `: ${body.slice(0, 200)}` : ''}`,
        );
      }
    } finally {
      timer.abort();
    }
  }

  const done = loop();
  // `done` is the caller's to observe; keep an unobserved rejection from crashing the process.
  done.catch(() => {});

  return {
    done,
    connected: () => isConnected,
    logEvent: async (event, callSignal) => {
      logger.info({ event: eventText(event), logupstream: true }, 'event');
      try {
        await postEvent(event, callSignal);
      } catch (err) {
        logger.warn({ err: describe(err), type: event.type }, 'posting event upstream failed');
      }
    },
  };
}
