import { Socket } from 'node:net';
import { join } from 'node:path';
import { spawnDaemon, waitUntilReady } from './daemon-process.ts';
import { freePort } from './ports.ts';
import { makeTempDir } from './temp-dir.ts';
import { requireBinary } from './which.ts';

/** A real memcached on 127.0.0.1. */
export interface TestMemcached {
  host: string;
  port: number;
  /** `127.0.0.1:<port>`, the form `@keyv/memcache` takes. */
  address: string;
  stop(): Promise<void>;
}

/** Sends one text-protocol command and resolves with the first reply line. */
export function memcachedCommand(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let reply = '';
    socket.setTimeout(2_000, () => socket.destroy(new Error('memcached did not answer')));
    socket.once('error', reject);
    socket.connect(port, '127.0.0.1', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      const end = reply.indexOf('\r\n');
      if (end >= 0) {
        socket.end();
        resolve(reply.slice(0, end));
      }
    });
  });
}

/** Starts memcached (UDP off, loopback only, 64 MB) on a free port. */
export async function startMemcached(): Promise<TestMemcached> {
  const binary = await requireBinary('memcached', 'apt-get install memcached (or run ./scripts/test)', [
    '/usr/bin',
  ]);
  const dir = await makeTempDir('flux-ts-memcached');
  const port = await freePort();
  // As root memcached refuses to start without -u.
  const user = process.getuid?.() === 0 ? ['-u', 'root'] : [];
  const daemon = spawnDaemon(
    binary,
    ['-l', '127.0.0.1', '-p', String(port), '-U', '0', '-m', '64', ...user],
    {
      logFile: join(dir.path, 'memcached.log'),
    },
  );
  try {
    await waitUntilReady(daemon, `memcached on 127.0.0.1:${port}`, async () =>
      (await memcachedCommand(port, 'version')).startsWith('VERSION'),
    );
  } catch (err) {
    await dir.remove();
    throw err;
  }
  return {
    host: '127.0.0.1',
    port,
    address: `127.0.0.1:${port}`,
    async stop() {
      await daemon.stop();
      await dir.remove();
    },
  };
}
