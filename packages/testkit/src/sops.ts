import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir } from './temp-dir.ts';
import { requireBinary } from './which.ts';

const run = promisify(execFile);

/** A directory with an age key and a `.sops.yaml` that encrypts every file to it. */
export interface TestSops {
  dir: string;
  /** The `sops` binary. */
  sops: string;
  /** age identity file (`SOPS_AGE_KEY_FILE`). */
  keyFile: string;
  /** The age public key (`age1…`). */
  recipient: string;
  /** Path of the `.sops.yaml` in `dir`. */
  configFile: string;
  /** `{ SOPS_AGE_KEY_FILE }`, to merge into a child process's environment. */
  env: { SOPS_AGE_KEY_FILE: string };
  /** Encrypts `file` (inside `dir`) in place with the real sops binary. */
  encryptInPlace(file: string): Promise<void>;
  /** Decrypts `file` with the real sops binary and returns the plaintext. */
  decrypt(file: string): Promise<string>;
  remove(): Promise<void>;
}

const SOPS_INSTALL =
  'GOTOOLCHAIN=local go install github.com/getsops/sops/v3/cmd/sops@v3.13.3 (or run ./scripts/test, which does it)';

/** Prepares sops with a fresh age key. Needs `sops` (from Go) and `age-keygen` (Debian's `age`). */
export async function withSops(): Promise<TestSops> {
  const goBin = join(process.env.GOPATH ?? join(homedir(), 'go'), 'bin');
  const sops = await requireBinary('sops', SOPS_INSTALL, [goBin]);
  const ageKeygen = await requireBinary('age-keygen', 'apt-get install age (or run ./scripts/test)');
  const dir = await makeTempDir('flux-ts-sops');
  try {
    const keyFile = join(dir.path, 'age-key.txt');
    await run(ageKeygen, ['-o', keyFile]);
    const recipient = (await readFile(keyFile, 'utf8')).match(/public key: (age1[0-9a-z]+)/)?.[1];
    if (!recipient) throw new Error(`age-keygen wrote no public key to ${keyFile}`);
    const configFile = join(dir.path, '.sops.yaml');
    await writeFile(
      configFile,
      `creation_rules:\n  - encrypted_regex: '^(data|stringData)$'\n    age: ${recipient}\n`,
    );
    const env = { SOPS_AGE_KEY_FILE: keyFile };
    const childEnv = { ...process.env, ...env };
    return {
      dir: dir.path,
      sops,
      keyFile,
      recipient,
      configFile,
      env,
      async encryptInPlace(file) {
        await run(sops, ['--encrypt', '--in-place', file], { cwd: dir.path, env: childEnv });
      },
      async decrypt(file) {
        return (await run(sops, ['--decrypt', file], { cwd: dir.path, env: childEnv })).stdout;
      },
      remove: () => dir.remove(),
    };
  } catch (err) {
    await dir.remove();
    throw err;
  }
}
