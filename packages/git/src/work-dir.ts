import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The directory names a mirror creates for its clone and working trees (mkdtemp prefixes). */
export const WORK_DIR_PREFIXES: readonly string[] = ['flux-gitclone', 'flux-working'];

const LOCK = 'fluxd.pid';

async function alive(pid: number): Promise<boolean> {
  if (pid === process.pid) return false; // a previous run in a new PID namespace (a restarted container)
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed process that its parent has not reaped yet still answers: a zombie ('Z') is not alive.
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

/** What {@link claimWorkDir} found and did. */
export interface WorkDirClaim {
  /** Clones left behind by a run that did not close (killed, out of memory), now removed. */
  swept: string[];
  /** Another live process holds the directory: nothing was removed. */
  sharedWith?: number;
}

/**
 * Takes a mirror's work directory (`FLUXD_GIT_WORKDIR`) for this process: records its pid and
 * removes the clones a previous run left when it was killed (SIGKILL, OOM), which a graceful close
 * would have removed. A directory another live process holds is left alone.
 */
export async function claimWorkDir(dir: string): Promise<WorkDirClaim> {
  const lock = join(dir, LOCK);
  const holder = Number.parseInt(await readFile(lock, 'utf8').catch(() => ''), 10);
  if (Number.isInteger(holder) && holder > 0 && (await alive(holder)))
    return { swept: [], sharedWith: holder };
  await writeFile(lock, `${process.pid}\n`, { mode: 0o600 });
  const swept: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || !WORK_DIR_PREFIXES.some((p) => entry.name.startsWith(p))) continue;
    await rm(join(dir, entry.name), { recursive: true, force: true });
    swept.push(entry.name);
  }
  return { swept };
}
