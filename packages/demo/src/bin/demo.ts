#!/usr/bin/env node
import { mkdtempSync, rmSync } from 'node:fs';
import { Cleanup } from '../cleanup.ts';
import { Narrator } from '../narrate.ts';
import { pushTagTo } from '../push-tag.ts';
import { runDemo } from '../run-demo.ts';

const USAGE = `usage: demo [--ci]            run the demo (--ci: assert every step, clean up, exit 0 or 1)
       demo push-tag <host:port/repo:tag>   push a sample image tag to the demo's registry
`;

const write = (text: string): void => {
  process.stdout.write(text);
};
// A closed stdout (the terminal or the reading process went away) must not stop the cleanup.
process.stdout.on('error', () => {});
const args = process.argv.slice(2);

if (args[0] === 'push-tag') {
  const ref = args[1];
  if (!ref || args.length > 2) {
    process.stderr.write(USAGE);
    process.exit(2);
  }
  try {
    const digest = await pushTagTo(ref);
    write(`pushed ${ref} (${digest})\n`);
  } catch (err) {
    process.stderr.write(`push-tag: ${(err as Error).message}\n`);
    process.exit(1);
  }
  process.exit(0);
}

const unknown = args.filter((a) => a !== '--ci');
if (unknown.length > 0) {
  process.stderr.write(`unknown argument: ${unknown.join(' ')}\n${USAGE}`);
  process.exit(2);
}
const ci = args.includes('--ci');

// Every temporary directory the components make goes under one root, removed at the end
// (the git server and fluxd's sockets need short paths and use /tmp directly; they are cleaned too).
const root = mkdtempSync('/tmp/flux-ts-demo-root-');
process.env.TMPDIR = root;
const cleanup = new Cleanup();
await cleanup.add('temp root', async () => rmSync(root, { recursive: true, force: true }));
const narrate = new Narrator(write, { color: !ci && process.stdout.isTTY === true });

let finished = false;
let exiting = false;
async function shutdown(code: number): Promise<never> {
  if (!exiting) {
    exiting = true;
    write('\n==> Cleaning up\n');
    const { stopped, failed } = await cleanup.run();
    const names = stopped.filter((n) => !n.startsWith('temp')).sort();
    write(`    ✓ stopped ${names.join(', ') || 'nothing'}; removed every temp dir\n`);
    for (const f of failed) write(`    ✗ could not stop ${f.name}: ${f.error}\n`);
    process.exit(failed.length > 0 && code === 0 ? 1 : code);
  }
  // A second Ctrl-C while cleaning up: keep cleaning (the first one's exit follows).
  return new Promise<never>(() => {});
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    void shutdown(finished ? 0 : 130);
  });
}

const stateFile = process.env.FLUX_TS_DEMO_STATE;
const outcome = await runDemo({
  narrate,
  cleanup,
  extraTempDirs: [root],
  ...(stateFile ? { stateFile } : {}),
});
finished = true;
if (ci || outcome.code !== 0) {
  if (ci && outcome.code === 0) write('\n--ci: every step held; not waiting for Ctrl-C.\n');
  await shutdown(outcome.code);
}
// Interactive: everything keeps running until Ctrl-C (the daemons do not hold the event loop).
setInterval(() => {}, 1 << 30);
