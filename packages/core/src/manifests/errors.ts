import { ErrorKind, FluxError } from '../errors.ts';

/** Where in a file something was found. Lines and columns are 1-based. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

const at = (p: SourcePosition): string => `${p.file}:${p.line}:${p.column}`;

/** A manifest file (or one document of it) that does not parse as YAML. Other files still load. */
export class ManifestParseError extends FluxError {
  readonly position: SourcePosition;

  constructor(position: SourcePosition, reason: string) {
    super(`${at(position)}: cannot parse YAML: ${reason}`, {
      code: 'manifest.parse',
      kind: ErrorKind.User,
      help: `Fix the YAML in ${position.file} at line ${position.line}, column ${position.column}; the other files were loaded.`,
    });
    this.position = position;
  }
}

/** A manifest file that cannot be read (permissions, a dangling symlink, an I/O error). Other files still load. */
export class ManifestReadError extends FluxError {
  readonly file: string;

  constructor(file: string, cause: unknown) {
    super(`${file}: cannot read the file: ${(cause as Error)?.message ?? String(cause)}`, {
      code: 'manifest.read',
      kind: ErrorKind.User,
      help: `Check ${file} (permissions, symlinks); the other files were loaded.`,
      cause,
    });
    this.file = file;
  }
}

/**
 * A manifest file larger than the loader's limit: it is not read (Kubernetes stores objects of at
 * most ~1.5 MiB, so a bigger file is a mistake, and reading it would cost seconds and much memory).
 * Other files still load.
 */
export class ManifestTooLargeError extends FluxError {
  readonly file: string;
  /** The file's size, in bytes. */
  readonly size: number;
  /** The limit it exceeds, in bytes. */
  readonly limit: number;

  constructor(file: string, size: number, limit: number) {
    super(
      `${file}: the file is ${formatBytes(size)}, over the ${formatBytes(limit)} limit for one manifest file: not read`,
      {
        code: 'manifest.too-large',
        kind: ErrorKind.User,
        help: `Split ${file} into smaller files (a Kubernetes object is at most ~1.5 MiB); the other files were loaded.`,
      },
    );
    this.file = file;
    this.size = size;
    this.limit = limit;
  }
}

/** `52428800` → `50 MiB (52428800 bytes)`, `2048` → `2 KiB (2048 bytes)`, `63` → `63 bytes`. */
function formatBytes(bytes: number): string {
  const round = (n: number): string => String(Number(n.toFixed(1)));
  if (bytes < 1024) return `${bytes} bytes`;
  const short = bytes < 1024 * 1024 ? `${round(bytes / 1024)} KiB` : `${round(bytes / (1024 * 1024))} MiB`;
  return `${short} (${bytes} bytes)`;
}

/** A document that parses but is not a usable Kubernetes object (e.g. it has a kind but no name). */
export class InvalidManifestError extends FluxError {
  readonly position: SourcePosition;

  constructor(position: SourcePosition, reason: string, help: string) {
    super(`${at(position)}: ${reason}`, { code: 'manifest.invalid', kind: ErrorKind.User, help });
    this.position = position;
  }
}

/** Two documents define the same resource. */
export class DuplicateResourceError extends FluxError {
  readonly id: string;
  readonly files: readonly [string, string];

  constructor(id: string, first: SourcePosition, second: SourcePosition) {
    super(`duplicate definition of '${id}' (in ${at(first)} and ${at(second)})`, {
      code: 'manifest.duplicate',
      kind: ErrorKind.User,
      help: 'Keep one definition of the resource: remove or rename the other one.',
    });
    this.id = id;
    this.files = [first.file, second.file];
  }
}

/** An edit named a resource that is not in the file's text. */
export class ResourceNotFoundError extends FluxError {
  readonly id: string;

  constructor(id: string, file: string | undefined) {
    super(`resource ${id} not found${file ? ` in ${file}` : ''}`, {
      code: 'manifest.resource-not-found',
      kind: ErrorKind.Missing,
      help: 'Check the resource ID (<namespace>:<kind>/<name>) against the manifests; the namespace of a manifest without metadata.namespace is the default namespace.',
    });
    this.id = id;
  }
}

/** An image edit named a container the workload does not have. */
export class ContainerNotFoundError extends FluxError {
  readonly id: string;
  readonly container: string;

  constructor(id: string, container: string, available: readonly string[]) {
    super(`container "${container}" not found in ${id} (containers: ${available.join(', ') || 'none'})`, {
      code: 'manifest.container-not-found',
      kind: ErrorKind.Missing,
      help: 'Use one of the container names listed; for a HelmRelease, the names come from spec.values (see the docs on HelmRelease images).',
    });
    this.id = id;
    this.container = container;
  }
}

/** An edit cannot be done on this resource (unsupported kind, a value that is an alias, …). */
export class UnsupportedEditError extends FluxError {
  constructor(message: string, help: string) {
    super(message, { code: 'manifest.unsupported-edit', kind: ErrorKind.User, help });
  }
}
