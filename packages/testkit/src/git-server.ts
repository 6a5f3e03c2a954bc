import { execFile } from 'node:child_process';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { spawnDaemon, waitUntilReady } from './daemon-process.ts';
import { freePort } from './ports.ts';
import { makeTempDir } from './temp-dir.ts';
import { requireBinary } from './which.ts';

const run = promisify(execFile);

/** A bare repository on the test git server. */
export interface TestRepo {
  /** Absolute path of the bare repository. */
  path: string;
  /** `file://` URL of the repository. */
  fileUrl: string;
  /** `ssh://user@127.0.0.1:<port>/<path>` URL, reachable with {@link TestGitServer.env}. */
  sshUrl: string;
}

/** A git server over file:// and over ssh (a loopback sshd with generated keys). */
export interface TestGitServer {
  /** ssh port on 127.0.0.1. */
  port: number;
  /** Private key a client authenticates with. */
  clientKeyFile: string;
  /** known_hosts holding the server's generated host key (strict checking stays on). */
  knownHostsFile: string;
  /** `GIT_SSH_COMMAND` a client needs. */
  sshCommand: string;
  /** Environment for a git client: PATH, HOME and GIT_SSH_COMMAND (nothing else leaks in). */
  env: Record<string, string>;
  /** Lets a client holding this key's private half in too (as adding a deploy key to a repository host). */
  authorizeKey(publicKey: string): Promise<void>;
  /** Creates an empty bare repository (default branch `main`). */
  createRepo(name: string): Promise<TestRepo>;
  stop(): Promise<void>;
}

const INSTALL = 'apt-get install openssh-server git (or run ./scripts/test)';

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('data', (banner) => {
      socket.destroy();
      resolve(banner.toString().startsWith('SSH-'));
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts an sshd on a free loopback port that accepts only a generated client key, for the current
 * user, and serves bare repositories created with `createRepo`.
 */
export async function createGitServer(): Promise<TestGitServer> {
  const sshd = await requireBinary('sshd', INSTALL, ['/usr/sbin']);
  const sshKeygen = await requireBinary('ssh-keygen', INSTALL);
  await requireBinary('git', INSTALL);
  const dir = await makeTempDir('fts-git', { short: true });
  try {
    const hostKey = join(dir.path, 'host_ed25519');
    const clientKeyFile = join(dir.path, 'client_ed25519');
    await run(sshKeygen, ['-q', '-t', 'ed25519', '-N', '', '-C', 'flux-ts-test-host', '-f', hostKey]);
    await run(sshKeygen, ['-q', '-t', 'ed25519', '-N', '', '-C', 'flux-ts-test-client', '-f', clientKeyFile]);
    const authorizedKeys = join(dir.path, 'authorized_keys');
    await writeFile(authorizedKeys, await readFile(`${clientKeyFile}.pub`), { mode: 0o644 });
    const port = await freePort();
    const user = userInfo().username;
    const config = join(dir.path, 'sshd_config');
    await writeFile(
      config,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${hostKey}`,
        `PidFile ${join(dir.path, 'sshd.pid')}`,
        `AuthorizedKeysFile ${authorizedKeys}`,
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'PermitRootLogin prohibit-password',
        'StrictModes no',
        `AllowUsers ${user}`,
        'LogLevel ERROR',
        '',
      ].join('\n'),
    );
    if (process.getuid?.() === 0) await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
    const knownHostsFile = join(dir.path, 'known_hosts');
    const hostPub = (await readFile(`${hostKey}.pub`, 'utf8')).split(' ').slice(0, 2).join(' ');
    await writeFile(knownHostsFile, `[127.0.0.1]:${port} ${hostPub}\n`);
    const daemon = spawnDaemon(sshd, ['-D', '-e', '-f', config], { logFile: join(dir.path, 'sshd.log') });
    await waitUntilReady(daemon, `sshd on 127.0.0.1:${port}`, () => tcpOpen(port));
    const sshCommand = [
      'ssh',
      `-i ${clientKeyFile}`,
      '-o IdentitiesOnly=yes',
      '-o StrictHostKeyChecking=yes',
      `-o UserKnownHostsFile=${knownHostsFile}`,
      '-o LogLevel=ERROR',
      '-o BatchMode=yes',
    ].join(' ');
    const reposDir = join(dir.path, 'repos');
    await mkdir(reposDir);
    return {
      port,
      clientKeyFile,
      knownHostsFile,
      sshCommand,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? dir.path,
        GIT_SSH_COMMAND: sshCommand,
      },
      async authorizeKey(publicKey) {
        const line = publicKey.trim();
        if (!/^(ssh-|ecdsa-)\S+ \S+/.test(line) || line.includes('\n'))
          throw new Error('authorizeKey: expected one OpenSSH public key line');
        await appendFile(authorizedKeys, `${line}\n`);
      },
      async createRepo(name) {
        const path = join(reposDir, `${name}.git`);
        await run('git', ['init', '-q', '--bare', '-b', 'main', path]);
        return { path, fileUrl: `file://${path}`, sshUrl: `ssh://${user}@127.0.0.1:${port}${path}` };
      },
      async stop() {
        await daemon.stop();
        await dir.remove();
      },
    };
  } catch (err) {
    await dir.remove();
    throw err;
  }
}
