/** Formats one value for logfmt: bare when safe, else a quoted JSON string. */
function value(v: unknown): string {
  const s = typeof v === 'string' ? v : v instanceof Error ? v.message : (JSON.stringify(v) ?? 'null');
  return s !== '' && /^[^\s"=\\]+$/.test(s) ? s : JSON.stringify(s);
}

/**
 * Turns one pino JSON line into a logfmt line (`ts=… level=info caller=… msg=… key=value`), the
 * format Flux v1's `--log-format fmt` prints. Unparsable input is passed through.
 */
export function jsonLineToLogfmt(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const { time, level, msg, caller, pid: _pid, hostname: _hostname, ...rest } = record;
  const parts = [`ts=${value(typeof time === 'number' ? new Date(time).toISOString() : time)}`];
  parts.push(`level=${value(level)}`);
  if (caller !== undefined) parts.push(`caller=${value(caller)}`);
  if (msg !== undefined) parts.push(`msg=${value(msg)}`);
  for (const [k, v] of Object.entries(rest)) parts.push(`${k}=${value(v)}`);
  return `${parts.join(' ')}\n`;
}
