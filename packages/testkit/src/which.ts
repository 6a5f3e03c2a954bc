import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

/** Thrown when a component a test needs is not installed. The message says how to install it. */
export class MissingComponentError extends Error {
  override name = 'MissingComponentError';
}

/**
 * Finds `binary` on PATH (and in `extraDirs`), or throws {@link MissingComponentError}: a test never
 * passes, and is never skipped, because its component is missing.
 */
export async function requireBinary(
  binary: string,
  install: string,
  extraDirs: readonly string[] = [],
): Promise<string> {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...extraDirs].filter(Boolean);
  for (const dir of dirs) {
    const candidate = join(dir, binary);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  throw new MissingComponentError(`${binary} is not installed (looked in PATH). Install it: ${install}`);
}
