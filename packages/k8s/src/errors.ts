import { ErrorKind, FluxError } from '@flux-ts/core';

/** The API server refused or failed a request; names the object, never its content. */
export class KubeApiError extends FluxError {
  readonly status: number | undefined;
  /** The API server's own message (or the network error's). */
  readonly reason: string;

  constructor(what: string, status: number | undefined, reason: string) {
    super(`${what}: ${status === undefined ? '' : `HTTP ${status}: `}${reason}`, {
      code: 'k8s.api',
      kind:
        status === 404
          ? ErrorKind.Missing
          : status !== undefined && status < 500
            ? ErrorKind.User
            : ErrorKind.Server,
      help:
        status === 403
          ? "Grant fluxd's service account access to this object (RBAC), or restrict the namespaces it manages (--k8s-allow-namespace)."
          : 'Check the object and the API server; the message above is the API server’s.',
    });
    this.status = status;
    this.reason = reason;
  }
}

/** Names what failed on a {@link KubeApiError}, a client-node ApiException or any error, keeping the status. */
export function classifyApiError(what: string, err: unknown): KubeApiError {
  if (err instanceof KubeApiError) return new KubeApiError(what, err.status, err.reason);
  const e = err as { code?: number; body?: unknown; message?: string };
  let reason = e.message ?? String(err);
  if (typeof e.body === 'string') {
    try {
      reason = (JSON.parse(e.body) as { message?: string }).message ?? reason;
    } catch {
      reason = e.body.slice(0, 500);
    }
  } else if (e.body && typeof e.body === 'object' && 'message' in e.body) {
    reason = String((e.body as { message: unknown }).message);
  }
  return new KubeApiError(what, typeof e.code === 'number' ? e.code : undefined, reason);
}
