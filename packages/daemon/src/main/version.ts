import { readFileSync } from 'node:fs';

/** fluxd's version: the daemon package's version (the same relative path from src/ and dist/). */
export function fluxdVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unversioned';
  } catch {
    return 'unversioned';
  }
}
