import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readlink, rename, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ErrorKind, FluxError } from '@flux-ts/core';

const run = promisify(execFile);

/** One fingerprint of a key: the hash without its `MD5:`/`SHA256:` prefix, and ssh-keygen's randomart. */
export interface Fingerprint {
  hash: string;
  randomart: string;
}

/** Flux v1's `publicSSHKey` object (`GET /v6/identity.pub`). */
export interface PublicSshKey {
  /** `ssh-keygen -y` output, ending in a newline. */
  key: string;
  fingerprints: { md5: Fingerprint; sha256: Fingerprint } | null;
}

/** `ssh-keygen` failed (missing binary, bad key, unwritable directory). Names the path, never key material. */
export class SshKeyError extends FluxError {
  constructor(what: string, path: string, cause: unknown) {
    super(`${what} (${path}): ${(cause as { stderr?: string }).stderr?.trim() || (cause as Error).message}`, {
      code: 'git.ssh-key',
      kind: ErrorKind.Server,
      help: 'Check that ssh-keygen is installed and the key path (--k8s-secret-volume-mount-path, --ssh-keygen-dir) is readable and writable.',
      cause,
    });
  }
}

/** Options of {@link generateSshKey}: Flux v1's `--ssh-keygen-*` flags (only given flags are passed). */
export interface SshKeygenOptions {
  bits?: number;
  type?: string;
  format?: string;
}

/** `ssh-keygen -l -v -E <hash>` first line `<bits> <ALGO>:<hash> <comment> (<type>)`, then the randomart. */
export function parseFingerprint(output: string): Fingerprint {
  const [first = '', ...art] = output.replace(/\n$/, '').split('\n');
  const hash = /^\d+\s+[A-Z0-9]+:(\S+)/.exec(first)?.[1] ?? '';
  return { hash, randomart: art.join('\n') };
}

/** The public key and both fingerprints of a private key file. */
export async function describeSshKey(privateKeyPath: string): Promise<PublicSshKey> {
  try {
    const { stdout: key } = await run('ssh-keygen', ['-y', '-f', privateKeyPath]);
    const md5 = await run('ssh-keygen', ['-l', '-v', '-E', 'md5', '-f', privateKeyPath]);
    const sha256 = await run('ssh-keygen', ['-l', '-v', '-E', 'sha256', '-f', privateKeyPath]);
    return {
      key,
      fingerprints: { md5: parseFingerprint(md5.stdout), sha256: parseFingerprint(sha256.stdout) },
    };
  } catch (err) {
    throw new SshKeyError('cannot read the SSH key', privateKeyPath, err);
  }
}

/**
 * Generates a new key pair in a fresh directory under `keygenDir` and points `<keygenDir>/identity`
 * (a symlink) at it atomically, as Flux v1 does; returns the path of the new private key. The caller
 * stores it in the deploy-key Secret.
 */
export async function generateSshKey(keygenDir: string, options: SshKeygenOptions = {}): Promise<string> {
  await mkdir(keygenDir, { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(join(keygenDir, '..weave-keygen'));
  const key = join(dir, 'identity');
  const args = ['-q', '-N', '', '-f', key];
  if (options.bits !== undefined) args.push('-b', String(options.bits));
  if (options.type !== undefined) args.push('-t', options.type);
  if (options.format !== undefined) args.push('-m', options.format);
  try {
    await run('ssh-keygen', args);
  } catch (err) {
    throw new SshKeyError('cannot generate an SSH key', key, err);
  }
  const link = join(keygenDir, 'identity');
  const tmpLink = `${link}.${process.pid}.tmp`;
  await symlink(key, tmpLink);
  await rename(tmpLink, link);
  return link;
}

/**
 * The daemon's identity: the mounted key when it exists (made 0400 if needed), else a newly
 * generated one in `keygenDir`. Returns the private key path.
 */
export async function loadOrGenerateSshKey(
  mountedKeyPath: string,
  keygenDir: string,
  options: SshKeygenOptions = {},
): Promise<string> {
  const existing = await stat(mountedKeyPath).catch(() => undefined);
  if (existing?.isFile()) {
    if ((existing.mode & 0o077) !== 0) await chmod(mountedKeyPath, 0o400).catch(() => undefined);
    return mountedKeyPath;
  }
  const linked = await readlink(join(keygenDir, 'identity')).catch(() => undefined);
  if (linked && (await stat(linked).catch(() => undefined))) return join(keygenDir, 'identity');
  return generateSshKey(keygenDir, options);
}
