import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ControllerStatusJson, FluxApi, Logger } from '@flux-ts/core';
import { ErrorKind, FluxError, ManualClock, systemClock } from '@flux-ts/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Event } from '../events/event.ts';
import { JsonValueSplitter } from './json-rpc.ts';
import {
  joinRoute,
  startUpstream,
  type Upstream,
  UpstreamDeprecatedError,
  upstreamEndpoints,
} from './upstream.ts';

const TOKEN = 's3cr3t-t0ken';

/** A recording logger; `all()` is every line as text, to check that no secret leaks. */
function recordingLogger(): Logger & { all(): string } {
  const lines: string[] = [];
  const record = (fields: Record<string, unknown>, msg: string): void => {
    lines.push(`${msg} ${JSON.stringify(fields)}`);
  };
  const logger = {
    debug: record,
    info: record,
    warn: record,
    error: record,
    child: () => logger,
    all: () => lines.join('\n'),
  };
  return logger;
}

/** A fake daemon. `syncStatus` hangs until aborted, to exercise the rpc timeout. */
function fakeApi(): FluxApi & { aborted: string[] } {
  const aborted: string[] = [];
  const workload = { ID: 'default:deployment/hello' } as ControllerStatusJson;
  return {
    aborted,
    ping: async () => {},
    version: async () => '1.2.3',
    notifyChange: async () => {},
    listServices: async (query) => (query.namespace === 'default' ? [workload] : []),
    listImages: async () => {
      throw new FluxError('item not in cache', {
        code: 'cache.missing',
        kind: ErrorKind.Missing,
        help: 'Image not yet cached',
      });
    },
    updateManifests: async () => 'job-1',
    jobStatus: async () => {
      throw new Error('plain failure');
    },
    syncStatus: (_ref, options) =>
      new Promise((_resolve, reject) => {
        options?.signal?.addEventListener('abort', () => {
          aborted.push('SyncStatus');
          reject(options.signal?.reason);
        });
      }),
    export: async () => 'kind: Namespace\n',
    explain: async () => [],
    syncErrors: async () => [],
    gitRepoConfig: async () => {
      throw new FluxError('no repo', { code: 'git.none', kind: ErrorKind.User, help: 'configure git' });
    },
  };
}

interface Dial {
  url: string;
  headers: IncomingMessage['headers'];
}

/** The upstream service: a websocket endpoint and the events endpoint, on 127.0.0.1. */
async function startFakeUpstream(): Promise<{
  base: string;
  server: Server;
  dials: Dial[];
  events: Array<{ body: unknown; headers: IncomingMessage['headers'] }>;
  sockets: WebSocket[];
  nextSocket(): Promise<WebSocket>;
  status: { value: number };
  close(): Promise<void>;
}> {
  const dials: Dial[] = [];
  const events: Array<{ body: unknown; headers: IncomingMessage['headers'] }> = [];
  const sockets: WebSocket[] = [];
  const waiters: Array<(ws: WebSocket) => void> = [];
  const unclaimed: WebSocket[] = [];
  const status = { value: 101 };
  const wss = new WebSocketServer({ noServer: true });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/api/flux/v6/events') {
        events.push({ body: JSON.parse(Buffer.concat(chunks).toString('utf8')), headers: req.headers });
        res.writeHead(204).end();
      } else res.writeHead(404).end('not found');
    });
  });
  server.on('upgrade', (req, socket, head) => {
    dials.push({ url: req.url ?? '', headers: req.headers });
    if (status.value !== 101) {
      socket.end(`HTTP/1.1 ${status.value} Nope\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.push(ws);
      const waiter = waiters.shift();
      if (waiter) waiter(ws);
      else unclaimed.push(ws);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}/api/flux`,
    server,
    dials,
    events,
    sockets,
    status,
    nextSocket: () => {
      const ws = unclaimed.shift();
      return ws ? Promise.resolve(ws) : new Promise((resolve) => waiters.push(resolve));
    },
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The upstream's RPC client side: sends calls as binary frames, collects responses by id. */
function rpcClient(ws: WebSocket): {
  send(text: string): void;
  response(id: number): Promise<Record<string, unknown>>;
  call(method: string, params: unknown[] | undefined, id: number): Promise<Record<string, unknown>>;
} {
  const splitter = new JsonValueSplitter();
  const pending = new Map<number, (r: Record<string, unknown>) => void>();
  ws.on('message', (data: Buffer, isBinary) => {
    expect(isBinary).toBe(true);
    for (const text of splitter.push(data)) {
      const response = JSON.parse(text) as Record<string, unknown>;
      pending.get(response.id as number)?.(response);
    }
  });
  const send = (text: string): void => ws.send(Buffer.from(text), { binary: true });
  const response = (id: number): Promise<Record<string, unknown>> =>
    new Promise((resolve) => pending.set(id, resolve));
  return {
    send,
    response,
    call: (method, params, id) => {
      const answer = response(id);
      send(`${JSON.stringify({ method, params, id })}\n`);
      return answer;
    },
  };
}

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function setup(clock = systemClock): Promise<{
  upstream: Upstream;
  fake: Awaited<ReturnType<typeof startFakeUpstream>>;
  api: ReturnType<typeof fakeApi>;
  logger: ReturnType<typeof recordingLogger>;
  changes: boolean[];
  controller: AbortController;
}> {
  const fake = await startFakeUpstream();
  const api = fakeApi();
  const logger = recordingLogger();
  const changes: boolean[] = [];
  const controller = new AbortController();
  const upstream = startUpstream({
    url: fake.base,
    token: TOKEN,
    version: '9.9.9',
    api,
    rpcTimeoutMs: 150,
    logger,
    clock,
    signal: controller.signal,
    redialDelayMs: 50,
    onConnectionChange: (c) => changes.push(c),
  });
  stops.push(async () => {
    controller.abort();
    await upstream.done.catch(() => {});
    await fake.close();
  });
  return { upstream, fake, api, logger, changes, controller };
}

describe('upstream endpoints', () => {
  it('maps schemes both ways and joins routes to the path', () => {
    const e = upstreamEndpoints('wss://cloud.example.com/api/flux/');
    expect(e.ws.href).toBe('wss://cloud.example.com/api/flux/');
    expect(e.http.href).toBe('https://cloud.example.com/api/flux/');
    expect(joinRoute(e.ws, '/v11/daemon').href).toBe('wss://cloud.example.com/api/flux/v11/daemon');
    const h = upstreamEndpoints('http://h:8080');
    expect(joinRoute(h.ws, '/v11/daemon').href).toBe('ws://h:8080/v11/daemon');
    expect(() => upstreamEndpoints('ftp://h')).toThrow(/unsupported scheme ftp/);
  });
});

describe('startUpstream against a real websocket server', () => {
  it('dials /v11/daemon with the headers and answers RPC calls', async () => {
    const { upstream, fake, api, logger, changes } = await setup();
    const ws = await fake.nextSocket();
    expect(fake.dials[0]?.url).toBe('/api/flux/v11/daemon');
    expect(fake.dials[0]?.headers['user-agent']).toBe('fluxd/9.9.9');
    expect(fake.dials[0]?.headers.authorization).toBe(`Scope-Probe token=${TOKEN}`);
    const client = rpcClient(ws);

    expect(await client.call('RPCServer.Ping', [{}], 1)).toEqual({ id: 1, result: {}, error: null });
    expect(upstream.connected()).toBe(true);
    expect(changes).toEqual([true]);
    expect(await client.call('RPCServer.Version', [{}], 2)).toEqual({ id: 2, result: '1.2.3', error: null });
    expect(await client.call('RPCServer.ListServices', ['default'], 3)).toEqual({
      id: 3,
      result: { Result: [{ ID: 'default:deployment/hello' }], ApplicationError: null },
      error: null,
    });
    expect(await client.call('RPCServer.Export', [{}], 4)).toEqual({
      id: 4,
      result: { Result: Buffer.from('kind: Namespace\n').toString('base64'), ApplicationError: null },
      error: null,
    });
    // A flux error is an ApplicationError in a successful response.
    expect(await client.call('RPCServer.ListImages', ['<all>'], 5)).toEqual({
      id: 5,
      result: {
        Result: null,
        ApplicationError: { type: 'missing', help: 'Image not yet cached', error: 'item not in cache' },
      },
      error: null,
    });
    expect(await client.call('RPCServer.GitRepoConfig', [false], 6)).toMatchObject({
      result: { ApplicationError: { type: 'user', help: 'configure git', error: 'no repo' } },
      error: null,
    });
    // Any other error is the JSON-RPC error string.
    expect(await client.call('RPCServer.JobStatus', ['job-1'], 7)).toEqual({
      id: 7,
      result: null,
      error: 'plain failure',
    });
    expect(await client.call('RPCServer.Nope', [{}], 8)).toEqual({
      id: 8,
      result: null,
      error: "rpc: can't find method RPCServer.Nope",
    });
    expect(await client.call('RPCServer.Ping', undefined, 9)).toEqual({
      id: 9,
      result: null,
      error: 'jsonrpc: request body missing params',
    });
    // A call that outlives --rpc-timeout is aborted and answered with an error.
    const started = Date.now();
    const slow = await client.call('RPCServer.SyncStatus', ['HEAD'], 10);
    expect(slow).toMatchObject({
      id: 10,
      result: null,
      error: expect.stringMatching(/deadline exceeded after 150ms/),
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(api.aborted).toEqual(['SyncStatus']);
    expect(logger.all()).not.toContain(TOKEN);
  });

  it('reads requests split across frames and several per frame', async () => {
    const { fake } = await setup();
    const ws = await fake.nextSocket();
    const client = rpcClient(ws);
    const first = client.response(101);
    const second = client.response(102);
    const two =
      '{"method":"RPCServer.Ping","params":[{}],"id":101}{"method":"RPCServer.ListServices","params":["{}"],"id":102}';
    client.send(two.slice(0, 20));
    client.send(two.slice(20, 70));
    client.send(two.slice(70));
    expect(await first).toEqual({ id: 101, result: {}, error: null });
    expect(await second).toEqual({ id: 102, result: { Result: [], ApplicationError: null }, error: null });
  });

  it('redials after the server closes the socket', async () => {
    const { upstream, fake, changes } = await setup();
    const first = await fake.nextSocket();
    const second = fake.nextSocket();
    first.close();
    const ws = await second;
    expect(fake.dials).toHaveLength(2);
    expect(await rpcClient(ws).call('RPCServer.Ping', [{}], 1)).toMatchObject({ error: null });
    expect(changes).toEqual([true, false, true]);
    expect(upstream.connected()).toBe(true);
  });

  it('waits the redial delay on the injected clock', async () => {
    const clock = new ManualClock();
    const fake = await startFakeUpstream();
    const controller = new AbortController();
    const upstream = startUpstream({
      url: fake.base,
      token: '',
      version: 'v',
      api: fakeApi(),
      rpcTimeoutMs: 1000,
      clock,
      signal: controller.signal,
    });
    stops.push(async () => {
      controller.abort();
      await upstream.done;
      await fake.close();
    });
    const first = await fake.nextSocket();
    expect(fake.dials[0]?.headers.authorization).toBeUndefined();
    first.close();
    await waitFor(() => !upstream.connected());
    await new Promise((r) => setTimeout(r, 50));
    expect(fake.dials).toHaveLength(1);
    const second = fake.nextSocket();
    await clock.advance(5_000);
    await second;
    expect(fake.dials).toHaveLength(2);
  });

  it('drops the connection when no pong arrives', async () => {
    const clock = new ManualClock();
    const fake = await startFakeUpstream();
    const controller = new AbortController();
    const changes: boolean[] = [];
    const upstream = startUpstream({
      url: fake.base,
      token: '',
      version: 'v',
      api: fakeApi(),
      rpcTimeoutMs: 1000,
      clock,
      signal: controller.signal,
      onConnectionChange: (c) => changes.push(c),
    });
    stops.push(async () => {
      controller.abort();
      await upstream.done;
      await fake.close();
    });
    const ws = await fake.nextSocket();
    // Swallow pings: ws answers them automatically unless the socket is paused.
    ws.pause();
    await waitFor(() => upstream.connected());
    await clock.advance(13_333);
    await clock.advance(13_333);
    expect(upstream.connected()).toBe(true);
    await clock.advance(5_000);
    await waitFor(() => !upstream.connected());
    expect(changes).toEqual([true, false]);
  });

  it('rejects done with UpstreamDeprecatedError on 410, and logs other dial failures without the token', async () => {
    const { upstream, fake, logger } = await setup();
    await fake.nextSocket();
    fake.status.value = 500;
    for (const ws of fake.sockets) ws.close();
    await waitFor(() => fake.dials.length >= 2);
    fake.status.value = 410;
    await expect(upstream.done).rejects.toBeInstanceOf(UpstreamDeprecatedError);
    expect(upstream.connected()).toBe(false);
    expect(logger.all()).toContain('http status code = 500');
    expect(logger.all()).not.toContain(TOKEN);
  });

  it('posts events to /v6/events with the token, and never throws when that fails', async () => {
    const { upstream, fake, logger } = await setup();
    const event: Event = {
      id: 0,
      serviceIDs: ['default:deployment/hello'],
      type: 'commit',
      startedAt: '2020-01-01T00:00:00Z',
      endedAt: '2020-01-01T00:00:00Z',
      logLevel: 'info',
      metadata: { revision: 'abcdef0123456789' },
    };
    await upstream.logEvent(event);
    expect(fake.events).toHaveLength(1);
    expect(fake.events[0]?.body).toEqual(event);
    expect(fake.events[0]?.headers.authorization).toBe(`Scope-Probe token=${TOKEN}`);
    expect(fake.events[0]?.headers['content-type']).toBe('application/json');
    expect(logger.all()).toContain('"event":"Commit: abcdef0, default:deployment/hello","logupstream":true');

    await fake.close();
    await expect(upstream.logEvent(event)).resolves.toBeUndefined();
    expect(logger.all()).toContain('posting event upstream failed');
    expect(logger.all()).not.toContain(TOKEN);
  });
});

async function waitFor(predicate: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}
