import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/** One request that passed through the proxy. */
export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/v2/library/app/tags/list`. */
  path: string;
  status: number;
  /** True when the proxy answered itself (an injected fault) instead of forwarding. */
  injected: boolean;
}

/** A fault to inject into the next matching requests. */
export interface Fault {
  /** Which requests it applies to (default: all). */
  match?: (req: { method: string; path: string }) => boolean;
  /** How many requests it applies to before it is used up (default: 1). */
  times?: number;
  /** Answer with this status instead of forwarding (e.g. 429, 503). */
  status?: number;
  /** `Retry-After` header value in seconds, with `status`. */
  retryAfterSeconds?: number;
  /** Wait this long before forwarding (or answering). */
  delayMs?: number;
  /** With `status`: the body to answer with (default: a registry-style error JSON). */
  body?: string;
  /** With `body`: its Content-Type (default application/json). */
  contentType?: string;
}

/** An HTTP proxy in front of a real server that records every request and injects faults on demand. */
export interface FaultProxy {
  /** Base URL of the proxy, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly host: string;
  /** Every request so far, in arrival order. */
  readonly requests: readonly RecordedRequest[];
  inject(fault: Fault): void;
  /** Forgets recorded requests and pending faults. */
  reset(): void;
  close(): Promise<void>;
}

interface PendingFault extends Fault {
  remaining: number;
}

/** Starts a recording, fault-injecting HTTP proxy on 127.0.0.1 in front of `target` (a base URL). */
export function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const recorded: RecordedRequest[] = [];
  let faults: PendingFault[] = [];

  const takeFault = (method: string, path: string): PendingFault | undefined => {
    const fault = faults.find((f) => f.remaining > 0 && (f.match?.({ method, path }) ?? true));
    if (fault) {
      fault.remaining--;
      faults = faults.filter((f) => f.remaining > 0);
    }
    return fault;
  };

  const server: Server = createServer(async (req: IncomingMessage, res) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const fault = takeFault(method, path);
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (fault?.status) {
      req.resume();
      const headers: Record<string, string> = { 'Content-Type': fault.contentType ?? 'application/json' };
      if (fault.retryAfterSeconds !== undefined) headers['Retry-After'] = String(fault.retryAfterSeconds);
      res.writeHead(fault.status, headers);
      res.end(
        fault.body ??
          JSON.stringify({
            errors: [{ code: 'INJECTED', message: `fault injected by test proxy: ${fault.status}` }],
          }),
      );
      recorded.push({ method, path, status: fault.status, injected: true });
      return;
    }
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method,
        path,
        headers: req.headers, // Host stays the proxy's, so the registry's Location headers point back here
      },
      (upstreamRes) => {
        recorded.push({ method, path, status: upstreamRes.statusCode ?? 0, injected: false });
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    forward.on('error', (err) => {
      recorded.push({ method, path, status: 502, injected: false });
      res.writeHead(502);
      res.end(String(err));
    });
    req.pipe(forward);
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        url: `http://127.0.0.1:${port}`,
        host: `127.0.0.1:${port}`,
        get requests() {
          return recorded;
        },
        inject(fault) {
          faults.push({ ...fault, remaining: fault.times ?? 1 });
        },
        reset() {
          recorded.length = 0;
          faults = [];
        },
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}
