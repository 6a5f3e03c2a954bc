import type { RequestListener, Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorKind, FluxError } from '@flux-ts/core';

/** Thrown when a listen address is not `[host]:port`. */
export class InvalidListenAddressError extends FluxError {
  constructor(address: string) {
    super(`invalid listen address "${address}"`, {
      code: 'http.listen-address',
      kind: ErrorKind.User,
      help: 'Give a listen address as [host]:port, e.g. :3030 (all interfaces), 127.0.0.1:3030 or [::1]:3030.',
    });
  }
}

/** Thrown when the server cannot listen (address in use, permission denied, …). */
export class ListenError extends FluxError {
  constructor(address: string, cause: unknown) {
    super(`cannot listen on ${address}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      code: 'http.listen',
      kind: ErrorKind.Server,
      help: 'Check that no other process uses this address, or choose another with --listen / --listen-metrics.',
      cause,
    });
  }
}

/** A Go-style listen address split up; `host` undefined means every interface. */
export interface ListenAddress {
  host: string | undefined;
  port: number;
}

/** Parses `:3030`, `127.0.0.1:0`, `host:port` or `[::1]:3030` as Go's `net.Listen` does. */
export function parseListenAddress(address: string): ListenAddress {
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d{1,5})$/.exec(address);
  if (!m) throw new InvalidListenAddressError(address);
  const port = Number(m[3]);
  if (port > 65535) throw new InvalidListenAddressError(address);
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? undefined : host, port };
}

/** A listening server. */
export interface Listening {
  /** The port actually bound (useful with port 0). */
  port: number;
  /** Stops accepting connections, lets requests in flight finish, and closes idle connections. */
  close(): Promise<void>;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeIdleConnections();
  });
}

/**
 * Serves `app` on `address` (`:3030` = all interfaces). Aborting `signal` closes the server.
 */
export async function listen(
  app: RequestListener,
  address: string,
  signal?: AbortSignal,
): Promise<Listening> {
  const { host, port } = parseListenAddress(address);
  signal?.throwIfAborted();
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(new ListenError(address, err));
    server.once('error', onError);
    server.listen({ host, port }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= closeServer(server);
    return closing;
  };
  signal?.addEventListener('abort', () => void close(), { once: true });
  return { port: (server.address() as AddressInfo).port, close };
}
