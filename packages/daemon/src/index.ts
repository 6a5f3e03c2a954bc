export type { DaemonGit, DaemonOptions } from './daemon/daemon.ts';
export { Daemon, repoKey } from './daemon/daemon.ts';
export {
  NoRepoError,
  ReadOnlyRepoError,
  RepoNotReadyError,
  UnknownJobError,
  UnknownRevisionError,
  UnknownUpdateTypeError,
} from './daemon/errors.ts';
export { InvalidDurationError, parseDuration } from './duration.ts';
export type { Event } from './events/event.ts';
export { EventType, eventJson, eventText } from './events/event.ts';
export type { EventSink } from './events/event-sink.ts';
export { logEventSink } from './events/event-sink.ts';
export * from './flags/index.ts';
export type { ApiRoute, HttpAppOptions } from './http/index.ts';
export {
  API_PREFIX,
  API_ROUTES,
  createApiRouter,
  createHttpApp,
  createMetricsApp,
  listen,
  RouteName,
} from './http/index.ts';
export type { Keyring, KeyringOptions } from './keyring/keyring.ts';
export { emptyKeyring, openKeyring } from './keyring/keyring.ts';
export { buildImageStatuses, buildServiceStatuses, imageRepositories, RepoState } from './listing/index.ts';
export type { CreateLoggerOptions } from './logging/logger.ts';
export { createLogger } from './logging/logger.ts';
export type { Composed } from './main/compose.ts';
export { composeDaemon, ownNamespace } from './main/compose.ts';
export type { RunFluxdOptions } from './main/main.ts';
export { runFluxd } from './main/main.ts';
export type { FluxMetrics } from './metrics/index.ts';
export { createMetrics } from './metrics/index.ts';
export type { SyncOutcome, SyncPipelineOptions } from './sync/sync-pipeline.ts';
export { SyncPipeline } from './sync/sync-pipeline.ts';
export type { Upstream, UpstreamOptions } from './upstream/upstream.ts';
export { startUpstream, UpstreamDeprecatedError } from './upstream/upstream.ts';
