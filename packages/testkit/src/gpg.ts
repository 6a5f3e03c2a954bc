import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir } from './temp-dir.ts';
import { requireBinary } from './which.ts';

const run = promisify(execFile);

/** A temporary GNUPGHOME holding one generated key: ed25519 for signing, cv25519 for encryption. */
export interface TestGpgHome {
  /** The GNUPGHOME directory (a short path under /tmp: gpg-agent's socket needs one). */
  home: string;
  fingerprint: string;
  name: string;
  email: string;
  /** `{ GNUPGHOME }`, to merge into a child process's environment. */
  env: { GNUPGHOME: string };
  exportPublicKey(): Promise<string>;
  exportSecretKey(): Promise<string>;
  /** Stops this home's gpg-agent and deletes the directory. */
  remove(): Promise<void>;
}

/** Creates a GNUPGHOME with an unprotected key pair (no passphrase), ready for `git commit -S`. */
export async function createGpgHome(options: { name?: string; email?: string } = {}): Promise<TestGpgHome> {
  const gpg = await requireBinary('gpg', 'apt-get install gnupg (or run ./scripts/test)');
  const name = options.name ?? 'Flux Test';
  const email = options.email ?? 'flux-test@example.com';
  const dir = await makeTempDir('fts-gpg', { short: true });
  const env = { ...process.env, GNUPGHOME: dir.path };
  const gpgRun = (args: string[]): Promise<{ stdout: string }> => run(gpg, ['--batch', ...args], { env });
  try {
    const params = join(dir.path, 'key-params');
    await writeFile(
      params,
      [
        '%no-protection',
        'Key-Type: eddsa',
        'Key-Curve: ed25519',
        'Key-Usage: sign',
        'Subkey-Type: ecdh',
        'Subkey-Curve: cv25519',
        'Subkey-Usage: encrypt',
        `Name-Real: ${name}`,
        `Name-Email: ${email}`,
        'Expire-Date: 0',
        '%commit',
        '',
      ].join('\n'),
    );
    await gpgRun(['--gen-key', params]);
    const { stdout } = await gpgRun(['--with-colons', '--list-secret-keys', email]);
    const fingerprint = stdout
      .split('\n')
      .find((l) => l.startsWith('fpr:'))
      ?.split(':')[9];
    if (!fingerprint) throw new Error(`gpg generated no key for ${email}:\n${stdout}`);
    return {
      home: dir.path,
      fingerprint,
      name,
      email,
      env: { GNUPGHOME: dir.path },
      exportPublicKey: async () => (await gpgRun(['--armor', '--export', fingerprint])).stdout,
      exportSecretKey: async () => (await gpgRun(['--armor', '--export-secret-keys', fingerprint])).stdout,
      async remove() {
        await run('gpgconf', ['--homedir', dir.path, '--kill', 'all'], { env }).catch(() => undefined);
        await dir.remove();
      },
    };
  } catch (err) {
    await run('gpgconf', ['--homedir', dir.path, '--kill', 'all'], { env }).catch(() => undefined);
    await dir.remove();
    throw err;
  }
}
