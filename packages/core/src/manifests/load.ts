import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { ErrorKind, FluxError } from '../errors.ts';
import { ManifestReadError, ManifestTooLargeError } from './errors.ts';
import {
  type ParsedManifests,
  type ParseOptions,
  type RawObject,
  readObjects,
  type SkippedDocument,
  toResources,
} from './parse.ts';
import { parseYamlSource } from './yaml-source.ts';

/** The file system reads manifest loading needs; node:fs by default. */
export interface ManifestFs {
  readdir(
    dir: string,
  ): Promise<{ name: string; isDirectory(): boolean; isFile(): boolean; isSymbolicLink?(): boolean }[]>;
  readFile(file: string): Promise<string>;
  /** Resolves symbolic links; without it, linked manifest files are skipped. */
  realpath?(path: string): Promise<string>;
  /** The size of a file (following links), checked before reading; without it, the text read is measured. */
  stat?(file: string): Promise<{ size: number }>;
}

const nodeFs: ManifestFs = {
  readdir: (dir) => readdir(dir, { withFileTypes: true }),
  readFile: (file) => readFile(file, 'utf8'),
  realpath: (path) => realpath(path),
  stat: (file) => stat(file),
};

/**
 * The default limit of one manifest file: 16 MiB. Kubernetes stores objects of at most ~1.5 MiB, so
 * a bigger file is a mistake; without a limit, a 50 MB file took ~10 s and ~1 GB to load.
 */
export const DEFAULT_MAX_MANIFEST_FILE_BYTES: number = 16 * 1024 * 1024;

export interface LoadOptions extends ParseOptions {
  /** File paths in results are relative to this directory (default: the directory loaded). */
  root?: string;
  fs?: ManifestFs;
  /**
   * The largest manifest file read, in bytes (default {@link DEFAULT_MAX_MANIFEST_FILE_BYTES}); a
   * larger file is a {@link ManifestTooLargeError} and is not read.
   */
  maxFileBytes?: number;
}

/** The directory to load cannot be read. */
export class ManifestDirError extends FluxError {
  constructor(dir: string, cause: unknown) {
    super(`unable to read manifests in ${dir}: ${(cause as Error)?.message ?? String(cause)}`, {
      code: 'manifest.dir',
      kind: ErrorKind.User,
      help: 'Check that the git path exists in the repository and is readable.',
      cause,
    });
  }
}

const manifestFile = /\.(ya?ml|json)$/i;

/** A file's text, or why it is not read. */
type Slot = string | { error: unknown };

async function listFiles(fs: ManifestFs, dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir);
  const names = new Set(entries.map((e) => e.name));
  // A Helm chart's templates are not manifests.
  if (names.has('Chart.yaml') && names.has('values.yaml')) return [];
  const files: string[] = [];
  for (const entry of [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name.startsWith('.git')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(fs, path)));
    else if ((entry.isFile() || entry.isSymbolicLink?.()) && manifestFile.test(entry.name)) files.push(path);
  }
  return files;
}

/**
 * Each file, or, for a symbolic link that leads outside `root` (the repository), an error in its
 * place: a link in git must never make fluxd read (and apply) a file from elsewhere on its disk.
 * Links within the repository are followed, as Flux v1 did.
 */
async function insideRoot(fs: ManifestFs, root: string, files: readonly string[]): Promise<Slot[]> {
  const { realpath: resolve } = fs;
  if (!resolve) return [...files];
  const realRoot = await resolve(root).catch(() => root);
  return Promise.all(
    files.map(async (file) => {
      const real = await resolve(file).catch(() => undefined);
      if (real === undefined) return { error: new Error('a symbolic link to nothing') };
      if (real !== realRoot && !real.startsWith(realRoot + sep)) {
        return { error: new Error('a symbolic link to a file outside the repository: not followed') };
      }
      return file;
    }),
  );
}

/** Files read at once: enough to keep the disk busy, far below the process's open-file limit. */
const READ_CONCURRENCY = 64;

/**
 * Reads one file unless it is larger than `limit` bytes (checked with `stat` before reading when the
 * file system has it, else on the text read): then the slot holds a {@link ManifestTooLargeError}.
 */
async function readCapped(fs: ManifestFs, file: string, label: string, limit: number): Promise<Slot> {
  try {
    const size = fs.stat ? (await fs.stat(file)).size : undefined;
    if (size !== undefined && size > limit) return { error: new ManifestTooLargeError(label, size, limit) };
    const text = await fs.readFile(file);
    const read = size ?? Buffer.byteLength(text);
    return read > limit ? { error: new ManifestTooLargeError(label, read, limit) } : text;
  } catch (error) {
    return { error };
  }
}

/** Reads every file, at most {@link READ_CONCURRENCY} at a time; a file that fails is an error in its slot. */
async function readAll(
  fs: ManifestFs,
  files: readonly Slot[],
  labelOf: (file: string) => string,
  limit: number,
): Promise<Slot[]> {
  const out: Slot[] = new Array(files.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const i = next++;
      const file = files[i];
      out[i] =
        typeof file === 'string'
          ? await readCapped(fs, file, labelOf(file), limit)
          : (file ?? { error: new Error('missing') });
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, files.length) }, worker));
  return out;
}

/**
 * Loads every `.yaml`, `.yml` and `.json` file under `dir` (skipping Helm charts and `.git`). A file
 * that does not parse is reported with file, line and column and the others still load; duplicate
 * resources are reported naming both files. A file over `maxFileBytes` is not read and is reported
 * ({@link ManifestTooLargeError}) like a broken one.
 */
export async function loadManifests(dir: string, options: LoadOptions = {}): Promise<ParsedManifests> {
  const fs = options.fs ?? nodeFs;
  const root = options.root ?? dir;
  let files: string[];
  try {
    files = await listFiles(fs, dir);
  } catch (err) {
    throw new ManifestDirError(dir, err);
  }
  const objects: RawObject[] = [];
  const errors: FluxError[] = [];
  const skipped: SkippedDocument[] = [];
  const warnings: SkippedDocument[] = [];
  const limit = options.maxFileBytes ?? DEFAULT_MAX_MANIFEST_FILE_BYTES;
  const texts = await readAll(fs, await insideRoot(fs, root, files), (file) => relative(root, file), limit);
  files.forEach((file, i) => {
    const text = texts[i];
    if (typeof text !== 'string') {
      const error = text?.error;
      errors.push(
        error instanceof ManifestTooLargeError ? error : new ManifestReadError(relative(root, file), error),
      );
      return;
    }
    const read = readObjects(parseYamlSource(text, relative(root, file)));
    objects.push(...read.objects);
    errors.push(...read.errors);
    skipped.push(...read.skipped);
    warnings.push(...read.warnings);
  });
  const result = toResources(objects, options);
  return { resources: result.resources, errors: [...errors, ...result.errors], skipped, warnings };
}
