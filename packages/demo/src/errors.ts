import { ErrorKind, FluxError } from '@flux-ts/core';

/** A demo step whose check did not hold: `step` names the step, the message says what was expected. */
export class DemoStepError extends FluxError {
  readonly step: string;

  constructor(step: string, message: string, options: { cause?: unknown; help?: string } = {}) {
    super(message, {
      code: 'demo.step',
      kind: ErrorKind.Server,
      help: options.help ?? 'the log files of the components are printed above; run the demo again to retry',
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.step = step;
  }
}

/** The demo was interrupted (Ctrl-C) while it was still starting or running a step. */
export class DemoInterruptedError extends FluxError {
  constructor() {
    super('interrupted', { code: 'demo.interrupted', kind: ErrorKind.User, help: 'run the demo again' });
  }
}
