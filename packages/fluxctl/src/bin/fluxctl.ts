#!/usr/bin/env node
import { runFluxctl } from '../cli/run.ts';

const stop = new AbortController();
process.on('SIGINT', () => stop.abort());
process.exitCode = await runFluxctl(
  process.argv.slice(2),
  {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    stdin: process.stdin,
    isTTY: process.stderr.isTTY === true,
  },
  { signal: stop.signal },
);
