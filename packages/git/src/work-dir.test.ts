import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimWorkDir } from './work-dir.ts';

describe('claimWorkDir', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flux-ts-workdir-'));
    for (const d of ['flux-gitcloneAbc123', 'flux-workingXyz789', 'keep-me']) await mkdir(join(dir, d));
    await writeFile(join(dir, 'flux-working-not-a-dir'), '');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('removes the clones of a run that was killed (its pid is gone) and records this process', async () => {
    const dead = spawnSync('true').pid as number;
    await writeFile(join(dir, 'fluxd.pid'), `${dead}\n`);
    expect(await claimWorkDir(dir)).toEqual({ swept: ['flux-gitcloneAbc123', 'flux-workingXyz789'] });
    expect((await readdir(dir)).sort()).toEqual(['flux-working-not-a-dir', 'fluxd.pid', 'keep-me']);
    expect((await readFile(join(dir, 'fluxd.pid'), 'utf8')).trim()).toBe(String(process.pid));
  });

  it('treats its own pid in the file as a previous run (a restarted container reuses pids)', async () => {
    await writeFile(join(dir, 'fluxd.pid'), `${process.pid}\n`);
    expect((await claimWorkDir(dir)).swept).toHaveLength(2);
  });

  it('leaves everything alone while another live process holds the directory', async () => {
    const other = spawn('sleep', ['30']);
    try {
      await writeFile(join(dir, 'fluxd.pid'), `${other.pid}\n`);
      expect(await claimWorkDir(dir)).toEqual({ swept: [], sharedWith: other.pid });
      expect(await readdir(dir)).toContain('flux-gitcloneAbc123');
    } finally {
      other.kill();
    }
  });
});

describe('claimWorkDir and a killed holder not yet reaped', () => {
  it('counts a zombie as gone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flux-ts-workdir-z-'));
    try {
      await mkdir(join(dir, 'flux-gitcloneZ'));
      // A child that exits at once and is never waited for by its parent (sh exec's into sleep) is a zombie.
      const parent = spawn('sh', ['-c', 'sh -c "exit 0" & echo $!; exec sleep 30']);
      const pid = await new Promise<number>((resolve) =>
        parent.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim()))),
      );
      await new Promise((r) => setTimeout(r, 300));
      try {
        await writeFile(join(dir, 'fluxd.pid'), `${pid}\n`);
        expect(await claimWorkDir(dir)).toEqual({ swept: ['flux-gitcloneZ'] });
      } finally {
        parent.kill();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
