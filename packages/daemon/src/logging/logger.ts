import type { Writable } from 'node:stream';
import type { Logger } from '@flux-ts/core';
import { pino } from 'pino';
import { jsonLineToLogfmt } from './logfmt.ts';

/** Options of {@link createLogger}: `--log-format` and where lines go. */
export interface CreateLoggerOptions {
  format: 'fmt' | 'json';
  /** Default stderr, as Flux v1. */
  destination?: Pick<Writable, 'write'>;
  level?: string;
  /** Fixed fields on every line (e.g. `component`). */
  base?: Record<string, unknown>;
}

/**
 * fluxd's logger: pino underneath (JSON lines with `ts`), or the same records as logfmt lines for
 * `--log-format fmt` (the default). Satisfies core's {@link Logger}.
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  const out = options.destination ?? process.stderr;
  const stream =
    options.format === 'json'
      ? { write: (line: string) => out.write(line) }
      : { write: (line: string) => out.write(jsonLineToLogfmt(line.trimEnd())) };
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: options.base ?? null,
      timestamp:
        options.format === 'json'
          ? () => `,"ts":"${new Date().toISOString()}"`
          : pino.stdTimeFunctions.epochTime,
      formatters: { level: (label) => ({ level: label }) },
      messageKey: 'msg',
    },
    stream,
  );
  return logger as unknown as Logger;
}
