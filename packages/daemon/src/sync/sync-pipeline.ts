import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { FluxError, Logger, Resource, SyncStateStore } from '@flux-ts/core';
import {
  DEFAULT_MAX_MANIFEST_FILE_BYTES,
  DuplicateResourceError,
  ManifestReadError,
  ManifestTooLargeError,
  noopLogger,
  parseManifests,
} from '@flux-ts/core';
import type { Checkout, LogEntry, Mirror, VerifiedHead } from '@flux-ts/git';
import { UnverifiedHeadError } from '@flux-ts/git';
import { type ChangeSet, Discovery, type KubeClient, syncChecksum, syncResources } from '@flux-ts/k8s';
import { type GitPathScope, gitPathScope, logRefusedGitPaths, resolvesTo } from '../repo/git-path-scope.ts';
import { loadRepoResources, logNotices } from '../repo/load-resources.ts';
import { type JobNote, notesBetween } from '../repo/notes.ts';
import { decryptSopsFile, decryptSopsFiles } from '../repo/sops.ts';

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

/** Per file of the last complete sync: the IDs and checksums it defined, and its workloads. */
interface RepoIndex {
  revision: string;
  files: Map<string, { id: string; checksum: string }[]>;
  workloads: Map<string, Resource[]>;
}

/** What one sync read. */
interface Loaded {
  /** Resources to apply (all of them, or those of the changed files). */
  resources: Resource[];
  errors: FluxError[];
  /** Known, unchanged resources (ID → checksum), kept by GC and not applied. */
  unchanged: Map<string, string>;
  /** Workloads of the unchanged files (for the API's view of the repository). */
  otherWorkloads: Resource[];
  /** Whether garbage collection has anything to do (something may have left git). */
  gcNeeded: boolean;
  index: RepoIndex;
  incremental: boolean;
}

function entryOf(r: Resource): { id: string; checksum: string } {
  return { id: r.id.toString(), checksum: syncChecksum(r.object) };
}

function indexOf(revision: string, resources: readonly Resource[]): RepoIndex {
  const files = new Map<string, { id: string; checksum: string }[]>();
  const workloads = new Map<string, Resource[]>();
  for (const r of resources) {
    const list = files.get(r.file) ?? [];
    list.push(entryOf(r));
    files.set(r.file, list);
    if (r.containers && r.containers.length > 0) {
      const w = workloads.get(r.file) ?? [];
      w.push(r);
      workloads.set(r.file, w);
    }
  }
  return { revision, files, workloads };
}

/** Whether `path` lies in a Helm chart directory (which the loader skips). */
async function isInChart(root: string, path: string): Promise<boolean> {
  for (let dir = dirname(path); dir.startsWith(root) && dir !== root; dir = dirname(dir)) {
    if ((await stat(join(dir, 'Chart.yaml')).catch(() => undefined)) !== undefined) return true;
  }
  return (await stat(join(root, 'Chart.yaml')).catch(() => undefined)) !== undefined;
}

/** Options of a {@link SyncPipeline}: the sync flags of fluxd and the components it drives. */
export interface SyncPipelineOptions {
  mirror: Mirror;
  syncState: SyncStateStore;
  /** Signature verification (`--git-verify-signatures-mode` other than none). */
  verify?: ((signal?: AbortSignal) => Promise<VerifiedHead>) | undefined;
  kube: KubeClient;
  /** The sync set name (from the safe git URL, branch and paths). */
  syncSet: string;
  gitPaths: readonly string[];
  manifestGeneration: boolean;
  defaultNamespace?: string | undefined;
  sops: boolean;
  /** `--sync-garbage-collection`, `--sync-garbage-collection-dry`, `--sync-garbage-collection-max`. */
  gc: { enabled: boolean; dryRun: boolean; maxDeletions?: number | undefined };
  allowNamespaces?: readonly string[];
  excludeResources?: readonly string[];
  kubectl?: string | undefined;
  commandTimeoutMs?: number;
  notesRef: string;
  logger?: Logger;
}

/** What one sync did. */
export interface SyncOutcome {
  /** The revision applied. */
  revision: string;
  /** The marker before this sync (undefined on the first sync). */
  previous: string | undefined;
  /** Commits applied by this sync (touching the git paths), newest first. */
  commits: LogEntry[];
  /** fluxd's notes on those commits (releases, automation, policy changes). */
  notes: { revision: string; note: JobNote }[];
  changes: ChangeSet;
  /** Files that did not load (each names file and line): garbage collection did not run. */
  loadErrors: FluxError[];
  /** Resources of the revision (for the API's repo view). */
  resources: Resource[];
  durationMs: number;
  /** Whether only the files changed since the last complete sync were read. */
  incremental: boolean;
  /**
   * Whether the sync marker moved to `revision`. It does not when a manifest failed to load (as in
   * Flux v1: the revision is not fully applied); failed applies alone still move it.
   */
  markerMoved: boolean;
}

/**
 * One sync, as Flux v1 runs it, with our differences: working clone at the (verified) head →
 * `git secret reveal` (done by the clone) → manifests, raw or generated → sops decryption →
 * apply with garbage collection (never while a file failed to load) → sync marker moved.
 */
export class SyncPipeline {
  readonly #o: SyncPipelineOptions;
  readonly #log: Logger;
  readonly #discovery: Discovery;
  #lastWritten: string | undefined;
  #warnedExternal = false;
  /** What the last complete sync read, per file: the base of the next incremental sync. */
  #index: RepoIndex | undefined;
  /** Files holding resources that failed to apply last time: read and applied again next time. */
  #retryFiles = new Set<string>();

  constructor(options: SyncPipelineOptions) {
    this.#o = options;
    this.#log = options.logger ?? noopLogger;
    this.#discovery = new Discovery(options.kube.connection);
  }

  /** The revision a sync would go to now: the head, or the last verified commit. */
  async target(signal?: AbortSignal): Promise<{ head: string; target: string; verified?: VerifiedHead }> {
    const head = await this.#o.mirror.head(signal);
    if (!this.#o.verify) return { head, target: head };
    const verified = await this.#o.verify(signal);
    if (verified.invalid) {
      this.#log.error(
        { revision: verified.invalid.revision, signingKey: verified.invalid.signingKey },
        `found invalid GPG signature for commit ${verified.invalid.revision}`,
      );
    }
    return { head, target: verified.verified ?? '', verified };
  }

  /** Reads every manifest (the first sync, every full pass, and whenever incremental reading cannot). */
  async #loadAll(
    checkout: Checkout,
    revision: string,
    scope: GitPathScope,
    signal?: AbortSignal,
  ): Promise<Loaded> {
    const nothing = { resources: [], errors: [] };
    // Every git path refused: nothing to read (an empty list of paths would mean the whole repository).
    const readable = scope.dirs.length > 0;
    const sopsErrors =
      this.#o.sops && readable
        ? await decryptSopsFiles(checkout.dir, scope.dirs, signal ? { signal } : {})
        : [];
    const all = !readable
      ? nothing
      : await loadRepoResources({
          dir: checkout.dir,
          manifestDirs: scope.dirs,
          gitPaths: scope.paths,
          manifestGeneration: this.#o.manifestGeneration,
          defaultNamespace: this.#o.defaultNamespace,
          logger: this.#log,
          ...(this.#o.commandTimeoutMs ? { commandTimeoutMs: this.#o.commandTimeoutMs } : {}),
          ...(signal ? { signal } : {}),
        });
    return {
      resources: all.resources,
      errors: [...scope.refused, ...sopsErrors, ...all.errors],
      unchanged: new Map(),
      otherWorkloads: [],
      gcNeeded: true,
      index: indexOf(revision, all.resources),
      incremental: false,
    };
  }

  /**
   * Reads only the files that changed since the last complete sync (decisions.md 7, at file
   * level): the rest of the repository is known, unchanged, and neither parsed nor applied. Returns
   * undefined when this cannot be done safely (no base, manifest generation, Helm chart files, a
   * duplicate across files), and the caller reads everything.
   */
  async #loadChanged(
    checkout: Checkout,
    revision: string,
    signal?: AbortSignal,
  ): Promise<Loaded | undefined> {
    const base = this.#index;
    if (!base || this.#o.manifestGeneration || base.revision === revision) return undefined;
    let changed: string[];
    try {
      changed = await checkout.changedFiles(base.revision, revision, signal);
    } catch {
      return undefined;
    }
    const manifests = [
      ...new Set([
        ...changed.filter((f) => MANIFEST_FILE.test(f) && !f.split('/').some((p) => p.startsWith('.git'))),
        // What failed to apply last time is applied again (as a full sync would), so it is not
        // forgotten as "unchanged".
        ...[...this.#retryFiles].filter((f) => base.files.has(f)),
      ]),
    ];
    if (changed.some((f) => /(^|\/)(Chart|values)\.yaml$/.test(f))) return undefined;
    const files = new Map(base.files);
    const errors: FluxError[] = [];
    const resources: Resource[] = [];
    const removed = new Set<string>();
    for (const file of manifests) {
      for (const entry of files.get(file) ?? []) removed.add(entry.id);
      files.delete(file);
      const path = join(checkout.dir, file);
      if (await isInChart(checkout.dir, path)) return undefined;
      const where = await resolvesTo(checkout.dir, path);
      if (where === 'missing') continue; // deleted
      if (where === 'outside') {
        errors.push(
          new ManifestReadError(
            file,
            new Error('a symbolic link to a file outside the repository: not followed'),
          ),
        );
        continue;
      }
      const size = (await stat(path)).size;
      if (size > DEFAULT_MAX_MANIFEST_FILE_BYTES) {
        errors.push(new ManifestTooLargeError(file, size, DEFAULT_MAX_MANIFEST_FILE_BYTES));
        continue;
      }
      if (this.#o.sops) {
        const failed = await decryptSopsFile(checkout.dir, path, signal ? { signal } : {}).catch(
          () => undefined,
        );
        if (failed) {
          errors.push(failed);
          continue;
        }
      }
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch {
        continue; // deleted
      }
      const parsed = parseManifests(
        text,
        file,
        this.#o.defaultNamespace ? { defaultNamespace: this.#o.defaultNamespace } : {},
      );
      logNotices(this.#log, parsed);
      errors.push(...parsed.errors);
      resources.push(...parsed.resources);
      files.set(file, parsed.resources.map(entryOf));
    }
    const unchanged = new Map<string, string>();
    const otherWorkloads: Resource[] = [];
    for (const [file, entries] of files) {
      if (manifests.includes(file)) continue;
      for (const e of entries) unchanged.set(e.id, e.checksum);
    }
    const fresh = new Set<string>();
    for (const r of resources) {
      const id = r.id.toString();
      // A duplicate across files: let the full load report it, naming both.
      if (unchanged.has(id) || fresh.has(id)) return undefined;
      fresh.add(id);
      removed.delete(id);
    }
    for (const [file, list] of base.workloads) if (!manifests.includes(file)) otherWorkloads.push(...list);
    const index: RepoIndex = {
      revision,
      files,
      workloads: new Map([...base.workloads].filter(([file]) => !manifests.includes(file))),
    };
    for (const r of resources) {
      if (!r.containers || r.containers.length === 0) continue;
      const list = index.workloads.get(r.file) ?? [];
      list.push(r);
      index.workloads.set(r.file, list);
    }
    this.#log.debug(
      { files: manifests.length, removed: removed.size },
      'incremental sync: reading the changed files only',
    );
    return {
      resources,
      errors,
      unchanged,
      otherWorkloads,
      gcNeeded: removed.size > 0,
      index,
      incremental: true,
    };
  }

  async run(options: { force?: boolean; signal?: AbortSignal } = {}): Promise<SyncOutcome> {
    const started = Date.now();
    const { mirror, syncState } = this.#o;
    const signal = options.signal;
    const { head, target } = await this.target(signal);
    if (!target) throw new UnverifiedHeadError(head, undefined);
    const previous = await syncState.get(signal);
    if (previous && this.#lastWritten && previous !== this.#lastWritten && !this.#warnedExternal) {
      this.#warnedExternal = true;
      this.#log.warn(
        { stored: previous, written: this.#lastWritten },
        'detected external change in sync state; the sync state should not be shared by fluxd instances',
      );
    }
    this.#log.info({ old: previous ?? '', new: target }, 'trying to sync git changes to the cluster');
    const checkout = await mirror.clone(target, signal);
    let loaded: Loaded;
    try {
      // Before any pass over the files: a git path leading out of the clone is refused, not read.
      const scope = await gitPathScope(checkout.dir, checkout.manifestDirs(), this.#o.gitPaths);
      logRefusedGitPaths(this.#log, scope);
      loaded =
        (!options.force &&
          scope.refused.length === 0 &&
          (await this.#loadChanged(checkout, target, signal))) ||
        (await this.#loadAll(checkout, target, scope, signal));
    } finally {
      await checkout.clean();
    }
    // A git-secret file that was not revealed (its path leads out of the clone) is missing from what
    // was read: as a file that did not load, it holds back GC and the sync marker.
    if (checkout.unrevealedSecrets.length > 0) {
      loaded = { ...loaded, errors: [...checkout.unrevealedSecrets, ...loaded.errors] };
    }
    for (const err of loaded.errors) this.#log.error({ err: err.message }, 'manifest not loaded');
    // Two definitions of one resource: neither is applied (which one is meant is the author's call).
    const duplicated = new Set(
      loaded.errors
        .filter((e) => e instanceof DuplicateResourceError)
        .map((e) => (e as DuplicateResourceError).id),
    );
    if (duplicated.size > 0) {
      loaded = { ...loaded, resources: loaded.resources.filter((r) => !duplicated.has(r.id.toString())) };
    }
    const gcWanted = (this.#o.gc.enabled || this.#o.gc.dryRun) && loaded.gcNeeded;
    const changes = await syncResources(this.#o.kube, loaded.resources, {
      syncSetName: this.#o.syncSet,
      force: options.force ?? false,
      ...(gcWanted
        ? {
            gc: {
              dryRun: !this.#o.gc.enabled && this.#o.gc.dryRun,
              ...(this.#o.gc.maxDeletions ? { maxDeletions: this.#o.gc.maxDeletions } : {}),
            },
          }
        : {}),
      ...(loaded.unchanged.size > 0 ? { unchanged: loaded.unchanged } : {}),
      loadErrors: loaded.errors.length,
      discovery: this.#discovery,
      logger: this.#log,
      ...(this.#o.allowNamespaces?.length ? { allowNamespaces: this.#o.allowNamespaces } : {}),
      ...(this.#o.excludeResources ? { excludeResources: this.#o.excludeResources } : {}),
      ...(this.#o.kubectl ? { kubectl: this.#o.kubectl } : {}),
      ...(signal ? { signal } : {}),
    });
    this.#index = loaded.errors.length === 0 && !this.#o.manifestGeneration ? loaded.index : undefined;
    const failed = new Set(changes.changes.filter((c) => c.action === 'failed').map((c) => c.id));
    this.#retryFiles = new Set(
      [...(this.#index?.files ?? [])]
        .filter(([, entries]) => entries.some((e) => failed.has(e.id)))
        .map(([f]) => f),
    );
    const commits = previous === target ? [] : await mirror.commitsBetween(previous, target, signal);
    const notes =
      previous === undefined || previous === target
        ? []
        : await notesBetween(mirror, this.#o.notesRef, previous, target, signal);
    const markerMoved = loaded.errors.length === 0;
    if (!markerMoved) {
      this.#log.warn(
        { revision: target, loadErrors: loaded.errors.length },
        'sync marker not moved: manifests failed to load (the rest was applied; fix them and push)',
      );
      this.#lastWritten = previous;
    } else if (previous !== target) {
      await syncState.update(target, signal);
      this.#lastWritten = target;
    } else {
      this.#lastWritten = previous;
    }
    return {
      revision: target,
      previous,
      commits,
      notes,
      changes,
      loadErrors: loaded.errors,
      resources: [...loaded.resources, ...loaded.otherWorkloads],
      durationMs: Date.now() - started,
      incremental: loaded.incremental,
      markerMoved,
    };
  }
}
