/** Whose fault an error is: the caller's input, something missing, or the server/environment. */
export const ErrorKind = {
  User: 'user',
  Missing: 'missing',
  Server: 'server',
} as const;
export type ErrorKind = (typeof ErrorKind)[keyof typeof ErrorKind];

/** Options shared by every flux-ts error. */
export interface FluxErrorOptions {
  /** Stable machine-readable code, e.g. `manifest.parse`. */
  code: string;
  kind: ErrorKind;
  /** What the user can do about it. Never contains secrets. */
  help: string;
  cause?: unknown;
}

/**
 * Base class of every error flux-ts throws. `message` says what failed and where; `help` says what
 * to do. `kind` maps onto Flux v1's error types (user → 400-ish, missing → 404, server → 500).
 */
export class FluxError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly help: string;

  constructor(message: string, options: FluxErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.kind = options.kind;
    this.help = options.help;
  }
}

/** True when `err` is a {@link FluxError} (also across package copies, by shape). */
export function isFluxError(err: unknown): err is FluxError {
  return (
    err instanceof FluxError ||
    (err instanceof Error &&
      typeof (err as Partial<FluxError>).code === 'string' &&
      typeof (err as Partial<FluxError>).help === 'string' &&
      typeof (err as Partial<FluxError>).kind === 'string')
  );
}
