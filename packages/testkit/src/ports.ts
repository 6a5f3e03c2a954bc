import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Binds `port` on 127.0.0.1 (0: the kernel picks) and releases it; resolves with the port, or undefined when taken. */
function probe(port: number): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'EADDRINUSE' || err.code === 'EACCES' ? resolve(undefined) : reject(err),
    );
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * Ports below the kernel's ephemeral range (`ip_local_port_range`): the kernel never hands these out
 * for `listen(0)` or outgoing connections, so a port we pick here is not taken by some other socket
 * between our check and the daemon's bind (ports from the ephemeral range were: a registry once lost
 * its port to a connection of a parallel test).
 */
function quietRange(): [number, number] | undefined {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (low === undefined || !Number.isInteger(low) || low < 12_000) return undefined;
    return [Math.max(10_000, low - 12_000), low];
  } catch {
    return undefined;
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the daemons we start cannot report a port-0 pick). */
export async function freePort(): Promise<number> {
  const range = quietRange();
  if (range) {
    const [from, to] = range;
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = await probe(from + Math.floor(Math.random() * (to - from)));
      if (port) return port;
    }
  }
  const port = await probe(0);
  if (!port) throw new Error('freePort: the kernel found no free port on 127.0.0.1');
  return port;
}
