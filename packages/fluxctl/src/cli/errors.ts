import { isFluxError } from '@flux-ts/core';
import { FluxApiError } from '../client/errors.ts';
import { UsageError } from '../commands/policy-update.ts';
import { JobFailedError, WaitTimeoutError } from '../wait/poll.ts';

/**
 * What fluxctl prints for an error, as Flux v1 does: a flux error from fluxd shows its help under
 * `== Error ==`; a failed job, a usage error or anything else shows `Error: <message>` (usage errors
 * with the hint to run `--help`).
 */
export function formatCliError(err: unknown, commandPath: string): string {
  if (err instanceof FluxApiError)
    return `== Error ==\n\n${err.help.endsWith('\n') ? err.help : `${err.help}\n`}`;
  if (err instanceof WaitTimeoutError) return `Error: ${err.message}\n\n${err.help}\n`;
  if (err instanceof JobFailedError) return `Error: ${err.message}\n`;
  if (err instanceof UsageError) return `Error: ${err.message}\nRun '${commandPath} --help' for usage.\n`;
  const message = err instanceof Error ? err.message : String(err);
  if (isFluxError(err)) return `Error: ${message}\n`;
  return `Error: ${message}\n`;
}
