import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temporary directory and how to delete it. */
export interface TempDir {
  path: string;
  remove(): Promise<void>;
}

/**
 * Makes a temporary directory. `short` puts it straight under /tmp: gpg-agent and sshd sockets
 * break when the path is longer than about 100 characters.
 */
export async function makeTempDir(prefix: string, options: { short?: boolean } = {}): Promise<TempDir> {
  const base = options.short ? '/tmp' : tmpdir();
  const path = await mkdtemp(join(base, `${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
