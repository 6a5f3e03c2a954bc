import { ErrorKind, FluxError } from '@flux-ts/core';

/** A kubeconfig that cannot be read or used: names the file and the entry, never a credential. */
export class KubeConfigError extends FluxError {
  constructor(message: string, help: string, options: { cause?: unknown; kind?: ErrorKind } = {}) {
    super(message, {
      code: 'k8s.kubeconfig',
      kind: options.kind ?? ErrorKind.User,
      help,
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
  }
}
