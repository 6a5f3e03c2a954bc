import { createRequire } from 'node:module';

let cached: string | undefined;

/**
 * The version of the `@flux-ts/fluxctl` package, read from its package.json (which sits two levels
 * up from both `src/install/` and `dist/install/`). `unversioned` when it cannot be read.
 */
export function fluxctlPackageVersion(): string {
  if (cached === undefined) {
    try {
      const pkg: unknown = createRequire(import.meta.url)('../../package.json');
      const version = (pkg as { version?: unknown }).version;
      cached = typeof version === 'string' && version !== '' ? version : 'unversioned';
    } catch {
      cached = 'unversioned';
    }
  }
  return cached;
}
