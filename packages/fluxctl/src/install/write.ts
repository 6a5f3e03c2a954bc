import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorKind, FluxError } from '@flux-ts/core';
import type { InstallFile } from './manifests.ts';

/** `-o/--output-dir` is missing, not a directory, or a file could not be written. */
export class InstallWriteError extends FluxError {
  /**
   * The `writing <path>` lines of the files attempted before the failure (including the failing
   * one, as fluxctl printed the line before writing); the caller prints them before the error.
   */
  readonly lines: readonly string[];

  constructor(message: string, lines: readonly string[], cause: unknown) {
    super(message, {
      code: 'fluxctl.install.write',
      kind: ErrorKind.User,
      help: 'pass an existing, writable directory to --output-dir, or leave it out to print to stdout',
      cause,
    });
    this.lines = lines;
  }
}

function reason(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'ENOTDIR') return 'not a directory';
  return err instanceof Error ? err.message : String(err);
}

/**
 * Writes each file to `<outputDir>/<file>` (mode 0666 before umask, as fluxctl), in the given
 * order. Prints nothing: returns the `writing <path>` lines (no trailing newline) for the caller to
 * print to stderr. `outputDir` must be an existing directory (`<dir> is not a directory`).
 */
export async function writeInstallFiles(files: readonly InstallFile[], outputDir: string): Promise<string[]> {
  let isDir: boolean;
  try {
    isDir = (await stat(outputDir)).isDirectory();
  } catch (err) {
    throw new InstallWriteError(`stat ${outputDir}: ${reason(err)}`, [], err);
  }
  if (!isDir) throw new InstallWriteError(`${outputDir} is not a directory`, [], undefined);
  const lines: string[] = [];
  for (const { file, text } of files) {
    const path = join(outputDir, file);
    lines.push(`writing ${path}`);
    try {
      await writeFile(path, text, { mode: 0o666 });
    } catch (err) {
      throw new InstallWriteError(`cannot output manifest file ${file}: ${reason(err)}`, [...lines], err);
    }
  }
  return lines;
}

/** All files as one multi-document YAML stream for stdout (each file already starts with `---`). */
export function installStream(files: readonly InstallFile[]): string {
  return files.map((f) => f.text).join('');
}
