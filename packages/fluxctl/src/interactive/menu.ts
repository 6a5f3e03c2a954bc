import type { ContainerUpdateSpecJson, WorkloadResultJson } from '@flux-ts/core';
import { KeyDecoder, MenuKey } from './keys.ts';
import {
  cursorDown,
  cursorUp,
  type MenuState,
  menuRows,
  menuState,
  render,
  selectableCount,
  selectedContainerSpecs,
  toggle,
} from './menu-model.ts';

export const TERMINAL = {
  hideCursor: '\x1b[?25l',
  showCursor: '\x1b[?25h',
  cursorUp: (n: number): string => `\x1b[${n}A`,
} as const;

/** The keyboard: `process.stdin` or a `tty.ReadStream` on `/dev/tty`, or any stream in tests. */
export type MenuInput = NodeJS.ReadableStream & {
  setRawMode?(mode: boolean): unknown;
  isTTY?: boolean;
  isRaw?: boolean;
};

/** The screen; `columns` (as on a `tty.WriteStream`) is used to count wrapped lines. */
export type MenuOutput = NodeJS.WritableStream & { columns?: number };

export interface RunMenuOptions {
  input: MenuInput;
  output: MenuOutput;
  /** 0 hides skipped and ignored workloads, 1 hides ignored ones, 2 shows all. */
  verbosity: number;
  /** Terminal width for counting wrapped lines; default `output.columns`, else no wrapping. */
  columns?: number;
  /** Aborting closes the menu as if the user pressed `q`. */
  signal?: AbortSignal;
}

export type MenuOutcome =
  | { kind: 'release'; specs: Record<string, ContainerUpdateSpecJson[]> }
  | { kind: 'aborted' }
  | { kind: 'empty' };

/**
 * Shows the interactive release menu for a dry-run result and resolves with the user's choice:
 * `release` with the checked updates (the `ContainerSpecs` of a `containers` release), `aborted`
 * (q, Esc, Ctrl-C, end of input or `signal`), or `empty` when there was nothing to choose or nothing
 * was checked at Enter (the caller prints `No changes found.`; Flux v1 would send an empty release).
 *
 * Output bytes follow Flux v1: each frame is the tab-aligned table; a redraw first moves the cursor
 * up over the previous frame (`ESC[<n>A`, n counting wrapped lines); Enter writes a final newline.
 * Unlike Flux v1, which hides the cursor after the first frame, the cursor is hidden before it; it
 * is shown again on every exit. A TTY input is put in raw mode and restored on every exit; the
 * input is paused afterwards so it does not keep the process alive. Rejects only when the input or
 * output fails.
 */
export function runMenu(
  result: Readonly<Record<string, WorkloadResultJson>>,
  options: RunMenuOptions,
): Promise<MenuOutcome> {
  const { input, output, signal } = options;
  let state: MenuState = menuState(menuRows(result, options.verbosity));
  if (selectableCount(state.rows) === 0 || signal?.aborted) {
    return Promise.resolve(signal?.aborted ? { kind: 'aborted' } : { kind: 'empty' });
  }
  const columns = options.columns ?? output.columns;
  const raw = input.isTTY === true && typeof input.setRawMode === 'function';
  const wasRaw = input.isRaw === true;

  return new Promise<MenuOutcome>((resolve, reject) => {
    const decoder = new KeyDecoder();
    let drawn = 0;
    let done = false;

    const draw = (prefix: string): void => {
      const lines = render(state);
      output.write(`${prefix}${lines.map((l) => `${l}\n`).join('')}`);
      drawn = screenRows(lines, columns);
    };

    const finish = (outcome: MenuOutcome | Error, trailer = ''): void => {
      if (done) return;
      done = true;
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      input.removeListener('error', onError);
      output.removeListener('error', onError);
      signal?.removeEventListener('abort', onAbort);
      try {
        if (raw) input.setRawMode?.(wasRaw);
        input.pause();
        output.write(`${trailer}${TERMINAL.showCursor}`);
      } catch (err) {
        if (!(outcome instanceof Error)) outcome = err instanceof Error ? err : new Error(String(err));
      }
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };

    const onKey = (key: MenuKey): void => {
      switch (key) {
        case MenuKey.Abort:
          finish({ kind: 'aborted' });
          return;
        case MenuKey.Submit: {
          const specs = selectedContainerSpecs(state.rows);
          finish(Object.keys(specs).length === 0 ? { kind: 'empty' } : { kind: 'release', specs }, '\n');
          return;
        }
        case MenuKey.Toggle:
          state = toggle(state);
          break;
        case MenuKey.Down:
          state = cursorDown(state);
          break;
        case MenuKey.Up:
          state = cursorUp(state);
          break;
      }
      draw(drawn > 0 ? TERMINAL.cursorUp(drawn) : '');
    };

    function onData(chunk: string | Buffer): void {
      try {
        for (const key of decoder.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'))) {
          if (done) return;
          onKey(key);
        }
      } catch (err) {
        finish(err instanceof Error ? err : new Error(String(err)));
      }
    }
    function onEnd(): void {
      finish({ kind: 'aborted' });
    }
    function onError(err: Error): void {
      finish(err);
    }
    function onAbort(): void {
      finish({ kind: 'aborted' });
    }

    try {
      if (raw) input.setRawMode?.(true);
      draw(TERMINAL.hideCursor);
    } catch (err) {
      done = true;
      try {
        if (raw) input.setRawMode?.(wasRaw);
      } catch {
        // keep the first error
      }
      reject(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    input.on('data', onData);
    input.on('end', onEnd);
    input.on('error', onError);
    output.on('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
    input.resume();
  });
}

/**
 * How many terminal rows the lines take: one per line, more when a line is wider than `columns`
 * (Flux v1 counted bytes of the unaligned line; we count the runes actually printed).
 */
export function screenRows(lines: readonly string[], columns: number | undefined): number {
  let rows = 0;
  for (const line of lines) {
    const width = [...line].length;
    rows += columns && columns > 0 && width > columns ? Math.ceil(width / columns) : 1;
  }
  return rows;
}
