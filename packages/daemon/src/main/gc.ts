import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection on demand, for the process only (not the libraries): a sync of a large
 * repository allocates its whole manifest set, and V8 otherwise keeps that heap (and the RSS) long
 * after the sync. fluxd collects once after each sync, when it is idle anyway.
 */
export function fullGc(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? () => (gc as () => void)() : undefined;
  } catch {
    return undefined;
  }
}
