import { ErrorKind, FluxError } from '@flux-ts/core';

const units: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

/** Thrown when a flag value is not a Go-style duration such as `5m` or `1m30s`. */
export class InvalidDurationError extends FluxError {}

/**
 * Parses a Go `time.Duration` string (the form fluxd's flags take: `5m`, `20s`, `1h30m`, `1.5s`,
 * `0`) into milliseconds.
 */
export function parseDuration(text: string, flag = 'duration'): number {
  const fail = (): never => {
    throw new InvalidDurationError(`--${flag}: "${text}" is not a duration`, {
      code: 'flag.duration',
      kind: ErrorKind.User,
      help: 'Use a number followed by a unit (ns, us, ms, s, m, h), e.g. 5m or 1m30s.',
    });
  };
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let i = 0;
  while (i < text.length) {
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m) return fail();
    total += Number(m[1]) * (units[m[2] as string] as number);
    i = re.lastIndex;
  }
  return i === 0 ? fail() : total;
}
