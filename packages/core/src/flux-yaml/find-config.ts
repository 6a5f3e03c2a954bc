import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { CONFIG_FILENAME, type FluxYamlConfig, parseFluxYaml } from './config.ts';
import { FluxYamlError, GitPathError } from './errors.ts';

/** What is at a path. */
export interface FileStat {
  isFile(): boolean;
  isDirectory(): boolean;
}

/**
 * The file system reads config discovery needs. It is a seam so discovery can be unit-tested
 * with an in-memory fake; {@link nodeFluxYamlFs} is the real one.
 */
export interface FluxYamlFs {
  /** What is at `path` (following symlinks), or undefined when nothing is. */
  stat(path: string): Promise<FileStat | undefined>;
  readFile(path: string): Promise<string>;
}

const isMissing = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
};

/** {@link FluxYamlFs} on node:fs. */
export const nodeFluxYamlFs: FluxYamlFs = {
  async stat(path) {
    try {
      return await stat(path);
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  },
  readFile: (path) => readFile(path, 'utf8'),
};

/** Where a target's `.flux.yaml` is, and the paths derived from it. */
export interface FoundConfig {
  /** The git path as given (`''` or `.` for the repository root). */
  target: string;
  /** Absolute directory commands run in: the target (or, when the target is the file itself, its directory). */
  workingDir: string;
  /** The working directory relative to the repository root (`.` for the root). */
  workingDirRelative: string;
  /** Absolute path of the `.flux.yaml`. */
  file: string;
  /** The `.flux.yaml` relative to the repository root, e.g. `.flux.yaml`. */
  fileRelative: string;
  /** The `.flux.yaml` relative to the working directory, e.g. `../.flux.yaml`. */
  fileRelativeToWorkingDir: string;
  /**
   * Source label of generated manifests: `<target>/<relative path to .flux.yaml>`, e.g.
   * `staging/../.flux.yaml` (just the relative path for the repository root).
   */
  label: string;
}

/** Options for {@link findConfigFile}. */
export interface FindConfigOptions {
  /** Absolute path of the repository checkout. */
  repoRoot: string;
  /** A git path relative to `repoRoot` (`''` or `.` for the root). */
  target: string;
  fs?: FluxYamlFs;
}

const toPosix = (p: string): string => (sep === '/' ? p : p.split(sep).join('/'));

/**
 * Resolves a git path inside the checkout.
 *
 * @throws {GitPathError} when the path leads outside `repoRoot`.
 */
export function resolveGitPath(repoRoot: string, target: string): string {
  const root = resolve(repoRoot);
  const abs = resolve(root, target);
  const rel = relative(root, abs);
  if (isAbsolute(target) || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new GitPathError(target, 'outside-repo');
  }
  return abs;
}

/** `<target dir>/<config relative to it>`; `targetDir` is the git path, or its directory when it names the file. */
function labelFor(targetDir: string, fromWorkingDir: string): string {
  const trimmed = targetDir.replace(/\/+$/, '');
  return trimmed === '' || trimmed === '.' ? fromWorkingDir : `${trimmed}/${fromWorkingDir}`;
}

/**
 * Finds the `.flux.yaml` for a git path, as Flux v1 does: the target itself when it is a file named
 * `.flux.yaml`; for a directory, a `.flux.yaml` in it or in each parent up to the repository root
 * (never above it). Undefined when there is none: the target is read as raw YAML files.
 *
 * @throws {GitPathError} when the target does not exist or is outside the repository.
 */
export async function findConfigFile(options: FindConfigOptions): Promise<FoundConfig | undefined> {
  const fs = options.fs ?? nodeFluxYamlFs;
  const root = resolve(options.repoRoot);
  const abs = resolveGitPath(root, options.target);
  const targetStat = await fs.stat(abs);
  if (!targetStat) throw new GitPathError(options.target, 'not-found');

  const found = (file: string, workingDir: string, targetDir: string): FoundConfig => {
    const fromWorkingDir = toPosix(relative(workingDir, file));
    return {
      target: options.target,
      workingDir,
      workingDirRelative: toPosix(relative(root, workingDir)) || '.',
      file,
      fileRelative: toPosix(relative(root, file)),
      fileRelativeToWorkingDir: fromWorkingDir,
      label: labelFor(targetDir, fromWorkingDir),
    };
  };

  if (!targetStat.isDirectory()) {
    if (basename(abs) !== CONFIG_FILENAME) return undefined;
    return found(abs, dirname(abs), posix.dirname(toPosix(options.target)));
  }
  for (let dir = abs; ; dir = dirname(dir)) {
    const candidate = join(dir, CONFIG_FILENAME);
    const st = await fs.stat(candidate);
    if (st?.isFile()) return found(candidate, abs, options.target);
    if (dir === root || dirname(dir) === dir) return undefined;
  }
}

/** A found `.flux.yaml` and its validated content. */
export interface LoadedConfig extends FoundConfig {
  config: FluxYamlConfig;
}

/** Options for {@link loadConfigFile}. */
export interface LoadConfigOptions extends FindConfigOptions {
  /** Timeout of commands without one (`--sync-timeout`). */
  defaultTimeoutMs?: number;
}

/**
 * Finds and reads the `.flux.yaml` of a git path; undefined when there is none.
 *
 * @throws {FluxYamlError} when the file cannot be read or is invalid (naming the file).
 * @throws {GitPathError} when the target does not exist or is outside the repository.
 */
export async function loadConfigFile(options: LoadConfigOptions): Promise<LoadedConfig | undefined> {
  const fs = options.fs ?? nodeFluxYamlFs;
  const found = await findConfigFile({ ...options, fs });
  if (!found) return undefined;
  let text: string;
  try {
    text = await fs.readFile(found.file);
  } catch (err) {
    throw new FluxYamlError(found.fileRelative, [`cannot read the file: ${(err as Error).message}`], {
      cause: err,
      help: 'Check that the .flux.yaml is a readable file.',
    });
  }
  const parseOptions =
    options.defaultTimeoutMs === undefined
      ? { file: found.fileRelative }
      : { file: found.fileRelative, defaultTimeoutMs: options.defaultTimeoutMs };
  return { ...found, config: parseFluxYaml(text, parseOptions) };
}
