/** Structured fields attached to a log line. Never put secrets here. */
export type LogFields = Record<string, unknown>;

type LogFn = (fields: LogFields, message: string) => void;

/**
 * What libraries log through. A pino logger satisfies it as is (`logger.info({ repo }, 'msg')`);
 * libraries never print.
 */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: LogFields): Logger;
}

const noop = (): void => {};

/** A logger that drops everything: the default when none is injected. */
export const noopLogger: Logger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => noopLogger,
};
