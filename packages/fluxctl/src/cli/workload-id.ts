import { ErrorKind, FluxError } from '@flux-ts/core';

/** A workload argument that is neither `ns:kind/name` nor `kind/name`. */
export class InvalidWorkloadError extends FluxError {
  constructor(value: string) {
    super(`invalid workload ID "${value}"`, {
      code: 'fluxctl.workload-id',
      kind: ErrorKind.User,
      help: 'Name a workload as <namespace>:<kind>/<name> or <kind>/<name> (the namespace then comes from --namespace).',
    });
  }
}

const QUALIFIED = /^(<cluster>|[a-zA-Z0-9_-]+):([a-zA-Z0-9_-]+)\/([a-zA-Z0-9_.:-]+)$/;
const UNQUALIFIED = /^([a-zA-Z0-9_-]+)\/([a-zA-Z0-9_.:-]+)$/;

/**
 * A workload argument as fluxctl reads it: `ns:kind/name`, or `kind/name` with `namespace` filled in;
 * the kind is lower-cased as Flux v1's resource IDs are.
 */
export function qualifyWorkload(value: string, namespace: string): string {
  const q = QUALIFIED.exec(value);
  if (q) return `${q[1]}:${(q[2] as string).toLowerCase()}/${q[3]}`;
  const u = UNQUALIFIED.exec(value);
  if (u) return `${namespace}:${(u[1] as string).toLowerCase()}/${u[2]}`;
  throw new InvalidWorkloadError(value);
}
