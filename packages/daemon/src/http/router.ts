import type {
  ContainerField,
  FluxApi,
  ListImagesOptions,
  ListServicesOptions,
  Logger,
  ReleaseImageSpecJson,
} from '@flux-ts/core';
import {
  CONTAINER_FIELDS,
  ErrorKind,
  FluxError,
  noopLogger,
  parseImageRef,
  parseResourceId,
} from '@flux-ts/core';
import type { Request, Response, Router } from 'express';
import express from 'express';
import {
  parseChange,
  parseJsonBody,
  parsePolicyUpdates,
  parseRegenerate,
  parseUpdateSpec,
} from './body-schemas.ts';
import {
  badRequestError,
  deprecatedError,
  genericHelp,
  notFoundError,
  payloadTooLargeError,
  renderError,
  toWireError,
} from './errors.ts';
import { goJson } from './go-json.ts';
import type { RouteName } from './routes.ts';
import { matchApiRoute, splitUrl } from './routes.ts';

/** Options of {@link createApiRouter}. */
export interface ApiRouterOptions {
  /** Where request errors are logged. */
  logger?: Logger;
  /** Largest request body accepted, in bytes (default 1 MiB); larger is a 413. */
  bodyLimit?: number;
}

/** The default request body limit: 1 MiB. */
export const DEFAULT_BODY_LIMIT: number = 1024 * 1024;

const ALL = '<all>';
const ALL_LATEST = '<all latest>';

/** What a handler answers: a status and, unless empty, a value to encode as JSON. */
type Reply = { status: number; json?: unknown };

interface Call {
  req: Request;
  query: URLSearchParams;
  signal: AbortSignal;
  body(): Promise<Buffer>;
}

type Handler = (call: Call) => Promise<Reply>;

function userError(message: string): FluxError {
  return new FluxError(message, {
    code: 'http.invalid-query',
    kind: ErrorKind.User,
    help: genericHelp(message),
  });
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Flux v1's `update.ParseResourceSpec`: `<all>` or a resource ID (normalised); else a 400. */
function parseResourceSpec(value: string, what: string): string {
  if (value === ALL) return ALL;
  try {
    return parseResourceId(value).toString();
  } catch (err) {
    throw badRequestError(`parsing ${what} "${value}": ${errorMessage(err)}`);
  }
}

/** Flux v1's `update.ParseImageSpec`: `<all latest>` or an image reference with a tag. */
function parseImageSpec(value: string): string {
  if (value === ALL_LATEST) return ALL_LATEST;
  try {
    const ref = parseImageRef(value);
    if (ref.tag === '') throw new Error('invalid image ID: blank tag');
    return ref.toString();
  } catch (err) {
    throw badRequestError(`parsing image spec "${value}": ${errorMessage(err)}`);
  }
}

function parseReleaseKind(value: string): 'plan' | 'execute' {
  if (value === 'plan' || value === 'execute') return value;
  throw badRequestError(`parsing release kind "${value}": invalid release kind (expected plan or execute)`);
}

/** The `namespace` and `services` query of the services listings. */
function listServicesQuery(query: URLSearchParams): ListServicesOptions {
  const namespace = query.get('namespace') ?? '';
  const servicesParam = query.get('services') ?? '';
  const services =
    servicesParam === '' ? [] : servicesParam.split(',').map((s) => parseResourceSpec(s, 'service spec'));
  if (namespace !== '' && services.length > 0) {
    throw userError("cannot filter by 'namespace' and 'workloads' at the same time");
  }
  const options: ListServicesOptions = {};
  if (namespace !== '') options.namespace = namespace;
  if (services.length > 0) options.services = services;
  return options;
}

/** The `service`, `containerFields` and `namespace` query of the images listings. */
function listImagesQuery(query: URLSearchParams): ListImagesOptions {
  const service = parseResourceSpec(query.get('service') || ALL, 'service spec');
  const namespace = query.get('namespace') ?? '';
  if (namespace !== '' && service !== ALL) {
    throw userError("cannot filter by 'namespace' and 'workload' at the same time");
  }
  const fieldsParam = query.get('containerFields') ?? '';
  const containerFields: ContainerField[] = [];
  if (fieldsParam !== '') {
    for (const field of fieldsParam.split(',')) {
      if (!(CONTAINER_FIELDS as readonly string[]).includes(field)) {
        throw userError(`${field} is an invalid field`);
      }
      containerFields.push(field as ContainerField);
    }
  }
  const options: ListImagesOptions = { service };
  if (containerFields.length > 0) options.containerFields = containerFields;
  if (namespace !== '') options.namespace = namespace;
  return options;
}

/** The legacy `POST /v6/update-images` query as a ReleaseImageSpec. */
function releaseImageSpecFromQuery(query: URLSearchParams): ReleaseImageSpecJson {
  const ServiceSpecs = query.getAll('service').map((s) => parseResourceSpec(s, 'service spec'));
  const ImageSpec = parseImageSpec(query.get('image') ?? '');
  const Kind = parseReleaseKind(query.get('kind') ?? '');
  const excludes = query.getAll('exclude').map((ex) => {
    try {
      return parseResourceId(ex).toString();
    } catch (err) {
      throw badRequestError(`parsing excluded service "${ex}": ${errorMessage(err)}`);
    }
  });
  return { ServiceSpecs, ImageSpec, Kind, Excludes: excludes.length > 0 ? excludes : null, Force: false };
}

function causeFromQuery(query: URLSearchParams): { Message: string; User: string } {
  return { Message: query.get('message') ?? '', User: query.get('user') ?? '' };
}

function handlers(api: FluxApi): Record<RouteName, Handler> {
  return {
    Ping: async ({ signal }) => {
      await api.ping({ signal });
      return { status: 204 };
    },
    Version: async ({ signal }) => ({ status: 200, json: await api.version({ signal }) }),
    Notify: async ({ body, signal }) => {
      const change = parseChange(parseJsonBody(await body()));
      await api.notifyChange(change, { signal });
      return { status: 202 };
    },
    ListServices: async ({ query, signal }) => ({
      status: 200,
      json: await api.listServices(listServicesQuery(query), { signal }),
    }),
    ListServicesWithOptions: async ({ query, signal }) => ({
      status: 200,
      json: await api.listServices(listServicesQuery(query), { signal }),
    }),
    ListImages: async ({ query, signal }) => ({
      status: 200,
      json: await api.listImages(listImagesQuery(query), { signal }),
    }),
    ListImagesWithOptions: async ({ query, signal }) => ({
      status: 200,
      json: await api.listImages(listImagesQuery(query), { signal }),
    }),
    UpdateManifests: async ({ body, signal }) => {
      const spec = parseUpdateSpec(parseJsonBody(await body()));
      return { status: 200, json: await api.updateManifests(spec, { signal }) };
    },
    JobStatus: async ({ query, signal }) => ({
      status: 200,
      json: await api.jobStatus(query.get('id') ?? '', { signal }),
    }),
    SyncStatus: async ({ query, signal }) => ({
      status: 200,
      json: await api.syncStatus(query.get('ref') ?? '', { signal }),
    }),
    Export: async ({ signal }) => {
      const yaml = await api.export({ signal });
      // Go encodes the []byte as a base64 JSON string.
      return { status: 200, json: Buffer.from(yaml, 'utf8').toString('base64') };
    },
    SyncErrors: async ({ signal }) => ({ status: 200, json: await api.syncErrors({ signal }) }),
    Why: async ({ query, signal }) => ({
      status: 200,
      json: await api.explain(query.get('workload') ?? '', query.get('container') || undefined, { signal }),
    }),
    GitRepoConfig: async ({ body, signal }) => {
      const regenerate = parseRegenerate(parseJsonBody(await body()));
      return { status: 200, json: await api.gitRepoConfig(regenerate, { signal }) };
    },
    UpdateImages: async ({ query, signal }) => {
      const spec = releaseImageSpecFromQuery(query);
      const jobId = await api.updateManifests(
        { type: 'image', cause: causeFromQuery(query), spec },
        { signal },
      );
      return { status: 200, json: jobId };
    },
    UpdatePolicies: async ({ query, body, signal }) => {
      const spec = parsePolicyUpdates(parseJsonBody(await body()));
      const jobId = await api.updateManifests(
        { type: 'policy', cause: causeFromQuery(query), spec },
        { signal },
      );
      return { status: 200, json: jobId };
    },
    GetPublicSSHKey: async ({ signal }) => ({
      status: 200,
      json: (await api.gitRepoConfig(false, { signal })).publicSSHKey,
    }),
    RegeneratePublicSSHKey: async ({ signal }) => {
      await api.gitRepoConfig(true, { signal });
      return { status: 204 };
    },
  };
}

/**
 * Reads a request body up to `limit` bytes; more is a 413, answered once the client has sent the
 * rest (read and dropped): answering while the client still writes makes it lose the answer
 * (EPIPE/reset). The server's request timeout bounds how long that takes.
 */
function readBody(req: Request, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number.isFinite(declared) && declared > limit;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      if (tooLarge) reject(payloadTooLargeError(limit));
      else resolve(Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      if (done) return;
      done = true;
      reject(err);
    });
  });
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Writes a success reply as Go's `JSONResponse` does (or an empty body for 202/204). */
function writeReply(res: Response, reply: Reply): void {
  res.status(reply.status);
  if (reply.json === undefined) {
    res.end();
    return;
  }
  const body = Buffer.from(goJson(reply.json), 'utf8');
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', String(body.length));
  res.end(body);
}

/**
 * Writes an error in Flux v1's format for the request's `Accept` header, and logs it: server-side
 * failures at error level, everything else at debug. Returns the status written.
 */
export function writeError(req: Request, res: Response, err: unknown, logger: Logger, route: string): number {
  const wire = toWireError(err);
  const fields = { route, method: req.method, status: wire.status, err: wire.message };
  if (wire.status >= 500) logger.error(fields, 'request failed');
  else if (!wire.flux) logger.warn(fields, 'request failed');
  else logger.debug(fields, 'request failed');
  if (res.headersSent) {
    res.destroy();
    return wire.status;
  }
  const rendered = renderError(wire, req.headers.accept);
  const body = Buffer.from(rendered.body, 'utf8');
  res.status(rendered.status);
  res.setHeader('Content-Type', rendered.contentType);
  res.setHeader('Content-Length', String(body.length));
  if (wire.status === 413) res.setHeader('Connection', 'close');
  res.end(body);
  return wire.status;
}

/**
 * Flux v1's API (`flux-v1.md` §1.2), to be mounted at `/api/flux`: every route, the 410 for
 * `/v1`…`/v5`, and a flux-error 404 for anything else (unknown path, wrong method, missing required
 * query parameter). Route names go to `res.locals.fluxRoute` for the request metrics.
 */
export function createApiRouter(api: FluxApi, options: ApiRouterOptions = {}): Router {
  const logger = options.logger ?? noopLogger;
  const limit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const table = handlers(api);
  const router = express.Router({ caseSensitive: true, strict: true });
  router.use((req, res) => {
    const { path, query } = splitUrl(req.url);
    const match = matchApiRoute(req.method, path, query);
    res.locals.fluxRoute = match.name;
    if (match.kind === 'deprecated') {
      writeError(req, res, deprecatedError(), logger, match.name);
      return;
    }
    if (match.kind === 'not-found') {
      writeError(req, res, notFoundError(decodePath(path)), logger, match.name);
      return;
    }
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort(new Error('client went away'));
    });
    const call: Call = { req, query, signal: controller.signal, body: () => readBody(req, limit) };
    table[match.name](call).then(
      (reply) => writeReply(res, reply),
      (err: unknown) => {
        writeError(req, res, err, logger, match.name);
      },
    );
  });
  return router;
}
