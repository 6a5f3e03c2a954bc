import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built fluxctl (`pnpm -s build` first; the system tests run the binaries as installed). */
export const fluxctlBin: string = fileURLToPath(
  new URL('../../packages/fluxctl/dist/bin/fluxctl.js', import.meta.url),
);

/** What one fluxctl run printed and how it exited. */
export interface FluxctlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of a fluxctl run. */
export interface FluxctlRunOptions {
  /** Extra environment (e.g. FLUX_FORWARD_NAMESPACE); PATH and HOME are kept. */
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** Runs a fluxctl `binary` (ours through node, or another) with `argv`. Never throws on a non-zero exit. */
export function execClient(
  binary: string,
  argv: readonly string[],
  options: FluxctlRunOptions,
): Promise<FluxctlResult> {
  return new Promise((resolve) => {
    execFile(
      binary,
      argv,
      {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...options.env },
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 16 << 20,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/**
 * Runs the built fluxctl as a process against a fluxd API (`url` is fluxd's base URL, e.g.
 * `http://127.0.0.1:3030`; `--url=<url>/api/flux` is added). Never throws on a non-zero exit.
 */
export function runFluxctl(
  url: string,
  args: readonly string[],
  options: FluxctlRunOptions = {},
): Promise<FluxctlResult> {
  return execClient(process.execPath, [fluxctlBin, `--url=${url}/api/flux`, ...args], options);
}

/**
 * A fluxctl without `--url`, as a user of an installed fluxd runs it: it finds the fluxd pod through
 * the kubeconfig in `options.env` (KUBECONFIG, FLUX_FORWARD_NAMESPACE) and port-forwards to it.
 */
export function fluxctlInCluster(options: FluxctlRunOptions): (...args: string[]) => Promise<FluxctlResult> {
  return (...args) => execClient(process.execPath, [fluxctlBin, ...args], options);
}

/** A fluxctl bound to one fluxd: `const fluxctl = fluxctlFor(fluxd.url); await fluxctl('list-workloads')`. */
export function fluxctlFor(
  url: string,
  options: FluxctlRunOptions = {},
): (...args: string[]) => Promise<FluxctlResult> {
  return (...args) => runFluxctl(url, args, options);
}
