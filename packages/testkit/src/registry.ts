import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { spawnDaemon, waitUntilReady } from './daemon-process.ts';
import { freePort } from './ports.ts';
import {
  listTags,
  type PushedImage,
  type PushImageOptions,
  pushImage,
  type RegistryAccess,
} from './registry-push.ts';
import { startTokenServer, type TokenServer } from './registry-token-server.ts';
import { makeTempDir } from './temp-dir.ts';
import { requireBinary } from './which.ts';

const run = promisify(execFile);

/** How the registry authenticates: not at all, htpasswd Basic, or a Bearer token realm. */
export type RegistryAuth = 'none' | 'basic' | 'token';

export interface StartRegistryOptions {
  auth?: RegistryAuth;
}

/** A real Docker Distribution registry on 127.0.0.1. */
export interface TestRegistry extends RegistryAccess {
  /** `127.0.0.1:<port>`: the host part of image references. */
  host: string;
  auth: RegistryAuth;
  /** Credentials that the registry (or its token server) accepts; set for `basic` and `token`. */
  username: string;
  password: string;
  /** The token server, for `token`. */
  tokenServer?: TokenServer;
  pushImage(options: PushImageOptions): Promise<PushedImage>;
  listTags(repo: string): Promise<string[]>;
  stop(): Promise<void>;
}

const INSTALL = 'apt-get install docker-registry apache2-utils (or run ./scripts/test, which installs it)';

/**
 * Starts Docker Distribution (`docker-registry serve`) with its own config file, listening on a free
 * loopback port, with storage in a temporary directory that `stop()` deletes.
 */
export async function startRegistry(options: StartRegistryOptions = {}): Promise<TestRegistry> {
  const auth = options.auth ?? 'none';
  const binary = await requireBinary('docker-registry', INSTALL, ['/usr/bin']);
  const dir = await makeTempDir('flux-ts-registry');
  const port = await freePort();
  const username = 'flux-test';
  const password = `pw-${port}`;
  let authConfig = '';
  let tokenServer: TokenServer | undefined;
  try {
    if (auth === 'basic') {
      const htpasswd = await requireBinary('htpasswd', INSTALL);
      const { stdout } = await run(htpasswd, ['-Bbn', username, password]);
      await writeFile(join(dir.path, 'htpasswd'), stdout);
      authConfig = `auth:\n  htpasswd:\n    realm: flux-ts-test\n    path: ${join(dir.path, 'htpasswd')}\n`;
    } else if (auth === 'token') {
      const tokenPort = await freePort();
      const keyFile = join(dir.path, 'token.key');
      const certFile = join(dir.path, 'token.crt');
      await run('openssl', [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '30',
        '-subj',
        '/CN=flux-ts-token-issuer',
      ]);
      tokenServer = await startTokenServer({
        port: tokenPort,
        keyPem: await readFile(keyFile, 'utf8'),
        certPem: await readFile(certFile, 'utf8'),
        issuer: 'flux-ts-test-issuer',
        username,
        password,
      });
      authConfig =
        'auth:\n  token:\n' +
        `    realm: ${tokenServer.url}\n    service: flux-ts-test-registry\n` +
        `    issuer: flux-ts-test-issuer\n    rootcertbundle: ${certFile}\n`;
    }
    await mkdir(join(dir.path, 'data'));
    const config = join(dir.path, 'config.yml');
    await writeFile(
      config,
      'version: 0.1\n' +
        'log:\n  level: error\n  accesslog:\n    disabled: true\n' +
        `storage:\n  filesystem:\n    rootdirectory: ${join(dir.path, 'data')}\n  delete:\n    enabled: true\n` +
        `http:\n  addr: 127.0.0.1:${port}\n  secret: flux-ts-test-secret\n` +
        authConfig,
    );
    const daemon = spawnDaemon(binary, ['serve', config], { logFile: join(dir.path, 'registry.log') });
    const url = `http://127.0.0.1:${port}`;
    await waitUntilReady(daemon, `docker-registry on ${url}`, async () => {
      const res = await fetch(`${url}/v2/`);
      await res.arrayBuffer();
      return res.status === 200 || res.status === 401;
    });
    const access: RegistryAccess = { url, username, password };
    return {
      ...access,
      host: `127.0.0.1:${port}`,
      auth,
      username,
      password,
      ...(tokenServer ? { tokenServer } : {}),
      pushImage: (o) => pushImage(access, o),
      listTags: (repo) => listTags(access, repo),
      async stop() {
        await daemon.stop();
        await tokenServer?.close();
        await dir.remove();
      },
    };
  } catch (err) {
    await tokenServer?.close();
    await dir.remove();
    throw err;
  }
}
