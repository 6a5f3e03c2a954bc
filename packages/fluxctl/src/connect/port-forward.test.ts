import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { openPortForward, PortForwardError, type PortForwardHandle } from './port-forward.ts';

// A stand-in API server speaking the web-socket port-forward protocol (`v4.channel.k8s.io`: channel
// 0 data, channel 1 errors, each opened by the 2-byte little-endian port) with an upper-casing
// echo as the "pod". It checks our piping around client-node; it is not the kubelet path, which
// the test API server (no kubelet) cannot provide.
// `ws` comes with client-node; fluxctl does not depend on it directly.
interface WsLike {
  protocol: string;
  send(data: Buffer): void;
  close(): void;
  on(event: 'message', listener: (data: Buffer) => void): void;
  on(event: 'close', listener: () => void): void;
}
interface WsServerLike {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, cb: (ws: WsLike) => void): void;
  close(): void;
}
const requireFromClient = createRequire(import.meta.resolve('@kubernetes/client-node'));
const { WebSocketServer } = requireFromClient('ws') as {
  WebSocketServer: new (options: {
    noServer: true;
    handleProtocols: (protocols: Set<string>) => string | false;
  }) => WsServerLike;
};

type PodBehaviour = 'echo' | 'refuse-port';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface FakeApi {
  kc: KubeConfig;
  paths: string[];
  protocols: string[];
  openSockets(): number;
}

async function fakeApi(pods: Record<string, PodBehaviour>): Promise<FakeApi> {
  const paths: string[] = [];
  const protocols: string[] = [];
  const live = new Set<WsLike>();
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => (offered.has('v4.channel.k8s.io') ? 'v4.channel.k8s.io' : false),
  });
  const server: Server = createServer((_req, res) => {
    res.writeHead(404);
    res.end();
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://x');
    paths.push(`${url.pathname}?${url.searchParams}`);
    const match = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward$/.exec(url.pathname);
    const behaviour = match ? pods[`${match[1]}/${match[2]}`] : undefined;
    if (!behaviour) {
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const port = Number(url.searchParams.get('ports'));
    wss.handleUpgrade(req, socket, head, (ws) => {
      live.add(ws);
      protocols.push(ws.protocol);
      ws.on('close', () => live.delete(ws));
      const portBytes = Buffer.alloc(2);
      portBytes.writeUInt16LE(port);
      ws.send(Buffer.concat([Buffer.from([0]), portBytes]));
      ws.send(Buffer.concat([Buffer.from([1]), portBytes]));
      if (behaviour === 'refuse-port') {
        const message = `error forwarding port ${port} to pod ${match?.[2]}: dial tcp4 127.0.0.1:${port}: connect: connection refused`;
        ws.send(Buffer.concat([Buffer.from([1]), Buffer.from(message)]));
        ws.close();
        return;
      }
      ws.on('message', (data: Buffer) => {
        if (data[0] !== 0) return;
        ws.send(
          Buffer.concat([Buffer.from([0]), Buffer.from(data.subarray(1).toString('utf8').toUpperCase())]),
        );
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    for (const ws of live) ws.close();
    wss.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as { port: number };
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser(
    { name: 'fake', server: `http://127.0.0.1:${port}`, skipTLSVerify: true },
    { name: 'u' },
  );
  return { kc, paths, protocols, openSockets: () => live.size };
}

async function open(kc: KubeConfig, pod: string, namespace = 'flux'): Promise<PortForwardHandle> {
  const handle = await openPortForward(kc, { namespace, pod, port: 3030 });
  cleanups.push(() => handle.close());
  return handle;
}

function dial(port: number): Socket {
  const socket = connect(port, '127.0.0.1');
  cleanups.push(() => {
    socket.destroy();
  });
  return socket;
}

/** Everything the socket receives until it closes. */
async function readAll(socket: Socket): Promise<string> {
  let text = '';
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  socket.on('error', () => {});
  await once(socket, 'close');
  return text;
}

function readSome(socket: Socket, length: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('utf8');
      if (text.length < length) return;
      socket.off('data', onData);
      socket.pause();
      resolve(text);
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`closed after ${JSON.stringify(text)}`)));
  });
}

describe('openPortForward (against a stand-in API server)', () => {
  it('listens on 127.0.0.1 and pipes bytes both ways through pods/<pod>/portforward', async () => {
    const api = await fakeApi({ 'flux/flux-abc': 'echo' });
    const handle = await open(api.kc, 'flux-abc');
    expect(handle.localPort).toBeGreaterThan(0);
    const socket = dial(handle.localPort);
    socket.write('hello fluxd');
    await expect(readSome(socket, 11)).resolves.toBe('HELLO FLUXD');
    expect(api.paths).toEqual(['/api/v1/namespaces/flux/pods/flux-abc/portforward?ports=3030']);
    expect(api.protocols).toEqual(['v4.channel.k8s.io']);
    expect(handle.lastError()).toBeUndefined();
  });

  it('uses one web socket per local connection and closes it with the connection', async () => {
    const api = await fakeApi({ 'flux/flux-abc': 'echo' });
    const handle = await open(api.kc, 'flux-abc');
    const a = dial(handle.localPort);
    const b = dial(handle.localPort);
    a.write('a');
    b.write('b');
    await expect(readSome(a, 1)).resolves.toBe('A');
    await expect(readSome(b, 1)).resolves.toBe('B');
    expect(api.openSockets()).toBe(2);
    a.end();
    b.destroy();
    await expect.poll(() => api.openSockets()).toBe(0);
  });

  it('closes the local connection and keeps the error channel message when the pod port refuses', async () => {
    const api = await fakeApi({ 'flux/flux-abc': 'refuse-port' });
    const handle = await open(api.kc, 'flux-abc');
    const socket = dial(handle.localPort);
    socket.write('GET / HTTP/1.1\r\n\r\n');
    await readAll(socket);
    const err = handle.lastError();
    expect(err).toBeInstanceOf(PortForwardError);
    expect(err?.message).toBe(
      'port-forward to pod flux/flux-abc:3030: error forwarding port 3030 to pod flux-abc: dial tcp4 127.0.0.1:3030: connect: connection refused',
    );
  });

  it('closes the local connection when the API server refuses the upgrade', async () => {
    const api = await fakeApi({});
    const handle = await open(api.kc, 'gone');
    const socket = dial(handle.localPort);
    await readAll(socket);
    expect(handle.lastError()?.message).toMatch(
      /^port-forward to pod flux\/gone:3030: Unexpected server response: 404/,
    );
  });

  it('close() stops listening and ends open connections', async () => {
    const api = await fakeApi({ 'flux/flux-abc': 'echo' });
    const handle = await open(api.kc, 'flux-abc');
    const socket = dial(handle.localPort);
    socket.write('x');
    await expect(readSome(socket, 1)).resolves.toBe('X');
    const closed = readAll(socket);
    await handle.close();
    await closed;
    await expect.poll(() => api.openSockets()).toBe(0);
    const refused = connect(handle.localPort, '127.0.0.1');
    const [err] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
    expect(err.code).toBe('ECONNREFUSED');
    await handle.close(); // idempotent
  });
});
