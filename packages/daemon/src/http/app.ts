import type { FluxApi, Logger } from '@flux-ts/core';
import { ErrorKind, FluxError, noopLogger } from '@flux-ts/core';
import type { Express, NextFunction, Request, Response } from 'express';
import express from 'express';
import type { Registry } from 'prom-client';
import type { FluxMetrics } from '../metrics/metrics.ts';
import { createMetrics } from '../metrics/metrics.ts';
import { authorizationMatches } from './auth.ts';
import { notFoundError, unauthorizedError } from './errors.ts';
import { createApiRouter, writeError } from './router.ts';
import { matchApiRoute, splitUrl } from './routes.ts';

/** Where the API is mounted. */
export const API_PREFIX: string = '/api/flux';

/** Options of {@link createHttpApp}. */
export interface HttpAppOptions {
  api: FluxApi;
  /** Metrics to record requests in and serve; a fresh set by default. */
  metrics?: FluxMetrics;
  logger?: Logger;
  /** Serve `GET /metrics` on this app (default true); false with `--listen-metrics`. */
  serveMetrics?: boolean;
  /** When set, every route but /healthz and /readyz needs `Authorization: Bearer <token>`. */
  apiToken?: string;
  /** Readiness for `GET /readyz` (default: always ready). */
  ready?: () => boolean | Promise<boolean>;
  /** Largest request body accepted, in bytes (default 1 MiB). */
  bodyLimit?: number;
}

const UNAUTHENTICATED_PATHS = new Set(['/healthz', '/readyz']);

/** The `route` label of a request outside the API's own routes. */
function routeLabel(method: string, url: string): string {
  const { path, query } = splitUrl(url);
  if (path === '/healthz') return 'Healthz';
  if (path === '/readyz') return 'Readyz';
  if (path === '/metrics') return 'Metrics';
  if (path.startsWith(`${API_PREFIX}/`)) {
    return matchApiRoute(method, path.slice(API_PREFIX.length), query).name;
  }
  return 'NotFound';
}

function text(res: Response, status: number, body: string): void {
  res.status(status);
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(body);
}

async function serveMetrics(registry: Registry, res: Response): Promise<void> {
  const body = await registry.metrics();
  res.status(200);
  res.setHeader('Content-Type', registry.contentType);
  res.end(body);
}

function baseApp(): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('case sensitive routing', true);
  app.set('strict routing', true);
  return app;
}

/**
 * fluxd's HTTP server: the Flux v1 API under `/api/flux`, `/metrics` (unless served separately),
 * `/healthz` and `/readyz`, optional token auth, and `flux_request_duration_seconds` for every
 * request.
 */
export function createHttpApp(options: HttpAppOptions): Express {
  const logger = options.logger ?? noopLogger;
  const metrics = options.metrics ?? createMetrics();
  const token = options.apiToken;
  if (token !== undefined && token === '') {
    throw new FluxError('the API token is empty', {
      code: 'http.empty-token',
      kind: ErrorKind.User,
      help: 'Put a non-empty token in the file given to --api-token-file, or leave the flag out.',
    });
  }
  const ready = options.ready ?? (() => true);
  const app = baseApp();

  app.use((req: Request, res: Response, next: NextFunction) => {
    const start = process.hrtime.bigint();
    let recorded = false;
    // On finish (the response is written), or on close when the client went away first.
    const record = (): void => {
      if (recorded) return;
      recorded = true;
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const route = typeof res.locals.fluxRoute === 'string' ? res.locals.fluxRoute : undefined;
      metrics.requestDuration.observe(
        {
          method: req.method,
          route: route ?? routeLabel(req.method, req.originalUrl),
          status_code: String(res.statusCode),
          ws: 'false',
        },
        seconds,
      );
    };
    res.once('finish', record);
    res.once('close', record);
    next();
  });

  app.get('/healthz', (_req, res) => text(res, 200, 'ok'));
  app.get('/readyz', (_req, res) => {
    Promise.resolve()
      .then(ready)
      .then(
        (ok) => text(res, ok ? 200 : 503, ok ? 'ok' : 'not ready'),
        (err: unknown) => {
          logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'readiness check failed');
          text(res, 503, 'not ready');
        },
      );
  });

  if (token !== undefined) {
    app.use((req: Request, res: Response, next: NextFunction) => {
      if (UNAUTHENTICATED_PATHS.has(req.path)) {
        next();
        return;
      }
      if (authorizationMatches(req.headers.authorization, token)) {
        next();
        return;
      }
      res.setHeader('WWW-Authenticate', 'Bearer realm="fluxd"');
      writeError(req, res, unauthorizedError(), logger, routeLabel(req.method, req.originalUrl));
    });
  }

  if (options.serveMetrics ?? true) {
    app.get('/metrics', (_req, res, next) => {
      serveMetrics(metrics.registry, res).catch(next);
    });
  }

  app.use(API_PREFIX, createApiRouter(options.api, { logger, bodyLimit: options.bodyLimit }));

  app.use((req: Request, res: Response) => {
    writeError(req, res, notFoundError(req.path), logger, 'NotFound');
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    writeError(req, res, err, logger, routeLabel(req.method, req.originalUrl));
  });
  return app;
}

/** The `--listen-metrics` server: `GET /metrics` only. */
export function createMetricsApp(registry: Registry): Express {
  const app = baseApp();
  app.get('/metrics', (_req, res, next) => {
    serveMetrics(registry, res).catch(next);
  });
  app.use((req: Request, res: Response) => {
    writeError(req, res, notFoundError(req.path), noopLogger, 'NotFound');
  });
  return app;
}
