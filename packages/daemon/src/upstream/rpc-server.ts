import type {
  ChangeJson,
  Clock,
  ContainerField,
  FluxApi,
  FluxErrorJson,
  Logger,
  UpdateSpecJson,
} from '@flux-ts/core';
import { isFluxError, noopLogger, systemClock } from '@flux-ts/core';
import { encodeRpcResponse, goField, type RpcRequest } from './json-rpc.ts';

/**
 * fluxd as the RPC server of the upstream connection: Flux v1's `RPCServer` (`pkg/remote/rpc`).
 * Each method calls the {@link FluxApi} with the `--rpc-timeout` and wraps the outcome as Go does:
 * a flux error becomes `ApplicationError` in a successful response; any other error becomes the
 * JSON-RPC `error` string.
 */

/** The name Go's `net/rpc` registers the server under. */
export const RPC_SERVICE = 'RPCServer';

/** Options of {@link createRpcServer}. */
export interface RpcServerOptions {
  api: FluxApi;
  /** `--rpc-timeout`: each call is aborted and answered with an error after this long. */
  timeoutMs: number;
  clock?: Clock;
  logger?: Logger;
}

/** Answers decoded requests. */
export interface RpcServer {
  /** Runs one call; resolves with the encoded response line (never rejects). */
  serve(request: RpcRequest, signal?: AbortSignal): Promise<string>;
}

/** A Go `net/rpc` error: goes to the response's `error` string. */
class RpcCallError extends Error {}

/** `{type, help, error}` of a flux error (`error` omitted when empty). */
export function applicationError(err: unknown): FluxErrorJson | null {
  if (!isFluxError(err)) return null;
  return { type: err.kind, help: err.help, ...(err.message ? { error: err.message } : {}) };
}

/** Go's zero `job.Status`, the `Result` of a failed `JobStatus`. */
const zeroJobStatus = { Result: { spec: null }, Err: '', StatusString: '' } as const;

/** Go's zero `v6.GitConfig`, the `Result` of a failed `GitRepoConfig`. */
const zeroGitConfig = {
  remote: { url: '', branch: '', path: '' },
  publicSSHKey: { key: '', fingerprints: null },
  status: '',
  errors: '',
} as const;

type Handler = (arg: unknown, signal: AbortSignal) => Promise<unknown>;

/** Go's zero value for a missing argument, and a type check for a present one. */
function stringArg(arg: unknown): string {
  if (arg === undefined || arg === null) return '';
  if (typeof arg !== 'string')
    throw new RpcCallError(`json: cannot unmarshal ${goTypeName(arg)} into Go value of type string`);
  return arg;
}

function boolArg(arg: unknown): boolean {
  if (arg === undefined || arg === null) return false;
  if (typeof arg !== 'boolean')
    throw new RpcCallError(`json: cannot unmarshal ${goTypeName(arg)} into Go value of type bool`);
  return arg;
}

function objectArg(arg: unknown, goType: string): Map<string, unknown> {
  if (arg === undefined || arg === null) return new Map();
  if (typeof arg !== 'object' || Array.isArray(arg)) {
    throw new RpcCallError(`json: cannot unmarshal ${goTypeName(arg)} into Go value of type ${goType}`);
  }
  return new Map(Object.entries(arg));
}

function goTypeName(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  return typeof value;
}

function stringListArg(arg: unknown, goType: string): string[] | undefined {
  if (arg === undefined || arg === null) return undefined;
  if (!Array.isArray(arg) || !arg.every((s) => typeof s === 'string')) {
    throw new RpcCallError(`json: cannot unmarshal ${goTypeName(arg)} into Go value of type ${goType}`);
  }
  return arg as string[];
}

/**
 * Wraps a call that returns `{Result, ApplicationError}`: flux errors become `ApplicationError`
 * with `Result` at Go's zero value, other errors propagate (to the `error` string).
 */
async function withResult<T>(
  zero: unknown,
  call: () => Promise<T>,
): Promise<{ Result: unknown; ApplicationError: FluxErrorJson | null }> {
  try {
    return { Result: await call(), ApplicationError: null };
  } catch (err) {
    const appErr = applicationError(err);
    if (appErr === null) throw err;
    return { Result: zero, ApplicationError: appErr };
  }
}

function handlers(api: FluxApi): Record<string, Handler> {
  return {
    Ping: async (_arg, signal) => {
      await api.ping({ signal });
      return {};
    },
    Version: (_arg, signal) => api.version({ signal }),
    Export: (_arg, signal) =>
      withResult(null, async () => Buffer.from(await api.export({ signal }), 'utf8').toString('base64')),
    ListServices: (arg, signal) => {
      const namespace = stringArg(arg);
      return withResult(null, () => api.listServices({ namespace }, { signal }));
    },
    ListServicesWithOptions: (arg, signal) => {
      const opts = objectArg(arg, 'v11.ListServicesOptions');
      const namespace = stringArg(goField(opts, 'Namespace'));
      const services = stringListArg(goField(opts, 'Services'), '[]resource.ID');
      return withResult(null, () => api.listServices({ namespace, services }, { signal }));
    },
    ListImages: (arg, signal) => {
      const spec = stringArg(arg);
      return withResult(null, () => api.listImages({ service: spec || undefined }, { signal }));
    },
    ListImagesWithOptions: (arg, signal) => {
      const opts = objectArg(arg, 'v10.ListImagesOptions');
      const service = stringArg(goField(opts, 'Spec'));
      const containerFields = stringListArg(goField(opts, 'OverrideContainerFields'), '[]string') as
        | ContainerField[]
        | undefined;
      const namespace = stringArg(goField(opts, 'Namespace'));
      return withResult(null, () =>
        api.listImages(
          { service: service || undefined, containerFields, namespace: namespace || undefined },
          { signal },
        ),
      );
    },
    UpdateManifests: (arg, signal) => {
      objectArg(arg, 'update.Spec');
      return withResult('', () => api.updateManifests(arg as UpdateSpecJson, { signal }));
    },
    NotifyChange: async (arg, signal) => {
      objectArg(arg, 'v9.Change');
      try {
        await api.notifyChange(arg as ChangeJson, { signal });
        return { ApplicationError: null };
      } catch (err) {
        const appErr = applicationError(err);
        if (appErr === null) throw err;
        return { ApplicationError: appErr };
      }
    },
    JobStatus: (arg, signal) => {
      const jobId = stringArg(arg);
      return withResult(zeroJobStatus, () => api.jobStatus(jobId, { signal }));
    },
    SyncStatus: (arg, signal) => {
      const ref = stringArg(arg);
      return withResult(null, () => api.syncStatus(ref, { signal }));
    },
    GitRepoConfig: (arg, signal) => {
      const regenerate = boolArg(arg);
      return withResult(zeroGitConfig, () => api.gitRepoConfig(regenerate, { signal }));
    },
  };
}

/** The message of an error, for the JSON-RPC `error` string. */
function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/** Creates the upstream RPC server over `api`. */
export function createRpcServer(options: RpcServerOptions): RpcServer {
  const methods = handlers(options.api);
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? noopLogger;

  async function call(request: RpcRequest, signal: AbortSignal | undefined): Promise<string> {
    const dot = request.method.lastIndexOf('.');
    if (dot < 0) {
      return encodeRpcResponse(request.id, null, `rpc: service/method request ill-formed: ${request.method}`);
    }
    const service = request.method.slice(0, dot);
    const name = request.method.slice(dot + 1);
    if (service !== RPC_SERVICE) {
      return encodeRpcResponse(request.id, null, `rpc: can't find service ${request.method}`);
    }
    const handler = Object.hasOwn(methods, name) ? methods[name] : undefined;
    if (!handler) return encodeRpcResponse(request.id, null, `rpc: can't find method ${request.method}`);
    if (request.params === undefined || request.params === null) {
      return encodeRpcResponse(request.id, null, 'jsonrpc: request body missing params');
    }
    if (!Array.isArray(request.params)) {
      return encodeRpcResponse(
        request.id,
        null,
        `json: cannot unmarshal ${goTypeName(request.params)} into Go value of type [1]interface {}`,
      );
    }
    const arg: unknown = request.params[0];

    const controller = new AbortController();
    const onAbort = (): void => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = new AbortController();
    const started = clock.now();
    // Set before aborting: the handler may reject (synchronously, on abort) before the race sees it.
    let timedOut: RpcCallError | undefined;
    try {
      const timeout = clock.sleep(options.timeoutMs, timer.signal).then(
        () => {
          timedOut = new RpcCallError(
            `${request.method}: deadline exceeded after ${options.timeoutMs}ms (--rpc-timeout)`,
          );
          controller.abort(timedOut);
          throw timedOut;
        },
        () => new Promise<never>(() => {}),
      );
      const result = await Promise.race([handler(arg, controller.signal), timeout]);
      return encodeRpcResponse(request.id, result, null);
    } catch (err) {
      const message = messageOf(timedOut ?? err);
      logger.warn({ method: request.method, ms: clock.now() - started, err: message }, 'upstream RPC failed');
      return encodeRpcResponse(request.id, null, message);
    } finally {
      timer.abort();
      signal?.removeEventListener('abort', onAbort);
    }
  }

  return {
    serve: (request, signal) => call(request, signal),
  };
}
