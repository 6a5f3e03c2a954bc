import type { ErrorKind as ErrorKindType, FluxErrorJson } from '@flux-ts/core';
import { ErrorKind, FluxError, isFluxError } from '@flux-ts/core';
import { goJson } from './go-json.ts';

/** A {@link FluxError} that also fixes the HTTP status (400, 401, 404, 410, 413). */
export class HttpError extends FluxError {
  readonly status: number;

  constructor(
    message: string,
    options: { status: number; code: string; kind: ErrorKindType; help: string; cause?: unknown },
  ) {
    super(message, options);
    this.status = options.status;
  }
}

/** Flux v1's help text for an error that has none of its own (`flux-v1.md` §1.3). */
export function genericHelp(message: string): string {
  return `Error: ${message}

We don't have a specific help message for the error above.

It would help us remedy this if you log an issue at

    https://github.com/fluxcd/flux/issues

saying what you were doing when you saw this, and quoting the message
at the top.
`;
}

/** `410`: the `/v1`…`/v5` APIs (Flux v1's `ErrorDeprecated`). */
export function deprecatedError(): HttpError {
  return new HttpError('API endpoint deprecated', {
    status: 410,
    code: 'http.deprecated',
    kind: ErrorKind.Missing,
    help: `The API endpoint requested appears to have been deprecated.

This indicates your client (fluxctl) needs to be updated: please see

    https://github.com/fluxcd/flux/releases

If you still have this problem after upgrading, please file an issue at

    https://github.com/fluxcd/flux/issues

mentioning what you were attempting to do.
`,
  });
}

/** `404`: no route for this method, path and query (Flux v1's `MakeAPINotFound`). */
export function notFoundError(path: string): HttpError {
  return new HttpError('API endpoint not found', {
    status: 404,
    code: 'http.not-found',
    kind: ErrorKind.Missing,
    help: `The API endpoint requested is not supported by this server.

This indicates that your client (probably fluxctl) is either out of
date, or faulty. Please see

    https://github.com/fluxcd/flux/releases

for releases of fluxctl.

If you still have problems, please file an issue at

    https://github.com/fluxcd/flux/issues

mentioning what you were attempting to do, and include this path:

    ${path}
`,
  });
}

/** `401`: the API token is missing or wrong (Flux v1's `ErrorUnauthorized`). */
export function unauthorizedError(): HttpError {
  return new HttpError('request failed authentication', {
    status: 401,
    code: 'http.unauthorized',
    kind: ErrorKind.User,
    help: `The request failed authentication

This most likely means you have a missing or incorrect token. Please
make sure you supply a service token, either by setting the
environment variable FLUX_SERVICE_TOKEN, or using the argument --token
with fluxctl.

`,
  });
}

/** `400`: the request body or a query parameter could not be read. */
export function badRequestError(message: string): HttpError {
  return new HttpError(message, {
    status: 400,
    code: 'http.bad-request',
    kind: ErrorKind.User,
    help: `Error: ${message}

The request could not be read. This indicates that your client (probably
fluxctl) sent a malformed request, or is for a different version of the API.
Please see

    https://github.com/fluxcd/flux/releases

for releases of fluxctl.
`,
  });
}

/** `413`: the request body is larger than the server accepts. */
export function payloadTooLargeError(limit: number): HttpError {
  const message = `request body too large (limit ${limit} bytes)`;
  return new HttpError(message, {
    status: 413,
    code: 'http.payload-too-large',
    kind: ErrorKind.User,
    help: `Error: ${message}

The request body is larger than this server accepts.
`,
  });
}

/** An error as it goes on the wire: status, Flux v1 type, help and message. */
export interface WireError {
  status: number;
  type: ErrorKindType;
  help: string;
  message: string;
  /** False when the error was not a flux error and got the generic help. */
  flux: boolean;
}

const STATUS_BY_KIND: Readonly<Record<string, number>> = {
  [ErrorKind.Missing]: 404,
  [ErrorKind.User]: 422,
  [ErrorKind.Server]: 500,
};

/**
 * Maps anything thrown to its wire form: an {@link HttpError} keeps its status, a flux error's
 * kind picks it (missing 404, user 422, server 500), and any other error becomes a `user` error
 * with Flux v1's generic help, as Flux v1 does.
 */
export function toWireError(err: unknown): WireError {
  if (err instanceof HttpError) {
    return { status: err.status, type: err.kind, help: err.help, message: err.message, flux: true };
  }
  if (isFluxError(err)) {
    return {
      status: STATUS_BY_KIND[err.kind] ?? 500,
      type: err.kind,
      help: err.help,
      message: err.message,
      flux: true,
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { status: 422, type: ErrorKind.User, help: genericHelp(message), message, flux: false };
}

/** The JSON body of an error: `{"type","help","error"}`, `error` left out when empty. */
export function errorJson(wire: WireError): FluxErrorJson {
  return wire.message === ''
    ? { type: wire.type, help: wire.help }
    : { type: wire.type, help: wire.help, error: wire.message };
}

/** The media types an error can be written as, in order of preference. */
export const ERROR_MEDIA_TYPES = ['application/json', 'text/plain'] as const;
export type ErrorMediaType = (typeof ERROR_MEDIA_TYPES)[number];

/**
 * Picks the error format from an `Accept` header as Flux v1 does: the highest `q` among
 * `application/json` and `text/plain` (ties favour JSON); `undefined` when the header is absent or
 * names neither (e.g. only `*\/*`), which means the plain message. `q=0` means "not acceptable".
 */
export function negotiateErrorType(accept: string | undefined): ErrorMediaType | undefined {
  if (!accept) return undefined;
  let best: ErrorMediaType | undefined;
  let bestQ = 0;
  for (const range of accept.split(',')) {
    const [rawType = '', ...params] = range.split(';');
    const index = (ERROR_MEDIA_TYPES as readonly string[]).indexOf(rawType.trim().toLowerCase());
    if (index < 0) continue;
    let q = 1;
    for (const param of params) {
      const eq = param.indexOf('=');
      if (eq >= 0 && param.slice(0, eq).trim().toLowerCase() === 'q') {
        const value = Number(param.slice(eq + 1).trim());
        q = Number.isFinite(value) ? value : 0;
      }
    }
    const offer = ERROR_MEDIA_TYPES[index] as ErrorMediaType;
    if (q <= 0) continue;
    if (q > bestQ || (q === bestQ && best !== undefined && index < ERROR_MEDIA_TYPES.indexOf(best))) {
      best = offer;
      bestQ = q;
    }
  }
  return best;
}

/** A rendered error response: status, headers and body. */
export interface ErrorResponse {
  status: number;
  contentType: string;
  body: string;
}

/**
 * Renders an error for a request's `Accept` header (`flux-v1.md` §1.3): JSON `{type,help,error}`
 * when JSON is preferred, the help text when text/plain is preferred, else the bare message.
 */
export function renderError(wire: WireError, accept: string | undefined): ErrorResponse {
  const type = negotiateErrorType(accept);
  if (type === 'application/json') {
    return {
      status: wire.status,
      contentType: 'application/json; charset=utf-8',
      body: goJson(errorJson(wire)),
    };
  }
  return {
    status: wire.status,
    contentType: 'text/plain; charset=utf-8',
    body: type === 'text/plain' ? wire.help : wire.message,
  };
}
