import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { ErrorKind, FluxError, type Logger, noopLogger } from '@flux-ts/core';
import { type KubeConfig, PortForward } from '@kubernetes/client-node';

export interface OpenPortForwardOptions {
  namespace: string;
  pod: string;
  /** The pod's port: fluxd's API listens on 3030. */
  port: number;
  /** Local address to listen on (default `127.0.0.1`); the local port is always a free one. */
  host?: string;
  logger?: Logger;
}

export interface PortForwardHandle {
  /** The local port on `host` that reaches the pod's port. */
  localPort: number;
  /** The last failure of a forwarded connection (to explain a reset to the user), if any. */
  lastError(): PortForwardError | undefined;
  /** Stops listening and closes every forwarded connection. */
  close(): Promise<void>;
}

/** A forwarded connection failed: the API server refused the stream, or the pod's port did. */
export class PortForwardError extends FluxError {
  constructor(message: string, cause?: unknown) {
    super(message, {
      code: 'fluxctl.connect.port-forward',
      kind: ErrorKind.Server,
      help: `${message}\nCheck that fluxd is ready and that you may create pods/portforward in its namespace, or pass --url.`,
      cause,
    });
  }
}

/** What client-node's `PortForward.portForward` resolves to with `retryCount` 0: the open web socket. */
interface ForwardSocket {
  close(): void;
  terminate?(): void;
  on(event: 'close', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

/**
 * Forwards a free local port on 127.0.0.1 to `port` of `pod`, through the API server's
 * `pods/<pod>/portforward` (client-node's web-socket port-forward, one web socket per local
 * connection). Errors of a connection close that connection and are kept for {@link
 * PortForwardHandle.lastError}; they never throw here.
 */
export async function openPortForward(
  kc: KubeConfig,
  options: OpenPortForwardOptions,
): Promise<PortForwardHandle> {
  const { namespace, pod, port } = options;
  const logger = (options.logger ?? noopLogger).child({ namespace, pod, port });
  const forwarder = new PortForward(kc);
  const sockets = new Set<Socket>();
  const webSockets = new Set<ForwardSocket>();
  let closed = false;
  let lastError: PortForwardError | undefined;
  const fail = (socket: Socket, err: PortForwardError): void => {
    lastError = err;
    logger.warn({ err: err.message }, 'port-forward connection failed');
    socket.destroy();
  };

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A reset by the local client is normal (it closes keep-alive connections that way).
    socket.on('error', (err) => logger.debug({ err: err.message }, 'local connection error'));
    // The error channel: the kubelet writes why it could not reach the pod's port, then closes.
    let errorText = '';
    const errors = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        errorText += chunk.toString('utf8');
        callback();
      },
    });
    forwarder.portForward(namespace, pod, [port], socket, errors, socket).then(
      (result) => {
        const ws = result as unknown as ForwardSocket;
        if (closed || socket.destroyed) {
          ws.close();
          return;
        }
        webSockets.add(ws);
        ws.on('error', (err) => {
          fail(
            socket,
            new PortForwardError(`port-forward to pod ${namespace}/${pod}:${port}: ${err.message}`, err),
          );
        });
        ws.on('close', () => {
          webSockets.delete(ws);
          if (errorText.trim() !== '') {
            fail(
              socket,
              new PortForwardError(`port-forward to pod ${namespace}/${pod}:${port}: ${errorText.trim()}`),
            );
          } else {
            socket.end();
          }
        });
        // client-node closes the web socket on the socket's 'end'; a destroyed socket ends nothing.
        socket.on('close', () => ws.close());
      },
      (err: unknown) => {
        fail(
          socket,
          new PortForwardError(`port-forward to pod ${namespace}/${pod}:${port}: ${describe(err)}`, err),
        );
      },
    );
  });
  server.listen(0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string')
    throw new Error('port-forward: listener has no TCP port');

  return {
    localPort: address.port,
    lastError: () => lastError,
    close: async () => {
      if (closed) return;
      closed = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const ws of webSockets) ws.terminate ? ws.terminate() : ws.close();
      for (const socket of sockets) socket.destroy();
      await stopped;
    },
  };
}

/** client-node rejects with the web socket's error event, not an Error: dig out its message. */
function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  const event = err as { message?: unknown; error?: unknown } | null;
  if (event?.error instanceof Error) return event.error.message;
  if (typeof event?.message === 'string' && event.message !== '') return event.message;
  return String(err);
}
