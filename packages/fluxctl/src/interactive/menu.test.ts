import { PassThrough } from 'node:stream';
import type { WorkloadResultJson } from '@flux-ts/core';
import { describe, expect, it } from 'vitest';
import { runMenu, screenRows, TERMINAL } from './menu.ts';
import { cursorDown, menuRows, menuState, render, toggle } from './menu-model.ts';

// The same dry-run result as in menu-model.test.ts (whose goldens pin its rendering).
const hello = {
  Container: 'helloworld',
  Current: 'quay.io/weaveworks/helloworld:master-a000001',
  Target: 'quay.io/weaveworks/helloworld:master-9a16ff945b9e',
};
const sidecar = {
  Container: 'sidecar',
  Current: 'weaveworks/sidecar:master-a000002',
  Target: 'weaveworks/sidecar:master-a000003',
};
const db = { Container: 'db', Current: 'postgres:11', Target: 'postgres:12' };

const RESULT: Record<string, WorkloadResultJson> = {
  'default:deployment/helloworld': { Status: 'success', PerContainer: [hello, sidecar] },
  'default:deployment/locked': { Status: 'skipped', Error: 'locked', PerContainer: null },
  'default:deployment/ignored': { Status: 'ignored', Error: 'not included', PerContainer: null },
  'default:deployment/broken': { Status: 'failed', Error: 'boom', PerContainer: [db] },
};

const HIDE = '\x1b[?25l';
const SHOW = '\x1b[?25h';

/** A PassThrough posing as a TTY that records its raw-mode switches. */
function fakeTty(opts: { tty?: boolean; isRaw?: boolean } = {}): PassThrough & {
  isTTY?: boolean;
  isRaw?: boolean;
  rawCalls: boolean[];
  setRawMode(mode: boolean): void;
} {
  const input = new PassThrough() as PassThrough & {
    isTTY?: boolean;
    isRaw?: boolean;
    rawCalls: boolean[];
    setRawMode(mode: boolean): void;
  };
  input.isTTY = opts.tty ?? true;
  input.isRaw = opts.isRaw ?? false;
  input.rawCalls = [];
  input.setRawMode = (mode: boolean): void => {
    input.rawCalls.push(mode);
    input.isRaw = mode;
  };
  return input;
}

function screen(): { output: PassThrough; text: () => string } {
  const output = new PassThrough();
  let text = '';
  output.setEncoding('utf8');
  output.on('data', (c: string) => {
    text += c;
  });
  return { output, text: () => text };
}

const frame = (lines: string[]): string => lines.map((l) => `${l}\n`).join('');
const initial = menuState(menuRows(RESULT, 0));

describe('runMenu', () => {
  it('Down, Space, Enter deselects the second update and releases the rest', async () => {
    const input = fakeTty();
    const { output, text } = screen();
    const done = runMenu(RESULT, { input, output, verbosity: 0 });
    input.write('\x1b[B');
    input.write(' ');
    input.write('\r');

    await expect(done).resolves.toEqual({
      kind: 'release',
      specs: {
        'default:deployment/broken': [{ Container: 'db', Current: 'postgres:11', Target: 'postgres:12' }],
        'default:deployment/helloworld': [
          {
            Container: 'sidecar',
            Current: 'weaveworks/sidecar:master-a000002',
            Target: 'weaveworks/sidecar:master-a000003',
          },
        ],
      },
    });
    const moved = cursorDown(initial);
    expect(text()).toBe(
      HIDE +
        frame(render(initial)) +
        '\x1b[7A' +
        frame(render(moved)) +
        '\x1b[7A' +
        frame(render(toggle(moved))) +
        '\n' +
        SHOW,
    );
    expect(text().startsWith(HIDE)).toBe(true);
    expect(text().endsWith(SHOW)).toBe(true);
    expect(input.rawCalls).toEqual([true, false]);
    expect(input.isPaused()).toBe(true);
  });

  it('writes the exact first frame', async () => {
    const input = fakeTty();
    const { output, text } = screen();
    const done = runMenu(RESULT, { input, output, verbosity: 0 });
    input.write('q');
    await done;
    expect(text()).toBe(
      `${HIDE}    WORKLOAD                       STATUS   UPDATES
    default:deployment/broken      failed   boom
⇒ ◉                                         db: postgres:11 -> 12
  ◉ default:deployment/helloworld  success  helloworld: quay.io/weaveworks/helloworld:master-a000001 -> master-9a16ff945b9e
  ◉                                         sidecar: weaveworks/sidecar:master-a000002 -> master-a000003

Use arrow keys and [Space] to toggle updates; hit [Enter] to release selected.
${SHOW}`,
    );
  });

  it.each([
    ['q', 'q'],
    ['Esc', '\x1b'],
    ['Ctrl-C', '\x03'],
  ])('aborts on %s without a trailing newline and restores raw mode', async (_name, key) => {
    const input = fakeTty();
    const { output, text } = screen();
    const done = runMenu(RESULT, { input, output, verbosity: 0 });
    input.write(key);
    await expect(done).resolves.toEqual({ kind: 'aborted' });
    expect(text()).toBe(HIDE + frame(render(initial)) + SHOW);
    expect(input.rawCalls).toEqual([true, false]);
  });

  it('ignores keys after Enter in the same chunk', async () => {
    const input = fakeTty();
    const { output } = screen();
    const done = runMenu(RESULT, { input, output, verbosity: 0 });
    input.write('\rq');
    await expect(done).resolves.toMatchObject({ kind: 'release' });
  });

  it('wraps the cursor with Up/k and moves with Tab/j', async () => {
    const input = fakeTty();
    const { output } = screen();
    const done = runMenu(RESULT, { input, output, verbosity: 0 });
    // k: 0→2 (wrap), uncheck sidecar; Tab: 2→0 (wrap); j: →1, uncheck hello; Up, Up: 1→0→2, re-check sidecar
    input.write('k \tj \x1b[A\x1b[A \r');
    await expect(done).resolves.toEqual({
      kind: 'release',
      specs: {
        'default:deployment/broken': [{ Container: 'db', Current: 'postgres:11', Target: 'postgres:12' }],
        'default:deployment/helloworld': [
          {
            Container: 'sidecar',
            Current: 'weaveworks/sidecar:master-a000002',
            Target: 'weaveworks/sidecar:master-a000003',
          },
        ],
      },
    });
  });

  it("resolves 'empty' when everything was unchecked at Enter", async () => {
    const input = fakeTty();
    const { output, text } = screen();
    const done = runMenu(RESULT, { input, output, verbosity: 0 });
    input.write(' j j \r');
    await expect(done).resolves.toEqual({ kind: 'empty' });
    expect(text().endsWith(`\n\n${SHOW}`)).toBe(true);
    expect(input.rawCalls).toEqual([true, false]);
  });

  it("resolves 'empty' at once, touching nothing, when there is no update to choose", async () => {
    const input = fakeTty();
    const { output, text } = screen();
    const result = { 'ns:deployment/a': { Status: 'failed', Error: 'boom', PerContainer: null } };
    await expect(runMenu(result, { input, output, verbosity: 0 })).resolves.toEqual({ kind: 'empty' });
    expect(text()).toBe('');
    expect(input.rawCalls).toEqual([]);
  });

  it('leaves raw mode alone on a non-TTY input and accepts \\n as Enter', async () => {
    const input = fakeTty({ tty: false });
    const { output } = screen();
    const done = runMenu(RESULT, { input, output, verbosity: 0 });
    input.write('\n');
    await expect(done).resolves.toMatchObject({ kind: 'release' });
    expect(input.rawCalls).toEqual([]);
  });

  it('restores a raw mode that was already on', async () => {
    const input = fakeTty({ isRaw: true });
    const { output } = screen();
    const done = runMenu(RESULT, { input, output, verbosity: 0 });
    input.write('q');
    await done;
    expect(input.rawCalls).toEqual([true, true]);
  });

  it('aborts at the end of input', async () => {
    const input = fakeTty();
    const { output, text } = screen();
    const done = runMenu(RESULT, { input, output, verbosity: 0 });
    input.end(' ');
    await expect(done).resolves.toEqual({ kind: 'aborted' });
    expect(text().endsWith(SHOW)).toBe(true);
    expect(input.rawCalls).toEqual([true, false]);
  });

  it('aborts on the signal', async () => {
    const input = fakeTty();
    const { output, text } = screen();
    const ac = new AbortController();
    const done = runMenu(RESULT, { input, output, verbosity: 0, signal: ac.signal });
    ac.abort();
    await expect(done).resolves.toEqual({ kind: 'aborted' });
    expect(text().endsWith(SHOW)).toBe(true);
    expect(input.rawCalls).toEqual([true, false]);
    expect(input.listenerCount('data')).toBe(0);
  });

  it('rejects on an input error, after restoring the terminal', async () => {
    const input = fakeTty();
    const { output, text } = screen();
    const done = runMenu(RESULT, { input, output, verbosity: 0 });
    input.destroy(new Error('tty gone'));
    await expect(done).rejects.toThrow('tty gone');
    expect(text().endsWith(SHOW)).toBe(true);
    expect(input.rawCalls).toEqual([true, false]);
  });

  it('moves up over wrapped lines when the terminal is narrow', async () => {
    const input = fakeTty();
    const { output, text } = screen();
    const done = runMenu(RESULT, { input, output, verbosity: 0, columns: 40 });
    input.write('j\r');
    await done;
    const rows = screenRows(render(initial), 40);
    // widths 51, 48, 65, 123, 104, 0, 78 → 2 + 2 + 2 + 4 + 3 + 1 + 2 rows
    expect(render(initial).map((l) => [...l].length)).toEqual([51, 48, 65, 123, 104, 0, 78]);
    expect(rows).toBe(16);
    expect(text()).toContain(`${frame(render(initial))}${TERMINAL.cursorUp(16)}`);
  });
});

describe('screenRows', () => {
  it('counts one row per line without a width, and wrapped rows with one', () => {
    expect(screenRows(['', 'abc', 'x'.repeat(200)], undefined)).toBe(3);
    expect(screenRows(['', 'abc', 'x'.repeat(10), 'x'.repeat(11)], 10)).toBe(5);
    expect(screenRows(['⇒ ◉ ab'], 6)).toBe(1);
  });
});
