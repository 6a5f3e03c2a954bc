/** Where the narration goes (stdout in the bin, a buffer in tests). */
export type Write = (text: string) => void;

/** Seconds with one decimal, as the narration prints durations: `in 2.3s`. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** Indents every line of `text` by `pad` (empty lines stay empty), ending with one newline. */
export function indent(text: string, pad = '    '): string {
  const lines = text.replace(/\n+$/, '').split('\n');
  return `${lines.map((l) => (l.length > 0 ? `${pad}${l}` : '')).join('\n')}\n`;
}

/**
 * Formats the demo's story: numbered step headings, what a step does, the commands with their real
 * output, and a ✓ or ✗ line per step.
 */
export class Narrator {
  readonly #write: Write;
  #step = 0;
  #stepStarted = 0;
  #color: boolean;

  constructor(write: Write, options: { color?: boolean } = {}) {
    this.#write = write;
    this.#color = options.color ?? false;
  }

  #paint(code: string, text: string): string {
    return this.#color ? `\u001b[${code}m${text}\u001b[0m` : text;
  }

  /** The current step's number (0 before the first). */
  get step(): number {
    return this.#step;
  }

  /** A new numbered step: `==> 3. List the images`. */
  heading(title: string): void {
    this.#step++;
    this.#stepStarted = Date.now();
    this.#write(`\n${this.#paint('1', `==> ${this.#step}. ${title}`)}\n`);
  }

  /** A line of explanation. */
  say(text: string): void {
    this.#write(indent(text, '    '));
  }

  /** A command as the user would type it, and its output. */
  command(line: string, output: string): void {
    this.#write(`    ${this.#paint('36', `$ ${line}`)}\n`);
    if (output.trim().length > 0) this.#write(indent(output, '    '));
  }

  /** A block of output that did not come from a command (e.g. a diff). */
  block(text: string): void {
    this.#write(indent(text, '      '));
  }

  /** The step's check held. */
  ok(text: string): void {
    this.#write(`    ${this.#paint('32', `✓ ${text}`)} (in ${seconds(Date.now() - this.#stepStarted)})\n`);
  }

  /** The step's check failed. */
  fail(step: string, text: string): void {
    this.#write(`    ${this.#paint('31', `✗ step ${this.#step} (${step}) failed: ${text}`)}\n`);
  }

  /** Free text, not indented. */
  raw(text: string): void {
    this.#write(text);
  }
}
