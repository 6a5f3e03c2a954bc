#!/usr/bin/env node
// Writes fluxd's flag reference into docs/flags.md, between `<!-- flags:start -->` and
// `<!-- flags:end -->`, from the same definitions `fluxd --help` prints (the built
// @flux-ts/daemon: run `pnpm -s build` first; `pnpm docs:flags` does).
//
//   node scripts/docs-flags.mjs           rewrite the marked section
//   node scripts/docs-flags.mjs --check   exit 1 when the section differs, change nothing
//
// packages/daemon/src/flags/flag-reference-doc.test.ts checks the same thing in the test suite.
import { readFile, writeFile } from 'node:fs/promises';

const START = '<!-- flags:start -->';
const END = '<!-- flags:end -->';
const root = new URL('../', import.meta.url);
const docUrl = new URL('docs/flags.md', root);
const distUrl = new URL('packages/daemon/dist/flags/index.js', root);

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--check');
if (unknown.length > 0) {
  console.error(`docs-flags: unknown argument ${unknown[0]} (usage: docs-flags.mjs [--check])`);
  process.exit(2);
}
const check = args.includes('--check');

let flagReferenceMarkdown;
try {
  ({ flagReferenceMarkdown } = await import(distUrl.href));
} catch (err) {
  console.error(`docs-flags: cannot load ${distUrl.pathname}: ${err.message}\nBuild first: pnpm -s build`);
  process.exit(2);
}

const doc = await readFile(docUrl, 'utf8');
const start = doc.indexOf(START);
const end = doc.indexOf(END);
if (start < 0 || end < start) {
  console.error(`docs-flags: docs/flags.md has no ${START} … ${END} section`);
  process.exit(2);
}

const section = `${START}\n\n${flagReferenceMarkdown().trimEnd()}\n\n${END}`;
const next = doc.slice(0, start) + section + doc.slice(end + END.length);

if (next === doc) {
  console.log('docs/flags.md: the flag reference is up to date');
} else if (check) {
  console.error('docs/flags.md: the flag reference differs from `fluxd --help`; run `pnpm docs:flags`');
  process.exit(1);
} else {
  await writeFile(docUrl, next);
  console.log('docs/flags.md: flag reference rewritten');
}
