import { relative } from 'node:path';
import {
  DuplicateResourceError,
  type FluxError,
  type Logger,
  loadManifests,
  manifestGeneration,
  noopLogger,
  type ParsedManifests,
  type Resource,
  TargetKind,
} from '@flux-ts/core';
import { gitPathScope } from './git-path-scope.ts';

/** What a working clone defines: resources, and every file that could not be read (with file:line). */
export interface RepoResources {
  resources: Resource[];
  errors: FluxError[];
  /** IDs of resources printed by `.flux.yaml` generators (edited through updaters, not files). */
  generated: Set<string>;
}

/** Options of {@link loadRepoResources}. */
export interface LoadRepoOptions {
  /** The working tree. */
  dir: string;
  /** Absolute directories of the git paths (the repository root when none). */
  manifestDirs: readonly string[];
  /** `--git-path` as given (relative), for `.flux.yaml` discovery. */
  gitPaths: readonly string[];
  /** `--manifest-generation`. */
  manifestGeneration: boolean;
  /** `--k8s-default-namespace` (default `default`). */
  defaultNamespace?: string | undefined;
  /** Default timeout of `.flux.yaml` commands (`--sync-timeout`). */
  commandTimeoutMs?: number;
  logger?: Logger;
  signal?: AbortSignal;
}

function keepFirst(resources: Resource[], errors: FluxError[]): Resource[] {
  const seen = new Map<string, Resource>();
  for (const r of resources) {
    const id = r.id.toString();
    const first = seen.get(id);
    if (first) {
      errors.push(
        new DuplicateResourceError(
          id,
          { file: first.file, line: first.line, column: 1 },
          { file: r.file, line: r.line, column: 1 },
        ),
      );
      continue;
    }
    seen.set(id, r);
  }
  return [...seen.values()];
}

/**
 * Loads the resources of a working clone: raw YAML under the git paths, or what `.flux.yaml`
 * generators print when manifest generation is on. A file that does not parse is an error in the
 * result and the rest still loads; file paths are relative to the repository root. A git path that
 * resolves outside the clone (a symbolic link) is an error and is neither read nor generated.
 */
export async function loadRepoResources(options: LoadRepoOptions): Promise<RepoResources> {
  const parseOptions = options.defaultNamespace ? { defaultNamespace: options.defaultNamespace } : {};
  const scope = await gitPathScope(options.dir, options.manifestDirs, options.gitPaths);
  const errors: FluxError[] = [...scope.refused];
  const resources: Resource[] = [];
  const generated = new Set<string>();
  // Every git path refused: nothing to read (no paths would mean the whole repository).
  if (scope.dirs.length === 0) return { resources, errors, generated };
  if (options.manifestGeneration) {
    const generation = manifestGeneration({
      repoRoot: options.dir,
      paths: scope.paths,
      parseOptions,
      logger: options.logger ?? noopLogger,
      ...(options.commandTimeoutMs ? { defaultTimeoutMs: options.commandTimeoutMs } : {}),
    });
    for (const target of await generation.load(options.signal)) {
      if (target.kind === TargetKind.Raw) {
        const loaded = await loadManifests(target.path, { ...parseOptions, root: options.dir });
        logNotices(options.logger ?? noopLogger, loaded);
        resources.push(...loaded.resources);
        errors.push(...loaded.errors);
      } else if (target.kind === TargetKind.Generated) {
        resources.push(...target.resources);
        for (const r of target.resources) generated.add(r.id.toString());
        errors.push(...target.errors);
      } else {
        errors.push(...target.errors);
      }
    }
  } else {
    for (const dir of scope.dirs) {
      const loaded = await loadManifests(dir, { ...parseOptions, root: options.dir });
      logNotices(options.logger ?? noopLogger, loaded);
      resources.push(...loaded.resources);
      errors.push(...loaded.errors);
    }
  }
  return { resources: keepFirst(resources, errors), errors, generated };
}

/**
 * Tells the author what loaded but deserves a look, naming file and line: documents that are not
 * Kubernetes objects (skipped, as Flux v1 skips them) and keys given twice (the last value is used).
 */
export function logNotices(logger: Logger, parsed: Pick<ParsedManifests, 'skipped' | 'warnings'>): void {
  for (const s of parsed.skipped) {
    logger.warn(
      { at: `${s.position.file}:${s.position.line}`, reason: s.reason },
      'manifest document skipped',
    );
  }
  for (const w of parsed.warnings ?? []) {
    logger.warn({ at: `${w.position.file}:${w.position.line}`, reason: w.reason }, 'manifest warning');
  }
}

/** A resource's file relative to the repository root (for messages). */
export function repoRelative(dir: string, file: string): string {
  return relative(dir, file);
}
