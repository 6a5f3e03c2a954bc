import { readdir, readFile, realpath } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { ErrorKind, FluxError } from '../errors.ts';
import { ManifestReadError } from './errors.ts';
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
}

const nodeFs: ManifestFs = {
  readdir: (dir) => readdir(dir, { withFileTypes: true }),
  readFile: (file) => readFile(file, 'utf8'),
  realpath: (path) => realpath(path),
};

export interface LoadOptions extends ParseOptions {
  /** File paths in results are relative to this directory (default: the directory loaded). */
  root?: string;
  fs?: ManifestFs;
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
async function insideRoot(
  fs: ManifestFs,
  root: string,
  files: readonly string[],
): Promise<(string | { error: unknown })[]> {
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

/** Reads every file, at most {@link READ_CONCURRENCY} at a time; a file that fails is an error in its slot. */
async function readAll(
  fs: ManifestFs,
  files: readonly (string | { error: unknown })[],
): Promise<(string | { error: unknown })[]> {
  const out: (string | { error: unknown })[] = new Array(files.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const i = next++;
      const file = files[i];
      out[i] =
        typeof file === 'string'
          ? await fs.readFile(file).catch((error: unknown) => ({ error }))
          : (file ?? { error: new Error('missing') });
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, files.length) }, worker));
  return out;
}

/**
 * Loads every `.yaml`, `.yml` and `.json` file under `dir` (skipping Helm charts and `.git`). A file
 * that does not parse is reported with file, line and column and the others still load; duplicate
 * resources are reported naming both files.
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
  const texts = await readAll(fs, await insideRoot(fs, root, files));
  files.forEach((file, i) => {
    const text = texts[i];
    if (typeof text !== 'string') {
      errors.push(new ManifestReadError(relative(root, file), text?.error));
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
