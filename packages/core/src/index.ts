export type { Clock } from './clock.ts';
export { ManualClock, systemClock } from './clock.ts';
export type { FluxErrorOptions } from './errors.ts';
export { ErrorKind, FluxError, isFluxError } from './errors.ts';
export type { LogFields, Logger } from './logger.ts';
export { noopLogger } from './logger.ts';
