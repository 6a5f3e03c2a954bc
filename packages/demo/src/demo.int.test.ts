import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { normaliseTranscript } from './normalise.ts';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const demoBin = join(repoRoot, 'packages/demo/dist/bin/demo.js');
const transcriptFile = join(repoRoot, 'packages/demo/transcript.txt');
const readme = join(repoRoot, 'README.md');
const START = '<!-- demo-transcript:start -->\n';
const END = '<!-- demo-transcript:end -->';

/** The README's copy of the transcript: a text block between the markers. */
function readmeBlock(transcript: string): string {
  return `${START}\n\`\`\`text\n${transcript}\`\`\`\n\n${END}`;
}

async function updateReadme(transcript: string): Promise<void> {
  const text = await readFile(readme, 'utf8');
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  if (from < 0 || to < 0) throw new Error('README.md lost its demo-transcript markers');
  await writeFile(readme, `${text.slice(0, from)}${readmeBlock(transcript)}${text.slice(to + END.length)}`);
}

interface DemoState {
  tempDirs: string[];
  fluxdPid: number;
}

/** Processes whose command line names one of `dirs` (the demo's daemons all do). */
function processesUsing(dirs: readonly string[]): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
      if (state !== 'Z' && dirs.some((d) => cmdline.includes(d))) found.push(`${pid}: ${cmdline}`);
    } catch {
      // gone while we looked
    }
  }
  return found;
}

function expectCleanedUp(state: DemoState): void {
  expect(state.tempDirs.length).toBeGreaterThanOrEqual(3);
  expect(state.tempDirs.filter((d) => existsSync(d))).toEqual([]);
  expect(processesUsing(state.tempDirs)).toEqual([]);
}

const STEP_LINES = [
  '==> 1. Start the components',
  '✓ kube-apiserver, registry, git server and fluxd are up',
  '==> 2. First sync: git → cluster',
  '✓ first sync applied all 4 workloads',
  '==> 3. What fluxd sees: fluxctl list-workloads',
  '✓ list-workloads shows all 4 workloads',
  '==> 4. What the registry holds: fluxctl list-images',
  '✓ list-images shows the 8 tags',
  '==> 5. Push a new tag to the registry',
  '✓ pushed 127.0.0.1:',
  '==> 6. fluxd commits the new tag to git',
  '✓ the automated commit changes exactly the image line',
  '==> 7. The cluster follows git',
  '✓ cluster updated to the new tag',
  '==> 8. A manual release: fluxctl release',
  '✓ release committed and applied',
  '==> 9. Why did frozen not move? fluxctl why',
  '✓ why names the lock',
  'All 9 steps held',
  'fluxctl --url http://127.0.0.1:',
  '✓ stopped fluxd, git server, kube-apiserver, registry; removed every temp dir',
];

describe('the demo, as a process (kube-apiserver, registry, git over ssh, fluxd, fluxctl)', () => {
  beforeAll(async () => {
    await run('npx', ['tsc', '-b', 'packages/demo', 'packages/daemon', 'packages/fluxctl'], {
      cwd: repoRoot,
      maxBuffer: 16 << 20,
    });
  }, 240_000);

  it('--ci runs every step, exits 0, cleans up, and prints the checked-in transcript', async () => {
    const stateFile = join(tmpdir(), `demo-state-${process.pid}-ci.json`);
    let stdout = '';
    let code = 0;
    try {
      ({ stdout } = await run(process.execPath, [demoBin, '--ci'], {
        env: { ...process.env, FLUX_TS_DEMO_STATE: stateFile },
        timeout: 180_000,
        maxBuffer: 16 << 20,
      }));
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      code = e.code;
      stdout = `${e.stdout}\n${e.stderr}`;
    }
    expect(stdout).not.toContain('✗');
    expect(code).toBe(0);
    let at = 0;
    for (const line of STEP_LINES) {
      const found = stdout.indexOf(line, at);
      expect(found, `"${line}" (in order) in:\n${stdout}`).toBeGreaterThanOrEqual(0);
      at = found;
    }
    expectCleanedUp(JSON.parse(await readFile(stateFile, 'utf8')) as DemoState);
    await rm(stateFile, { force: true });

    const transcript = normaliseTranscript(stdout);
    if (process.env.UPDATE_TRANSCRIPT === '1') {
      await writeFile(transcriptFile, transcript);
      await updateReadme(transcript);
    }
    expect(transcript, 'the demo printed something else: UPDATE_TRANSCRIPT=1 refreshes the files').toBe(
      await readFile(transcriptFile, 'utf8'),
    );
    // The README shows what the demo prints, and stays equal to it.
    expect(await readFile(readme, 'utf8')).toContain(readmeBlock(transcript));
  }, 200_000);

  it('interactive: keeps everything running with the fluxctl line, and Ctrl-C (SIGINT) cleans up', async () => {
    const stateFile = join(tmpdir(), `demo-state-${process.pid}-interactive.json`);
    const child = spawn(process.execPath, [demoBin], {
      env: { ...process.env, FLUX_TS_DEMO_STATE: stateFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const waiting = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('Press Ctrl-C')) resolve();
      });
      child.once('exit', (c) => reject(new Error(`the demo exited (${c}) before waiting:\n${out}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await waiting;
      // The printed fluxctl line works against the still running fluxd.
      const line = /fluxctl (--url \S+ list-workloads -n demo)\n/.exec(out)?.[1] ?? '';
      expect(line).not.toBe('');
      const listed = await run(process.execPath, [
        join(repoRoot, 'packages/fluxctl/dist/bin/fluxctl.js'),
        ...line.split(' '),
      ]);
      expect(listed.stdout).toContain('demo:deployment/podinfo');
    } finally {
      // Ctrl-C, also when a check above failed: the demo must never outlive the test.
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(out).toContain('==> Cleaning up');
    expectCleanedUp(JSON.parse(await readFile(stateFile, 'utf8')) as DemoState);
    await rm(stateFile, { force: true });
  }, 200_000);
});
