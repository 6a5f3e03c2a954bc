import { ErrorKind, FluxError, type FluxErrorJson } from '@flux-ts/core';

/** fluxd answered with a flux error (`{type, help, error}`): fluxctl prints its help. */
export class FluxApiError extends FluxError {
  readonly status: number;
  constructor(status: number, body: FluxErrorJson) {
    super(body.error ?? '', {
      code: 'api.flux-error',
      kind:
        body.type === 'missing'
          ? ErrorKind.Missing
          : body.type === 'server'
            ? ErrorKind.Server
            : ErrorKind.User,
      help: body.help,
    });
    this.status = status;
  }
}

/** fluxd (or something in between) answered with an unexpected status and no flux error. */
export class UnexpectedResponseError extends FluxError {
  readonly status: number;
  constructor(status: number, statusText: string, body: string) {
    super(`${status} ${statusText} ${body}`.trimEnd(), {
      code: 'api.unexpected-response',
      kind: ErrorKind.Server,
      help: 'Check that --url points at fluxd (it ends in /api/flux) and that fluxd is running.',
    });
    this.status = status;
  }
}

/** 401 from fluxd: the token is missing or wrong. */
export class AuthenticationError extends FluxError {
  constructor() {
    super('request failed authentication', {
      code: 'api.unauthorized',
      kind: ErrorKind.User,
      help: 'fluxd requires a token: pass it with --token or FLUX_SERVICE_TOKEN.',
    });
  }
}

/** fluxd could not be reached at all. */
export class ConnectionError extends FluxError {
  constructor(url: string, cause: unknown) {
    super(
      `cannot reach fluxd at ${url}: ${(cause as Error)?.cause instanceof Error ? ((cause as Error).cause as Error).message : (cause as Error)?.message}`,
      {
        code: 'api.connection',
        kind: ErrorKind.Server,
        help: 'Check --url (or that fluxd runs in --k8s-fwd-ns when port-forwarding) and try again.',
        cause,
      },
    );
  }
}
