import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Flux v1's label names (`flux-v1.md` §10). */
export type RequestLabel = 'method' | 'route' | 'status_code' | 'ws';

/**
 * Every Prometheus metric of Flux v1 (`flux-v1.md` §10), with Flux v1's names, types, labels and
 * buckets, registered on one registry.
 */
export interface FluxMetrics {
  readonly registry: Registry;
  /** `flux_request_duration_seconds{method,route,status_code,ws}`: HTTP API requests. */
  readonly requestDuration: Histogram<RequestLabel>;
  /** `flux_daemon_sync_duration_seconds{success}`: one git-to-cluster sync. */
  readonly syncDuration: Histogram<'success'>;
  /** `flux_daemon_job_duration_seconds{success}`: one job's execution. */
  readonly jobDuration: Histogram<'success'>;
  /** `flux_daemon_queue_duration_seconds`: time a job waited in the queue. */
  readonly queueDuration: Histogram<string>;
  /** `flux_daemon_queue_length_count`: jobs waiting. */
  readonly queueLength: Gauge<string>;
  /** `flux_daemon_sync_manifests{success}`: resources applied OK (`true`) or failed (`false`). */
  readonly syncManifests: Gauge<'success'>;
  /** `flux_git_ready`: 1 when the git mirror is ready, else 0. */
  readonly gitReady: Gauge<string>;
  /** `flux_registry_fetch_duration_seconds{success}`: image metadata cache reads. */
  readonly registryFetchDuration: Histogram<'success'>;
  /** `flux_client_fetch_duration_seconds{kind,success}`: remote registry calls (`tags`/`metadata`). */
  readonly clientFetchDuration: Histogram<'kind' | 'success'>;
  /** `flux_cache_request_duration_seconds{method,success}`: cache `GetKey`/`SetKey`. */
  readonly cacheRequestDuration: Histogram<'method' | 'success'>;
  /** `flux_fluxsvc_release_duration_seconds{release_type,release_kind,success}`. */
  readonly releaseDuration: Histogram<'release_type' | 'release_kind' | 'success'>;
  /** `flux_fluxsvc_release_stage_duration_seconds{stage}`. */
  readonly releaseStageDuration: Histogram<'stage'>;
  /** `flux_fluxd_connection_duration_seconds{target}`: age of the upstream connection (`--connect`). */
  readonly connectionDuration: Gauge<'target'>;
}

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /** Also collect the default process metrics (default true). */
  defaultMetrics?: boolean;
}

/** Prometheus' default buckets (Go's `prometheus.DefBuckets`). */
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Buckets of `flux_daemon_sync_duration_seconds`. */
export const SYNC_BUCKETS: readonly number[] = [0.5, 5, 10, 20, 30, 40, 50, 60, 75, 90, 120, 240];
/** Buckets of `flux_daemon_job_duration_seconds` and `flux_daemon_queue_duration_seconds`. */
export const JOB_BUCKETS: readonly number[] = [0.1, 0.5, 1, 2, 5, 10, 15, 20, 30, 45, 60, 120];

/** Creates (and registers on `registry`, a new one by default) every Flux v1 metric. */
export function createMetrics(
  registry: Registry = new Registry(),
  options: MetricsOptions = {},
): FluxMetrics {
  const registers = [registry];
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return {
    registry,
    requestDuration: new Histogram({
      name: 'flux_request_duration_seconds',
      help: 'Time (in seconds) spent serving HTTP requests.',
      labelNames: ['method', 'route', 'status_code', 'ws'],
      buckets: [...DEFAULT_BUCKETS],
      registers,
    }),
    syncDuration: new Histogram({
      name: 'flux_daemon_sync_duration_seconds',
      help: 'Duration of git-to-cluster synchronisation, in seconds.',
      labelNames: ['success'],
      buckets: [...SYNC_BUCKETS],
      registers,
    }),
    jobDuration: new Histogram({
      name: 'flux_daemon_job_duration_seconds',
      help: 'Duration of job execution, in seconds.',
      labelNames: ['success'],
      buckets: [...JOB_BUCKETS],
      registers,
    }),
    queueDuration: new Histogram({
      name: 'flux_daemon_queue_duration_seconds',
      help: 'Duration of time spent in the job queue before execution, in seconds.',
      buckets: [...JOB_BUCKETS],
      registers,
    }),
    queueLength: new Gauge({
      name: 'flux_daemon_queue_length_count',
      help: 'Count of jobs waiting in the queue to be run.',
      registers,
    }),
    syncManifests: new Gauge({
      name: 'flux_daemon_sync_manifests',
      help: 'Number of synchronized manifests',
      labelNames: ['success'],
      registers,
    }),
    gitReady: new Gauge({
      name: 'flux_git_ready',
      help: 'Whether the git repository is ready (1) or not (0).',
      registers,
    }),
    registryFetchDuration: new Histogram({
      name: 'flux_registry_fetch_duration_seconds',
      help: 'Duration of Image metadata fetches, in seconds.',
      labelNames: ['success'],
      buckets: [...DEFAULT_BUCKETS],
      registers,
    }),
    clientFetchDuration: new Histogram({
      name: 'flux_client_fetch_duration_seconds',
      help: 'Duration of remote image metadata requests',
      labelNames: ['kind', 'success'],
      buckets: [...DEFAULT_BUCKETS],
      registers,
    }),
    cacheRequestDuration: new Histogram({
      name: 'flux_cache_request_duration_seconds',
      help: 'Duration of cache requests, in seconds.',
      labelNames: ['method', 'success'],
      buckets: [...DEFAULT_BUCKETS],
      registers,
    }),
    releaseDuration: new Histogram({
      name: 'flux_fluxsvc_release_duration_seconds',
      help: 'Release method duration in seconds.',
      labelNames: ['release_type', 'release_kind', 'success'],
      buckets: [...DEFAULT_BUCKETS],
      registers,
    }),
    releaseStageDuration: new Histogram({
      name: 'flux_fluxsvc_release_stage_duration_seconds',
      help: 'Duration in seconds of each stage of a release, including dry-runs.',
      labelNames: ['stage'],
      buckets: [...DEFAULT_BUCKETS],
      registers,
    }),
    connectionDuration: new Gauge({
      name: 'flux_fluxd_connection_duration_seconds',
      help: 'Duration in seconds of the current connection to fluxsvc. Zero means unconnected.',
      labelNames: ['target'],
      registers,
    }),
  };
}
