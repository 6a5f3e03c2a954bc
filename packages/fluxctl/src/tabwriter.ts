/**
 * Formats lines the way Go's `text/tabwriter` does with minwidth 0, tabwidth 2, padding 2, pad
 * character space and no flags — the layout of every Flux v1 `fluxctl` table.
 *
 * Cells are separated by `\t`. A cell terminated by a tab is padded to its column's width; the text
 * after a line's last tab is never padded. A column's width is computed over the block of
 * consecutive lines that have a terminated cell in that column.
 */
export function formatTable(lines: readonly string[]): string {
  const cells = lines.map((l) => l.split('\t'));
  const widths: number[][] = cells.map((row) => new Array<number>(Math.max(row.length - 1, 0)).fill(0));
  formatColumn(cells, widths, 0, 0, cells.length);
  return cells
    .map((row, r) =>
      row
        .map((cell, c) => (c < row.length - 1 ? cell.padEnd((widths[r] as number[])[c] as number) : cell))
        .join(''),
    )
    .join('\n')
    .concat(lines.length > 0 ? '\n' : '');
}

const runeLength = (s: string): number => [...s].length;

// Go's tabwriter algorithm: a column is a run of lines with a terminated cell at index `col`.
function formatColumn(cells: string[][], widths: number[][], col: number, from: number, to: number): void {
  let line = from;
  while (line < to) {
    if ((cells[line] as string[]).length - 1 <= col) {
      line++;
      continue;
    }
    const start = line;
    let width = 0;
    while (line < to && (cells[line] as string[]).length - 1 > col) {
      width = Math.max(width, runeLength((cells[line] as string[])[col] as string));
      line++;
    }
    const padded = width + 2;
    for (let r = start; r < line; r++) (widths[r] as number[])[col] = padded;
    formatColumn(cells, widths, col + 1, start, line);
  }
}
