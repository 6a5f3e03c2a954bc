import { readFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { Daemon } from '../daemon/daemon.ts';
import type { EventSink } from '../events/event-sink.ts';
import { logEventSink } from '../events/event-sink.ts';
import { parseFluxdArgs } from '../flags/index.ts';
import { createHttpApp, createMetricsApp, type Listening, listen } from '../http/index.ts';
import { createLogger } from '../logging/logger.ts';
import { createMetrics } from '../metrics/index.ts';
import { startUpstream, UpstreamDeprecatedError } from '../upstream/upstream.ts';
import { composeDaemon } from './compose.ts';
import { fullGc } from './gc.ts';
import { fluxdVersion } from './version.ts';

/** Where fluxd writes and what stops it. */
export interface RunFluxdOptions {
  stdout?: Pick<Writable, 'write'>;
  stderr?: Pick<Writable, 'write'>;
  /** Aborting it shuts fluxd down gracefully (SIGTERM in the binary). */
  signal?: AbortSignal;
  /** Called once the API listens (tests read the port). */
  onListening?: (port: number) => void;
}

/**
 * Runs fluxd with `argv` until `signal` aborts; resolves with the process exit code (0 after a
 * graceful stop or `--help`/`--version`; 1 for bad flags or a start-up failure; 2 for an unknown flag).
 */
export async function runFluxd(argv: readonly string[], options: RunFluxdOptions = {}): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const version = fluxdVersion();
  const parsed = parseFluxdArgs(argv);
  if (parsed.kind === 'help') {
    stdout.write(parsed.text.endsWith('\n') ? parsed.text : `${parsed.text}\n`);
    return 0;
  }
  if (parsed.kind === 'version') {
    stdout.write(`${version}\n`);
    return 0;
  }
  if (parsed.kind === 'error') {
    stderr.write(`${parsed.message}\nRun 'fluxd --help' for the list of flags.\n`);
    return /^(unknown|flag needs)/.test(parsed.message) ? 2 : 1;
  }
  const config = parsed.config;
  const logger = createLogger({ format: config.logFormat, destination: stderr });
  for (const warning of parsed.warnings) logger.warn({}, warning);
  logger.info({ version }, 'starting fluxd');
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;

  const metrics = createMetrics();
  const gc = fullGc();
  let composed: Awaited<ReturnType<typeof composeDaemon>>;
  try {
    composed = await composeDaemon(config, { version, logger });
  } catch (err) {
    logger.error({ err: (err as Error).message }, 'cannot start fluxd');
    return 1;
  }
  const git = composed.options.git;
  logger.info(
    {
      url: git ? git.mirror.displayUrl : '',
      branch: config.gitBranch,
      path: config.gitPath.join(','),
      user: config.gitUser,
      email: config.gitEmail,
      'signing-key': config.gitSigningKey,
      'verify-signatures-mode': config.gitVerifySignaturesMode,
      'sync-tag': config.gitSyncTag,
      state: config.syncState,
      readonly: config.gitReadonly,
      'registry-disable-scanning': config.registryDisableScanning,
      'notes-ref': config.gitNotesRef,
      'set-author': config.gitSetAuthor,
      'git-secret': config.gitSecret,
      sops: config.sops,
    },
    'git config',
  );

  let apiToken: string | undefined;
  if (config.apiTokenFile) {
    try {
      apiToken = (await readFile(config.apiTokenFile, 'utf8')).trim();
    } catch (err) {
      logger.error(
        { file: config.apiTokenFile, err: (err as NodeJS.ErrnoException).code },
        'cannot read --api-token-file',
      );
      await composed.close();
      return 1;
    }
    if (!apiToken) {
      logger.error({ file: config.apiTokenFile }, '--api-token-file is empty');
      await composed.close();
      return 1;
    }
  }

  let events: EventSink = logEventSink(logger);
  let upstreamDone: Promise<void> | undefined;
  const listeners: Listening[] = [];
  let exitCode = 0;
  try {
    const daemon = new Daemon({
      ...composed.options,
      refreshCredentials: (hosts) => composed.refreshCredentials(hosts),
      events: { logEvent: (event, s) => events.logEvent(event, s) },
      onSync: (outcome, error) => {
        metrics.syncDuration.observe(
          { success: String(error === undefined) },
          (outcome?.durationMs ?? 0) / 1000,
        );
        // Give the sync's garbage back now, while the loop is idle (see fullGc).
        setImmediate(() => gc?.());
        if (outcome) {
          const failed = outcome.changes.changes.filter((c) => c.action === 'failed').length;
          metrics.syncManifests.set({ success: 'true' }, outcome.changes.changes.length - failed);
          metrics.syncManifests.set({ success: 'false' }, failed);
        }
      },
      onJob: (_id, status) => {
        metrics.jobDuration.observe({ success: String(status.StatusString === 'succeeded') }, 0);
      },
    });
    composed.setImagesChanged(() => daemon.imagesChanged());

    const app = createHttpApp({
      api: daemon,
      metrics,
      logger,
      serveMetrics: !config.listenMetrics,
      ...(apiToken ? { apiToken } : {}),
      ready: () => !git || git.mirror.status().status === 'ready',
    });
    const main = await listen(app, config.listen, signal);
    listeners.push(main);
    logger.info({ addr: config.listen, port: main.port }, 'listening for API requests');
    if (config.listenMetrics) {
      const m = await listen(createMetricsApp(metrics.registry), config.listenMetrics, signal);
      listeners.push(m);
      logger.info({ addr: config.listenMetrics, port: m.port }, 'listening for metrics');
    }
    if (config.connect) {
      const upstream = startUpstream({
        url: config.connect,
        token: config.token,
        version,
        api: daemon,
        rpcTimeoutMs: config.rpcTimeoutMs,
        logger,
        signal,
        onConnectionChange: (connected) =>
          metrics.connectionDuration.set({ target: config.connect }, connected ? 1 : 0),
      });
      events = upstream;
      upstreamDone = upstream.done.catch((err: unknown) => {
        if (err instanceof UpstreamDeprecatedError) {
          logger.error({}, err.message);
          exitCode = 1;
          stop.abort();
        }
      });
    }
    const gitReady = setInterval(() => {
      metrics.gitReady.set(git && git.mirror.status().status === 'ready' ? 1 : 0);
    }, 1000);
    gitReady.unref();
    options.onListening?.(main.port);
    await daemon.start(signal);
    clearInterval(gitReady);
    logger.info({}, 'shutting down');
  } catch (err) {
    if (!signal.aborted) {
      logger.error({ err: (err as Error).message }, 'fluxd failed');
      exitCode = 1;
    }
  } finally {
    stop.abort();
    for (const l of listeners) await l.close().catch(() => undefined);
    await upstreamDone;
    await composed.close();
    logger.info({ exitCode }, 'stopped');
  }
  return exitCode;
}
