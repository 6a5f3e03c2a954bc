import { ErrorKind, FluxError } from '../errors.ts';

/** The namespace part of the ID of a cluster-scoped resource. */
export const CLUSTER_SCOPE = '<cluster>';

/** Thrown when a string is not a resource ID (`namespace:kind/name`). */
export class InvalidResourceIdError extends FluxError {
  constructor(input: string) {
    super(`invalid resource ID "${input}"`, {
      code: 'resource-id.invalid',
      kind: ErrorKind.User,
      help: 'Write a resource ID as <namespace>:<kind>/<name>, e.g. default:deployment/helloworld, or <cluster>:<kind>/<name> for a cluster-scoped resource.',
    });
  }
}

const idPattern = /^(<cluster>|[a-zA-Z0-9_-]+):([a-zA-Z0-9_-]+)\/([a-zA-Z0-9_.:-]+)$/;
const legacyPattern = /^([a-zA-Z0-9_-]+)\/([a-zA-Z0-9_.:-]+)$/;

/**
 * Identifies a resource as Flux does: `<namespace>:<kind>/<name>`, kind lower-cased, and
 * `<cluster>` as the namespace of cluster-scoped resources. Compare with {@link ResourceId.equals}
 * or by string.
 */
export class ResourceId {
  readonly namespace: string;
  /** Lower-cased kind. */
  readonly kind: string;
  readonly name: string;

  constructor(namespace: string, kind: string, name: string) {
    this.namespace = namespace === '' ? CLUSTER_SCOPE : namespace;
    this.kind = kind.toLowerCase();
    this.name = name;
  }

  get clusterScoped(): boolean {
    return this.namespace === CLUSTER_SCOPE;
  }

  equals(other: ResourceId | string): boolean {
    return this.toString() === other.toString();
  }

  toString(): string {
    return `${this.namespace}:${this.kind}/${this.name}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

/**
 * Parses `<namespace>:<kind>/<name>` (kind lower-cased). The legacy form `<namespace>/<name>` is
 * read as a service, as Flux v1 does.
 */
export function parseResourceId(input: string): ResourceId {
  const m = idPattern.exec(input);
  if (m) return new ResourceId(m[1] as string, m[2] as string, m[3] as string);
  const legacy = legacyPattern.exec(input);
  if (legacy) return new ResourceId(legacy[1] as string, 'service', legacy[2] as string);
  throw new InvalidResourceIdError(input);
}

/** Formats an ID from its parts; an empty or undefined namespace means cluster-scoped. */
export function formatResourceId(namespace: string | undefined, kind: string, name: string): string {
  return new ResourceId(namespace ?? CLUSTER_SCOPE, kind, name).toString();
}
