import { FluxApiError } from '../client/errors.ts';
import { WaitTimeoutError } from '../wait/poll.ts';

/**
 * What fluxctl prints for an error, as Flux v1's does: a flux error from fluxd shows its help under
 * `== Error ==`; anything else — a failed job, a usage error, a sync that cannot start — shows
 * `Error: <message>` and the hint to run `--help` (Go's fluxctl printed that hint for every error
 * that was not a flux error). A timeout keeps our fuller explanation.
 */
export function formatCliError(err: unknown, commandPath: string): string {
  if (err instanceof FluxApiError)
    return `== Error ==\n\n${err.help.endsWith('\n') ? err.help : `${err.help}\n`}`;
  if (err instanceof WaitTimeoutError) return `Error: ${err.message}\n\n${err.help}\n`;
  const message = err instanceof Error ? err.message : String(err);
  return `Error: ${message}\nRun '${commandPath} --help' for usage.\n`;
}
