import { CONTAINER_FIELDS, type ContainerField, ErrorKind, FluxError } from '@flux-ts/core';

/** `GET /v10/images?containerFields=…` named a field that an image container does not have. */
export class InvalidContainerFieldError extends FluxError {
  /** The name as given. */
  readonly field: string;

  constructor(field: string) {
    super(`${field} is an invalid field`, {
      code: 'images.invalid-field',
      kind: ErrorKind.User,
      help: `containerFields takes a comma-separated list of: ${CONTAINER_FIELDS.join(', ')}.`,
    });
    this.field = field;
  }
}

const KNOWN: ReadonlySet<string> = new Set(CONTAINER_FIELDS);

/** True when `name` is one of {@link CONTAINER_FIELDS} (case-sensitive, as Flux v1). */
export function isContainerField(name: string): name is ContainerField {
  return KNOWN.has(name);
}

/**
 * Checks the `containerFields` of an images request, keeping their order (empty means all fields).
 *
 * @throws InvalidContainerFieldError at the first unknown name (Flux v1's 422).
 */
export function parseContainerFields(names: readonly string[]): ContainerField[] {
  return names.map((name) => {
    if (!isContainerField(name)) throw new InvalidContainerFieldError(name);
    return name;
  });
}
