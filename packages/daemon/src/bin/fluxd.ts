#!/usr/bin/env -S node --max-semi-space-size=2
import { runFluxd } from '../main/main.ts';

const stop = new AbortController();
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    if (stop.signal.aborted) process.exit(1);
    stop.abort();
  });
}
process.exitCode = await runFluxd(process.argv.slice(2), { signal: stop.signal });
process.exit();
