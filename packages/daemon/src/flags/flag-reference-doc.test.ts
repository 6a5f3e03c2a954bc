import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { flagReferenceMarkdown, fluxdHelp } from './help.ts';

const START = '<!-- flags:start -->';
const END = '<!-- flags:end -->';
const docPath = new URL('../../../../docs/flags.md', import.meta.url);

/** The text between the markers, without the blank lines around it. */
function markedSection(doc: string): string {
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  expect(start, `docs/flags.md must contain ${START}`).toBeGreaterThanOrEqual(0);
  expect(end, `docs/flags.md must contain ${END} after ${START}`).toBeGreaterThan(start);
  return doc.slice(start + START.length, end).trim();
}

describe('docs/flags.md', () => {
  const doc = readFileSync(docPath, 'utf8');

  it('holds the flag reference generated from the flag definitions', () => {
    expect(
      markedSection(doc),
      'docs/flags.md is out of date with the flag definitions: run `pnpm docs:flags`',
    ).toBe(flagReferenceMarkdown().trim());
  });

  it('documents every flag that `fluxd --help` shows', () => {
    const section = markedSection(doc);
    const helpFlags = [...fluxdHelp().matchAll(/--([a-z0-9-]+)/g)].map((m) => m[1]);
    expect(helpFlags.length).toBeGreaterThan(50);
    const missing = helpFlags.filter((name) => !section.includes(`\`--${name}\``));
    expect(missing, 'flags in `fluxd --help` but not in docs/flags.md: run `pnpm docs:flags`').toEqual([]);
  });
});
