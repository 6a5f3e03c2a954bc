import type { FluxError, Logger, Resource, SyncStateStore } from '@flux-ts/core';
import { noopLogger } from '@flux-ts/core';
import type { LogEntry, Mirror, VerifiedHead } from '@flux-ts/git';
import { UnverifiedHeadError } from '@flux-ts/git';
import { type ChangeSet, Discovery, type KubeClient, syncResources } from '@flux-ts/k8s';
import { loadRepoResources } from '../repo/load-resources.ts';
import { type JobNote, notesBetween } from '../repo/notes.ts';
import { decryptSopsFiles } from '../repo/sops.ts';

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

  constructor(options: SyncPipelineOptions) {
    this.#o = options;
    this.#log = options.logger ?? noopLogger;
    this.#discovery = new Discovery(options.kube.config);
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
    let loaded: { resources: Resource[]; errors: FluxError[] };
    try {
      const sopsErrors = this.#o.sops
        ? await decryptSopsFiles(checkout.dir, checkout.manifestDirs(), signal ? { signal } : {})
        : [];
      loaded = await loadRepoResources({
        dir: checkout.dir,
        manifestDirs: checkout.manifestDirs(),
        gitPaths: this.#o.gitPaths,
        manifestGeneration: this.#o.manifestGeneration,
        defaultNamespace: this.#o.defaultNamespace,
        logger: this.#log,
        ...(this.#o.commandTimeoutMs ? { commandTimeoutMs: this.#o.commandTimeoutMs } : {}),
        ...(signal ? { signal } : {}),
      });
      loaded.errors.unshift(...sopsErrors);
    } finally {
      await checkout.clean();
    }
    for (const err of loaded.errors) this.#log.error({ err: err.message }, 'manifest not loaded');
    const changes = await syncResources(this.#o.kube, loaded.resources, {
      syncSetName: this.#o.syncSet,
      force: options.force ?? false,
      ...(this.#o.gc.enabled || this.#o.gc.dryRun
        ? {
            gc: {
              dryRun: !this.#o.gc.enabled && this.#o.gc.dryRun,
              ...(this.#o.gc.maxDeletions ? { maxDeletions: this.#o.gc.maxDeletions } : {}),
            },
          }
        : {}),
      loadErrors: loaded.errors.length,
      discovery: this.#discovery,
      logger: this.#log,
      ...(this.#o.allowNamespaces?.length ? { allowNamespaces: this.#o.allowNamespaces } : {}),
      ...(this.#o.excludeResources ? { excludeResources: this.#o.excludeResources } : {}),
      ...(this.#o.kubectl ? { kubectl: this.#o.kubectl } : {}),
      ...(signal ? { signal } : {}),
    });
    const commits = previous === target ? [] : await mirror.commitsBetween(previous, target, signal);
    const notes =
      previous === undefined || previous === target
        ? []
        : await notesBetween(mirror, this.#o.notesRef, previous, target, signal);
    if (previous !== target) {
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
      resources: loaded.resources,
      durationMs: Date.now() - started,
    };
  }
}
