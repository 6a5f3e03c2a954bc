import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { execClient, type FluxctlResult, type FluxctlRunOptions } from './fluxctl.ts';

const run = promisify(execFile);
const buildScript = fileURLToPath(new URL('../../tools/go-fluxctl/build', import.meta.url));

/**
 * Flux v1's own fluxctl (1.25.4), built from the Go module proxy by tools/go-fluxctl/build (cached
 * under ~/.cache/flux-ts/go-fluxctl; about a minute cold, scripts/setup builds it first).
 */
export async function goFluxctlBinary(): Promise<string> {
  const { stdout } = await run(buildScript, [], { timeout: 600_000, maxBuffer: 16 << 20 });
  const path = stdout.trim().split('\n').at(-1);
  if (!path) throw new Error('tools/go-fluxctl/build printed no binary path');
  return path;
}

/** Runs the Go fluxctl against a fluxd (`url`: its base URL). Never throws on a non-zero exit. */
export function runGoFluxctl(
  binary: string,
  url: string,
  args: readonly string[],
  options: FluxctlRunOptions = {},
): Promise<FluxctlResult> {
  return execClient(binary, [`--url=${url}/api/flux`, ...args], options);
}
