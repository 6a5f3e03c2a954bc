import { execFile } from 'node:child_process';
import { chmod, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A directory whose writes can be made to fail as on a full disk. As root: a small tmpfs mounted on
 * it, filled up by a filler file (writes fail with ENOSPC; root ignores permissions, so nothing
 * else works for it). Otherwise: every directory under it made read-only (EACCES).
 */
export interface FullableDir {
  path: string;
  /** `tmpfs` (real ENOSPC) or `permissions`. */
  how: 'tmpfs' | 'permissions';
  fill(): Promise<void>;
  free(): Promise<void>;
  close(): Promise<void>;
}

async function dirsUnder(dir: string): Promise<string[]> {
  const out = [dir];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (e.isDirectory()) out.push(...(await dirsUnder(join(dir, e.name))));
  }
  return out;
}

export async function fullableDir(parent: string, sizeKb = 1024): Promise<FullableDir> {
  const mountPoint = join(parent, 'smalldisk');
  await mkdir(mountPoint, { recursive: true });
  const filler = join(mountPoint, 'filler');
  const path = join(mountPoint, 'cache');
  let mounted = false;
  if (process.getuid?.() === 0) {
    mounted = await run('mount', [
      '-t',
      'tmpfs',
      '-o',
      `size=${sizeKb}k,mode=0700`,
      'tmpfs',
      mountPoint,
    ]).then(
      () => true,
      () => false,
    );
  }
  if (mounted) {
    return {
      path,
      how: 'tmpfs',
      async fill() {
        // Write until the filesystem says ENOSPC.
        const chunk = Buffer.alloc(64 * 1024);
        for (let i = 0; ; i++) {
          try {
            await writeFile(`${filler}.${i}`, chunk);
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOSPC') return;
            throw err;
          }
        }
      },
      async free() {
        for (const f of await readdir(mountPoint)) if (f.startsWith('filler')) await rm(join(mountPoint, f));
      },
      async close() {
        await run('umount', ['-l', mountPoint]).catch(() => undefined);
      },
    };
  }
  return {
    path,
    how: 'permissions',
    async fill() {
      for (const d of await dirsUnder(path)) await chmod(d, 0o500);
    },
    async free() {
      for (const d of await dirsUnder(path)) await chmod(d, 0o700);
    },
    async close() {
      for (const d of await dirsUnder(path)) await chmod(d, 0o700).catch(() => undefined);
    },
  };
}
