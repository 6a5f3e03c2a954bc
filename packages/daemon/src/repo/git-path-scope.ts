import { realpath } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { GitPathError, type Logger } from '@flux-ts/core';

/** The git paths of a working clone that may be read, and those refused. */
export interface GitPathScope {
  /** Absolute directories to read (those of the git paths that stay inside the clone). */
  dirs: string[];
  /** The same, relative to the clone, for `.flux.yaml` discovery (the git paths as given when all stay inside). */
  paths: string[];
  refused: GitPathError[];
}

/**
 * Where `path` leads once symbolic links (of it or a directory above it) are resolved: inside the
 * working clone `dir`, outside it (never to be read or written), or nowhere (a deleted file).
 */
export async function resolvesTo(dir: string, path: string): Promise<'inside' | 'outside' | 'missing'> {
  const real = await realpath(path).catch(() => undefined);
  if (real === undefined) return 'missing';
  const root = await realpath(dir);
  return real === root || real.startsWith(root + sep) ? 'inside' : 'outside';
}

/**
 * Sorts the git paths of a working clone `dir` (`manifestDirs`, absolute; `gitPaths`, as given): an
 * error for each one that resolves (a symbolic link, of the path or a directory above it) outside the
 * clone, where no pass (sops, manifest generation, loading) may read or write. Every pass over a
 * clone — sync, jobs, the listing of the repository's workloads — reads only `dirs` / `paths`; when
 * `dirs` is empty there is nothing to read (an empty list of paths would mean the whole repository).
 */
export async function gitPathScope(
  dir: string,
  manifestDirs: readonly string[],
  gitPaths: readonly string[],
): Promise<GitPathScope> {
  const scope: GitPathScope = { dirs: [], paths: [], refused: [] };
  for (const manifestDir of manifestDirs) {
    const path = relative(dir, manifestDir) || '.';
    if ((await resolvesTo(dir, manifestDir)) === 'outside') {
      scope.refused.push(
        new GitPathError(path, 'outside-repo', new Error('a symbolic link out of the repository')),
      );
    } else {
      scope.dirs.push(manifestDir);
      scope.paths.push(path);
    }
  }
  // All inside: the paths as given (what `.flux.yaml` discovery and the sync set were made from).
  if (scope.refused.length === 0) scope.paths = [...gitPaths];
  return scope;
}

/** Logs each refused git path (once per pass that refuses it). */
export function logRefusedGitPaths(logger: Logger, scope: GitPathScope): void {
  for (const refused of scope.refused) {
    logger.error(
      { path: refused.path },
      'git path is a symbolic link out of the repository: not read, decrypted or generated',
    );
  }
}
