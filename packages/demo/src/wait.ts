import { setTimeout as sleep } from 'node:timers/promises';
import { DemoStepError } from './errors.ts';

/**
 * Polls `check` every 200 ms until it returns a value (not undefined or false), or throws a
 * {@link DemoStepError} for `step` saying what did not happen within `timeoutMs`.
 */
export async function waitFor<T>(
  step: string,
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    await sleep(200);
  }
  const cause = last instanceof Error ? ` (last error: ${last.message})` : '';
  throw new DemoStepError(step, `${what} did not happen within ${timeoutMs / 1000}s${cause}`);
}
