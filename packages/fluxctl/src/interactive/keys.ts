/** What a key press means to the release menu. */
export const MenuKey = {
  Up: 'up',
  Down: 'down',
  Toggle: 'toggle',
  Submit: 'submit',
  Abort: 'abort',
} as const;
export type MenuKey = (typeof MenuKey)[keyof typeof MenuKey];

const ESC = '\x1b';

/**
 * Decodes raw terminal input into menu keys: Up/`k` and Down/Tab/`j` move, Space toggles, Enter
 * (`\r`, or `\n` from a non-raw input) submits, `q`/Esc/Ctrl-C abort; anything else is ignored.
 *
 * Unlike Flux v1, which reads up to three bytes per key press, a chunk may hold several keys (a
 * paste, or a test feeding a sequence). Arrows are CSI (`ESC [ A`) or SS3 (`ESC O A`) sequences; a
 * sequence cut at the end of a chunk is completed by the next one. An ESC that ends a chunk is the
 * Esc key; ESC followed by another character (Alt+key) is ignored.
 */
export class KeyDecoder {
  #pending = '';

  push(chunk: string): MenuKey[] {
    const input = this.#pending + chunk;
    this.#pending = '';
    const keys: MenuKey[] = [];
    let i = 0;
    while (i < input.length) {
      const ch = input[i] as string;
      if (ch !== ESC) {
        const key = singleKey(ch);
        if (key) keys.push(key);
        i++;
        continue;
      }
      const next = input[i + 1];
      if (next === undefined) {
        keys.push(MenuKey.Abort);
        i++;
      } else if (next === '[' || next === 'O') {
        const end = sequenceEnd(input, i + 2);
        if (end === input.length) {
          this.#pending = input.slice(i);
          break;
        }
        const final = input.charCodeAt(end);
        if (final < 0x40 || final > 0x7e) {
          i = end; // malformed: drop what we have, decode the interrupting byte normally
          continue;
        }
        const params = input.slice(i + 2, end);
        if (params === '' && final === 0x41) keys.push(MenuKey.Up);
        if (params === '' && final === 0x42) keys.push(MenuKey.Down);
        i = end + 1;
      } else {
        i += 2;
      }
    }
    return keys;
  }
}

function singleKey(ch: string): MenuKey | undefined {
  switch (ch) {
    case ' ':
      return MenuKey.Toggle;
    case '\r':
    case '\n':
      return MenuKey.Submit;
    case '\t':
    case 'j':
      return MenuKey.Down;
    case 'k':
      return MenuKey.Up;
    case 'q':
    case '\x03':
      return MenuKey.Abort;
    default:
      return undefined;
  }
}

// Index of the first byte from `from` that is not a parameter/intermediate byte (0x20–0x3F) of an
// escape sequence: its final byte if in 0x40–0x7E; `input.length` if the input ends first.
function sequenceEnd(input: string, from: number): number {
  let j = from;
  while (j < input.length) {
    const code = input.charCodeAt(j);
    if (code < 0x20 || code > 0x3f) break;
    j++;
  }
  return j;
}
