// What every example shares: a usage error exits 2 with the usage line, any other failure exits 1
// with the error's message (and, for flux-ts errors, the `help` that says what to do).
import { isFluxError } from '@flux-ts/core';

/** Bad command-line arguments. */
export class UsageError extends Error {}

/** Runs an example's `main`, turning its errors into a message and an exit code. */
export function runMain(usage: string, main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    // node:util parseArgs reports unknown or malformed options as TypeErrors with an ERR_PARSE_ARGS code.
    const badArgs =
      err instanceof UsageError || String((err as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
    if (badArgs) {
      if (message) console.error(`error: ${message}`);
      console.error(`usage: ${usage}`);
      process.exitCode = 2;
      return;
    }
    console.error(`error: ${message}`);
    if (isFluxError(err)) console.error(`hint: ${err.help}`);
    process.exitCode = 1;
  });
}
