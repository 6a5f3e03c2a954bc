import { setMaxListeners } from 'node:events';
import {
  type CallOptions,
  type ChangeJson,
  type Clock,
  type ContainerExplanationJson,
  type ControllerStatusJson,
  explainContainer,
  type FluxApi,
  type FluxError,
  formatGoTime,
  type GitConfigJson,
  type ImageInfo,
  type ImageStatusJson,
  type JobStatusJson,
  JobStatusString,
  type ListImagesOptions,
  type ListServicesOptions,
  type Logger,
  noopLogger,
  parseImageRef,
  type Resource,
  type ResourceErrorJson,
  releaseWorkload,
  type SyncStateStore,
  systemClock,
  type UpdateSpecJson,
} from '@flux-ts/core';
import {
  GitUnreachableError,
  type Mirror,
  RepoStatus,
  safeGitUrl,
  UnverifiedHeadError,
  type VerifiedHead,
} from '@flux-ts/git';
import {
  exportCluster,
  type KubeClient,
  kubeRequest,
  listWorkloads,
  syncSetName,
  type WorkloadStatus,
} from '@flux-ts/k8s';
import { type RepositoryMetadata, type ScanDemand, type Scanner, scanDemands } from '@flux-ts/registry';
import type { EventSink } from '../events/event-sink.ts';
import { runAutomation } from '../jobs/automation.ts';
import type { JobContext } from '../jobs/context.ts';
import { newJobId } from '../jobs/job-id.ts';
import { JobFailure, JobQueue, type JobResult } from '../jobs/job-queue.ts';
import { runPolicyUpdate } from '../jobs/policy.ts';
import { runRelease } from '../jobs/release.ts';
import type { Keyring } from '../keyring/keyring.ts';
import { buildImageStatuses, buildServiceStatuses, imageRepositories, RepoState } from '../listing/index.ts';
import { loadRepoResources } from '../repo/load-resources.ts';
import { findJobNote } from '../repo/notes.ts';
import { type SyncOutcome, SyncPipeline } from '../sync/sync-pipeline.ts';
import { commitEvent, syncEvents } from './daemon-events.ts';
import {
  NoRepoError,
  ReadOnlyRepoError,
  RepoNotReadyError,
  UnknownJobError,
  UnknownRevisionError,
  UnknownUpdateTypeError,
  WorkloadNotInRepoError,
} from './errors.ts';
import { sleepOrWake, Wake } from './wake.ts';

/** The git side of a daemon (absent without `--git-url`). */
export interface DaemonGit {
  mirror: Mirror;
  /** `--git-url` as given (the API shows its safe form). */
  url: string;
  branch: string;
  /** `--git-path` as given. */
  paths: readonly string[];
  readonly: boolean;
  syncState: SyncStateStore;
  /** Signature verification of the commits to sync (mode other than none). */
  verify?: ((signal?: AbortSignal) => Promise<VerifiedHead>) | undefined;
  notesRef: string;
}

/** Everything a {@link Daemon} runs with: the components (already built) and the loop settings. */
export interface DaemonOptions {
  version: string;
  kube: KubeClient;
  git?: DaemonGit | undefined;
  /** Undefined with `--registry-disable-scanning`. */
  scanner?: Scanner | undefined;
  keyring: Keyring;
  sync: {
    manifestGeneration: boolean;
    defaultNamespace?: string | undefined;
    sops: boolean;
    gc: { enabled: boolean; dryRun: boolean; maxDeletions?: number | undefined };
    excludeResources?: readonly string[];
    kubectl?: string | undefined;
  };
  /** `--k8s-allow-namespace`; empty = all. */
  namespaces: readonly string[];
  intervals: {
    /** `--sync-interval`: a full pass (everything re-applied) this often. */
    syncMs: number;
    /** `--git-poll-interval`. */
    gitPollMs: number;
    /** `--automation-interval`. */
    automationMs: number;
    /** `--automation-settle`: new tags wait this long so a burst becomes one commit. */
    automationSettleMs: number;
    /** `--sync-timeout`: bounds a sync and a job. */
    syncTimeoutMs: number;
  };
  clock?: Clock;
  logger?: Logger;
  events?: EventSink;
  /**
   * Resolves registry credentials for these hosts (image pull secrets, docker config, ECR) before
   * the warmer scans the images a sync brought in.
   */
  refreshCredentials?: (hosts: readonly string[]) => Promise<void>;
  /** Called after each sync (metrics, tests). */
  onSync?: (outcome: SyncOutcome | undefined, error: Error | undefined) => void;
  /** Called after each job. */
  onJob?: (id: string, status: JobStatusJson) => void;
}

const NOT_READY_RETRY_MS = 10_000;

function withTimeout(signal: AbortSignal | undefined, ms: number): AbortSignal {
  const timeout = AbortSignal.timeout(ms);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  // One signal fans out to many concurrent requests (applies, lists, registry calls).
  setMaxListeners(0, combined);
  return combined;
}

/** The resources that are workloads (have containers), by ID. */
function workloadsOf(resources: readonly Resource[]): Map<string, Resource> {
  const out = new Map<string, Resource>();
  for (const r of resources) if (r.containers && r.containers.length > 0) out.set(r.id.toString(), r);
  return out;
}

/** Host and path of a git URL, for "is this notification about our repo?" (scheme, user, `.git` ignored). */
export function repoKey(url: string): string {
  const safe = safeGitUrl(url)
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/^[^@/]*@/, '');
  return safe
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .replace(/\/+/g, '/')
    .replace(/^([^/]*)\//, '$1/')
    .toLowerCase();
}

/**
 * fluxd: one loop that serialises syncs, jobs and automation passes, fed by a git poller, a sync
 * timer, an automation timer and the registry warmer; and the Flux v1 API over it ({@link FluxApi}).
 * Everything runs on the injected clock and stops with one AbortSignal.
 */
export class Daemon implements FluxApi {
  readonly #o: DaemonOptions;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #queue = new JobQueue();
  readonly #work = new Wake();
  readonly #gitWake = new Wake();
  readonly #pipeline: SyncPipeline | undefined;
  #syncRequested: { force: boolean } | undefined;
  #automationDue = false;
  #settling = false;
  #lastSynced: string | undefined;
  /** Where this process last moved the sync marker (a sync with load errors does not move it). */
  #markerAt: string | undefined;
  /** The head the last sync started from (a failed sync is retried by the timer or a new head, as in Flux v1). */
  #lastAttempted: string | undefined;
  #syncErrors = new Map<string, string>();
  /** Resources that failed to apply and files that failed to load in the last sync. */
  #lastSyncProblems: ResourceErrorJson[] = [];
  /**
   * The workloads defined in git at one revision (resources with containers; the rest is not kept,
   * so memory does not grow with the size of the repository), and whether every file loaded.
   */
  #repoView: { revision: string; resources: Map<string, Resource>; complete: boolean } | undefined;
  #imageRepos: string[] = [];
  /** The same repositories for the warmer, with the tag filters of the automated containers that run them. */
  #scanDemands: ScanDemand[] = [];
  #running: Promise<void> | undefined;
  #signal: AbortSignal | undefined;
  #busy = false;

  constructor(options: DaemonOptions) {
    this.#o = options;
    this.#log = options.logger ?? noopLogger;
    this.#clock = options.clock ?? systemClock;
    const git = options.git;
    if (git) {
      this.#pipeline = new SyncPipeline({
        mirror: git.mirror,
        syncState: git.syncState,
        verify: git.verify,
        kube: options.kube,
        syncSet: syncSetOf(git),
        gitPaths: git.paths,
        manifestGeneration: options.sync.manifestGeneration,
        defaultNamespace: options.sync.defaultNamespace,
        sops: options.sync.sops,
        gc: options.sync.gc,
        allowNamespaces: options.namespaces,
        ...(options.sync.excludeResources ? { excludeResources: options.sync.excludeResources } : {}),
        kubectl: options.sync.kubectl,
        commandTimeoutMs: options.intervals.syncTimeoutMs,
        notesRef: git.notesRef,
        logger: this.#log.child({ component: 'sync' }),
      });
    }
  }

  /** The image repositories the warmer keeps fresh: those the cluster's workloads run. */
  imageRepositories(): string[] {
    return this.#imageRepos;
  }

  /** Asks for a sync at the next turn of the loop (`force`: re-apply everything). */
  requestSync(force = false): void {
    this.#syncRequested = { force: force || (this.#syncRequested?.force ?? false) };
    this.#work.kick();
  }

  /** Asks for an automation pass at the next turn of the loop. */
  requestAutomation(): void {
    this.#automationDue = true;
    this.#work.kick();
  }

  /** New tags were seen: an automation pass after the settle window (a burst folds into one pass). */
  imagesChanged(): void {
    if (this.#settling) return;
    this.#settling = true;
    const signal = this.#signal;
    void this.#clock
      .sleep(this.#o.intervals.automationSettleMs, signal)
      .then(() => {
        this.#settling = false;
        this.requestAutomation();
      })
      .catch(() => {
        this.#settling = false;
      });
  }

  /** Asks the git poller to fetch now. */
  refreshGit(): void {
    this.#gitWake.kick();
  }

  /** Whether the loop is idle (nothing requested, nothing queued, nothing running). */
  idle(): boolean {
    return !this.#busy && !this.#syncRequested && this.#queue.length === 0 && !this.#automationDue;
  }

  /** The revision of the last successful sync. */
  lastSynced(): string | undefined {
    return this.#lastSynced;
  }

  /**
   * Runs the daemon until `signal` aborts: the loop, the git poller, the timers and (when given) the
   * registry warmer. Resolves once everything has stopped; a job in progress is abandoned (its
   * working clone is thrown away; nothing half-written reaches git, as a push is atomic).
   */
  start(signal: AbortSignal): Promise<void> {
    if (this.#running) return this.#running;
    this.#signal = signal;
    const tasks: Promise<unknown>[] = [this.#loop(signal)];
    if (this.#o.git) tasks.push(this.#gitPoller(this.#o.git, signal));
    tasks.push(this.#every(this.#o.intervals.syncMs, () => this.requestSync(true), signal));
    if (this.#automationAllowed()) {
      tasks.push(this.#every(this.#o.intervals.automationMs, () => this.requestAutomation(), signal));
    }
    if (this.#o.scanner) {
      tasks.push(
        this.#o.scanner
          .start(() => this.#scanDemands, signal)
          .catch((err: unknown) => {
            if (!signal.aborted) this.#log.error({ err: (err as Error).message }, 'registry warmer stopped');
          }),
      );
    }
    this.#running = Promise.allSettled(tasks).then(() => undefined);
    return this.#running;
  }

  #automationAllowed(): boolean {
    return Boolean(this.#o.git && !this.#o.git.readonly && this.#o.scanner);
  }

  async #every(ms: number, fn: () => void, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.#clock.sleep(ms, signal);
      } catch {
        return;
      }
      fn();
    }
  }

  async #gitPoller(git: DaemonGit, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let ready = false;
      try {
        await git.mirror.refresh(signal);
        ready = git.mirror.status().status === RepoStatus.Ready;
        if (ready) {
          const head = await git.mirror.head(signal);
          if (head !== this.#lastSynced && head !== this.#lastAttempted) this.requestSync(false);
        }
      } catch (err) {
        if (signal.aborted) return;
        this.#log.warn({ err: (err as Error).message }, 'git repository not ready');
      }
      await sleepOrWake(
        this.#clock,
        ready ? this.#o.intervals.gitPollMs : NOT_READY_RETRY_MS,
        this.#gitWake,
        signal,
      );
    }
  }

  async #loop(signal: AbortSignal): Promise<void> {
    this.requestSync(true);
    if (this.#automationAllowed()) this.requestAutomation();
    while (!signal.aborted) {
      const gitReady = this.#o.git?.mirror.status().status === RepoStatus.Ready;
      this.#busy = true;
      try {
        if (this.#syncRequested && gitReady) {
          const { force } = this.#syncRequested;
          this.#syncRequested = undefined;
          // Several triggers (a pushed job, the poller) can ask for the same head: sync it once.
          const head = force ? undefined : await this.#o.git?.mirror.head(signal);
          if (force || head !== this.#lastSynced) await this.#sync(force, signal);
        } else if (this.#queue.length > 0) {
          await this.#runJob(signal);
        } else if (this.#automationDue && gitReady && this.#automationAllowed()) {
          this.#automationDue = false;
          await this.#automate(signal);
        } else {
          this.#busy = false;
          await this.#work.wait(signal);
        }
      } catch (err) {
        if (!signal.aborted) this.#log.error({ err: (err as Error).message }, 'daemon loop step failed');
      } finally {
        this.#busy = false;
      }
    }
  }

  /** One sync pass; resolves with the error when it failed (already logged and reported). */
  async #sync(force: boolean, signal: AbortSignal): Promise<Error | undefined> {
    const pipeline = this.#pipeline;
    if (!pipeline) return undefined;
    let outcome: SyncOutcome | undefined;
    try {
      this.#lastAttempted = await this.#o.git?.mirror.head(signal);
      outcome = await pipeline.run({ force, signal: withTimeout(signal, this.#o.intervals.syncTimeoutMs) });
    } catch (err) {
      if (signal.aborted) return err as Error;
      this.#log.error({ err: (err as Error).message }, 'sync failed');
      this.#o.onSync?.(undefined, err as Error);
      return err as Error;
    }
    this.#lastSynced = outcome.revision;
    if (outcome.markerMoved) this.#markerAt = outcome.revision;
    this.#repoView = {
      revision: outcome.revision,
      resources: workloadsOf(outcome.resources),
      complete: outcome.loadErrors.length === 0,
    };
    const errors = new Map<string, string>();
    for (const c of outcome.changes.changes)
      if (c.action === 'failed') errors.set(c.id, c.reason ?? 'failed');
    this.#syncErrors = errors;
    const files = new Map(outcome.resources.map((r) => [r.id.toString(), r.file]));
    // A collection refused over its budget (not one skipped for load errors: those are listed).
    const gcRefused = outcome.loadErrors.length === 0 ? outcome.changes.gc?.refused : undefined;
    this.#lastSyncProblems = [
      ...[...errors].map(([id, error]) => ({
        ID: id,
        Path: files.get(id) ?? '',
        Error: error,
        Revision: outcome.revision,
        Stage: 'apply' as const,
      })),
      ...outcome.loadErrors.map((e) => ({
        ID: '',
        Path: fileOf(e),
        Error: e.message,
        Revision: outcome.revision,
        Stage: 'load' as const,
      })),
      ...(gcRefused
        ? [{ ID: '', Path: '', Error: gcRefused, Revision: outcome.revision, Stage: 'gc' as const }]
        : []),
    ].sort((a, b) => (a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : a.Path < b.Path ? -1 : a.Path > b.Path ? 1 : 0));
    const counts: Record<string, number> = {};
    for (const c of outcome.changes.changes) counts[c.action] = (counts[c.action] ?? 0) + 1;
    this.#log.info(
      {
        revision: outcome.revision,
        ...counts,
        loadErrors: outcome.loadErrors.length,
        incremental: outcome.incremental,
        ms: outcome.durationMs,
      },
      'sync done',
    );
    for (const event of syncEvents(outcome, this.#clock.now())) {
      await this.#o.events?.logEvent(event).catch(() => undefined);
    }
    try {
      const before = new Set(this.#imageRepos);
      const workloads = await this.#workloads(undefined, signal);
      const repos = imageRepositories(workloads);
      await this.#o
        .refreshCredentials?.([...new Set(repos.map((r) => r.split('/')[0] ?? ''))])
        .catch((err: unknown) => {
          this.#log.warn({ err: (err as Error).message }, 'cannot refresh registry credentials');
        });
      this.#imageRepos = repos;
      this.#scanDemands = scanDemands(workloads);
      // New images are scanned at once, not at the warmer's next pass.
      for (const repo of this.#imageRepos) if (!before.has(repo)) this.#o.scanner?.prioritise(repo);
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, 'cannot list workloads for the registry warmer');
    }
    this.#o.onSync?.(outcome, undefined);
  }

  async #automate(signal: AbortSignal): Promise<void> {
    const id = newJobId();
    const started = this.#clock.now();
    try {
      const result = await runAutomation(this.#jobContext(), id, {
        signal: withTimeout(signal, this.#o.intervals.syncTimeoutMs),
      });
      this.#queue.record(id, { Result: result, Err: '', StatusString: JobStatusString.Succeeded });
      await this.#afterCommit(id, result, started);
    } catch (err) {
      if (err instanceof JobFailure) this.#log.debug({}, 'automation: nothing to update');
      else if (!signal.aborted) this.#log.error({ err: (err as Error).message }, 'automation pass failed');
    }
  }

  async #afterCommit(id: string, result: JobResult, started: number): Promise<void> {
    if (!result.revision || !this.#o.git) return;
    await this.#o.events?.logEvent(commitEvent(result, started, this.#clock.now())).catch(() => undefined);
    this.#log.info({ job: id, revision: result.revision }, 'pushed commit');
    // The working clone's push already refreshed the mirror: sync the new head.
    this.requestSync(false);
  }

  async #runJob(signal: AbortSignal): Promise<void> {
    const started = this.#clock.now();
    const ran = await this.#queue.runNext(withTimeout(signal, this.#o.intervals.syncTimeoutMs));
    if (!ran) return;
    const status = this.#queue.status(ran.id);
    if (status) this.#o.onJob?.(ran.id, status);
    if (ran.error) {
      this.#log.error({ job: ran.id, err: ran.error.message }, 'job failed');
      return;
    }
    if (ran.result) await this.#afterCommit(ran.id, ran.result, started);
  }

  #jobContext(): JobContext {
    const git = this.#requireGit();
    return {
      mirror: git.mirror,
      kube: this.#o.kube,
      scanner: this.#o.scanner,
      gitPaths: git.paths,
      manifestGeneration: this.#o.sync.manifestGeneration,
      defaultNamespace: this.#o.sync.defaultNamespace,
      commandTimeoutMs: this.#o.intervals.syncTimeoutMs,
      namespaces: this.#o.namespaces,
      logger: this.#log.child({ component: 'job' }),
      listWorkloads: (signal) => this.#workloads(undefined, signal),
      verifyHead: git.verify,
      workloadsAt: (revision) =>
        this.#repoView?.revision === revision && this.#repoView.complete
          ? this.#repoView.resources
          : undefined,
    };
  }

  #requireGit(): DaemonGit {
    if (!this.#o.git) throw new NoRepoError();
    return this.#o.git;
  }

  #requireWritable(): DaemonGit {
    const git = this.#requireGit();
    if (git.readonly) throw new ReadOnlyRepoError();
    const status = git.mirror.status();
    if (status.status !== RepoStatus.Ready)
      throw new RepoNotReadyError(status.error?.message ?? status.status);
    return git;
  }

  async #workloads(namespace: string | undefined, signal?: AbortSignal): Promise<WorkloadStatus[]> {
    const allowed = this.#o.namespaces;
    let namespaces: readonly string[] = allowed;
    if (namespace) {
      if (allowed.length > 0 && !allowed.includes(namespace)) return [];
      namespaces = [namespace];
    }
    return listWorkloads(this.#o.kube, { namespaces, logger: this.#log, ...(signal ? { signal } : {}) });
  }

  /** The repo's resources at the mirror's head (cached per revision). */
  async #repo(signal?: AbortSignal): Promise<{ state: RepoState; resources?: Map<string, Resource> }> {
    const git = this.#o.git;
    if (!git) return { state: RepoState.NoRepo };
    if (git.mirror.status().status !== RepoStatus.Ready) return { state: RepoState.NotReady };
    const head = await git.mirror.head(signal);
    if (this.#repoView?.revision !== head) {
      const checkout = await git.mirror.clone(head, signal);
      try {
        const loaded = await loadRepoResources({
          dir: checkout.dir,
          manifestDirs: checkout.manifestDirs(),
          gitPaths: git.paths,
          manifestGeneration: this.#o.sync.manifestGeneration,
          defaultNamespace: this.#o.sync.defaultNamespace,
          logger: this.#log,
          commandTimeoutMs: this.#o.intervals.syncTimeoutMs,
          ...(signal ? { signal } : {}),
        });
        this.#repoView = {
          revision: head,
          resources: workloadsOf(loaded.resources),
          complete: loaded.errors.length === 0,
        };
      } finally {
        await checkout.clean();
      }
    }
    return { state: RepoState.Ready, resources: this.#repoView.resources };
  }

  // ---- FluxApi -------------------------------------------------------------------------------

  async ping(options?: CallOptions): Promise<void> {
    const res = await kubeRequest(this.#o.kube.connection, {
      path: '/version',
      ...(options?.signal ? { signal: options.signal } : {}),
    });
    if (res.status !== 200) throw new Error(`Kubernetes API server answered ${res.status} to /version`);
  }

  async version(): Promise<string> {
    return this.#o.version;
  }

  async notifyChange(change: ChangeJson): Promise<void> {
    if (change.Kind === 'git') {
      const git = this.#o.git;
      if (!git) return;
      if (repoKey(change.Source.URL) !== repoKey(git.url)) return;
      if (change.Source.Branch !== git.branch) {
        this.#log.info({ branch: change.Source.Branch }, 'notified about a different branch; ignored');
        return;
      }
      this.refreshGit();
      return;
    }
    const scanner = this.#o.scanner;
    if (!scanner) return;
    const name = parseImageRef(
      change.Source.Name.Domain
        ? `${change.Source.Name.Domain}/${change.Source.Name.Image}`
        : change.Source.Name.Image,
    ).canonicalName;
    // Only images the workloads run: an unauthenticated API must not make fluxd list and fill any
    // repository it is told about (quota, disk). A new workload's image is scanned after its sync.
    if (!this.#imageRepos.includes(name)) {
      this.#log.info({ image: name }, 'notified about an image no workload runs; ignored');
      return;
    }
    scanner.prioritise(name);
    const signal = this.#signal;
    void scanner
      .refresh(name, signal)
      .then(() => this.imagesChanged())
      .catch((err: unknown) =>
        this.#log.warn({ image: name, err: (err as Error).message }, 'rescan after notify failed'),
      );
  }

  async listServices(query: ListServicesOptions, options?: CallOptions): Promise<ControllerStatusJson[]> {
    let workloads = await this.#workloads(query.namespace, options?.signal);
    if (query.services && query.services.length > 0) {
      const wanted = new Set(query.services);
      workloads = workloads.filter((w) => wanted.has(w.id));
    }
    const repo = await this.#repo(options?.signal).catch(() => ({ state: RepoState.NotReady }) as const);
    return buildServiceStatuses({
      workloads,
      repo: 'resources' in repo ? repo.resources : undefined,
      repoState: repo.state,
      readOnly: this.#o.git?.readonly ?? false,
      syncErrors: this.#syncErrors,
    });
  }

  async listImages(query: ListImagesOptions, options?: CallOptions): Promise<ImageStatusJson[]> {
    let workloads = await this.#workloads(query.namespace, options?.signal);
    if (query.service && query.service !== '<all>')
      workloads = workloads.filter((w) => w.id === query.service);
    const repo = await this.#repo(options?.signal).catch(() => ({ state: RepoState.NotReady }) as const);
    const metadata = new Map<string, RepositoryMetadata>();
    const scanner = this.#o.scanner;
    if (scanner) {
      for (const name of imageRepositories(workloads)) metadata.set(name, await scanner.getRepository(name));
    }
    return buildImageStatuses({
      workloads,
      repo: 'resources' in repo ? repo.resources : undefined,
      metadata: (name) => metadata.get(name),
      ...(query.containerFields ? { fields: query.containerFields } : {}),
    });
  }

  async updateManifests(spec: UpdateSpecJson, options?: CallOptions): Promise<string> {
    const type = (spec as { type?: string }).type;
    switch (spec.type) {
      case 'image':
      case 'containers': {
        this.#requireWritable();
        if (spec.spec.Kind === 'plan') {
          const id = newJobId();
          const result = await runRelease(this.#jobContext(), spec, id, options?.signal);
          this.#queue.record(id, { Result: result, Err: '', StatusString: JobStatusString.Succeeded });
          return id;
        }
        return this.#enqueue((id, signal) => runRelease(this.#jobContext(), spec, id, signal));
      }
      case 'policy': {
        this.#requireWritable();
        return this.#enqueue(async (id, signal) => {
          const { result, automationRequested } = await runPolicyUpdate(this.#jobContext(), spec, id, signal);
          if (automationRequested && this.#automationAllowed()) this.requestAutomation();
          return result;
        });
      }
      case 'auto': {
        this.#requireWritable();
        return this.#enqueue((id, signal) =>
          runAutomation(this.#jobContext(), id, { explicit: spec.spec.Changes ?? [], signal }),
        );
      }
      case 'sync': {
        const git = this.#requireGit();
        return this.#enqueue(async (_id, signal) => {
          await git.mirror.refresh(signal);
          const head = await git.mirror.head(signal);
          if (git.verify) {
            const verified = await git.verify(signal);
            if (verified.verified !== head) {
              // Still sync what is verified (it puts a deleted sync tag back, as Flux v1 does).
              this.requestSync(false);
              const err = new UnverifiedHeadError(head, verified.verified);
              throw new JobFailure(err.message, verified.verified ? { revision: verified.verified } : {});
            }
          }
          // A full pass now, as Flux v1's sync applied everything: `fluxctl sync` on a head already
          // synced still repairs drift and retries what failed, and what it then reads is current.
          const failed = await this.#sync(true, signal);
          if (failed)
            throw new JobFailure(`sync of ${head.slice(0, 7)} failed: ${failed.message}`, { revision: head });
          return { revision: head };
        });
      }
      default:
        throw new UnknownUpdateTypeError(String(type));
    }
  }

  #enqueue(run: (id: string, signal: AbortSignal) => Promise<JobResult>): string {
    const id = newJobId();
    this.#queue.enqueue((signal) => run(id, signal), id);
    this.#work.kick();
    return id;
  }

  async jobStatus(jobId: string, options?: CallOptions): Promise<JobStatusJson> {
    const cached = this.#queue.status(jobId);
    if (cached) return cached;
    const git = this.#o.git;
    if (git && git.mirror.status().status === RepoStatus.Ready) {
      const found = await findJobNote(git.mirror, git.notesRef, jobId, options?.signal);
      if (found) {
        const note = found.note as { spec?: UpdateSpecJson; result?: JobResult['result'] | null };
        return {
          Result: {
            revision: found.revision,
            ...(note.spec ? { spec: note.spec } : {}),
            ...(note.result ? { result: note.result } : {}),
          },
          Err: '',
          StatusString: JobStatusString.Succeeded,
        };
      }
    }
    throw new UnknownJobError(jobId);
  }

  async syncStatus(ref: string, options?: CallOptions): Promise<string[]> {
    const git = this.#requireGit();
    const signal = options?.signal;
    if (git.mirror.status().status !== RepoStatus.Ready)
      throw new RepoNotReadyError(git.mirror.status().status);
    const resolved = await git.mirror.resolve(ref, signal);
    if (!resolved) throw new UnknownRevisionError(ref);
    // What this process applied is authoritative; the stored marker can lag behind a concurrent
    // fetch of the mirror (which prunes a tag pushed a moment later) or belong to a previous run.
    const marker = this.#markerAt ?? (await git.syncState.get(signal));
    const commits = await git.mirror.commitsBetween(marker, resolved, signal);
    return commits.map((c) => c.revision);
  }

  async export(options?: CallOptions): Promise<string> {
    void options;
    return exportCluster(this.#o.kube, { namespaces: this.#o.namespaces });
  }

  async explain(
    workload: string,
    container?: string,
    options?: CallOptions,
  ): Promise<ContainerExplanationJson[]> {
    const signal = options?.signal;
    const repo = await this.#repo(signal);
    const resource = repo.resources?.get(workload);
    if (!resource) throw new WorkloadNotInRepoError(workload);
    const planned = releaseWorkload(resource);
    const live = (await this.#workloads(resource.namespace, signal)).find((w) => w.id === workload);
    const names = container ? [container] : planned.containers.map((c) => c.name);
    const out: ContainerExplanationJson[] = [];
    for (const name of names) {
      const inGit = planned.containers.find((c) => c.name === name);
      if (!inGit) throw new WorkloadNotInRepoError(`${workload} container ${name}`);
      const running = live?.containers.find((c) => c.name === name)?.image ?? inGit.image;
      let images: ImageInfo[] = [];
      let error: string | undefined;
      if (!this.#o.scanner) error = 'registry scanning is disabled (--registry-disable-scanning)';
      else {
        try {
          const meta = await this.#o.scanner.getRepository(parseImageRef(running).canonicalName);
          images = meta.images;
          if (meta.lastUpdate === 0) error = meta.lastError ?? 'the repository has not been scanned yet';
        } catch (err) {
          error = (err as Error).message;
        }
      }
      const explained = explainContainer(planned, name, images, running);
      out.push({
        ID: workload,
        Container: name,
        Image: running,
        Filter: explained.filter,
        ...(explained.blocked ? { Blocked: explained.blocked } : {}),
        ...(error ? { Error: error } : {}),
        Tags: explained.tags.map((t) => ({
          Tag: t.tag,
          ...(t.createdAt ? { CreatedAt: formatGoTime(t.createdAt) } : {}),
          Verdict: t.verdict,
          Detail: t.detail,
        })),
      });
    }
    return out;
  }

  async syncErrors(): Promise<ResourceErrorJson[]> {
    return this.#lastSyncProblems;
  }

  async gitRepoConfig(regenerate: boolean): Promise<GitConfigJson> {
    const publicSSHKey = regenerate ? await this.#o.keyring.regenerate() : await this.#o.keyring.publicKey();
    const git = this.#o.git;
    if (!git) {
      return { remote: { url: '', branch: '', path: '' }, publicSSHKey, status: 'unconfigured', errors: '' };
    }
    const status = git.mirror.status();
    return {
      remote: { url: safeGitUrl(git.url), branch: git.branch, path: git.paths.join(',') },
      publicSSHKey,
      status: status.error instanceof GitUnreachableError ? 'unreachable' : status.status,
      errors: status.error?.message ?? '',
    };
  }
}

function syncSetOf(git: DaemonGit): string {
  return syncSetName(safeGitUrl(git.url), git.branch, git.paths);
}

/** The file a load error names: its own, its position's, or the second of two duplicate definitions. */
function fileOf(err: FluxError): string {
  const e = err as {
    file?: unknown;
    position?: { file?: unknown };
    files?: readonly unknown[];
    path?: unknown;
  };
  // A parse error's file, a duplicate's second file, or a refused git path or git-secret file.
  const file = e.file ?? e.position?.file ?? e.files?.[1] ?? e.path;
  return typeof file === 'string' ? file : '';
}
