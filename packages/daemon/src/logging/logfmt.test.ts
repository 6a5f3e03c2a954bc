import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { jsonLineToLogfmt } from './logfmt.ts';
import { createLogger } from './logger.ts';

describe('logfmt', () => {
  it('formats a pino record as Flux v1 logfmt: ts, level, caller, msg, then fields', () => {
    const line = jsonLineToLogfmt(
      JSON.stringify({
        time: Date.UTC(2024, 0, 2, 3, 4, 5),
        level: 'info',
        msg: 'sync done',
        revision: 'abc',
        n: 3,
        text: 'a b',
      }),
    );
    expect(line).toBe('ts=2024-01-02T03:04:05.000Z level=info msg="sync done" revision=abc n=3 text="a b"\n');
  });

  it('writes logfmt or JSON lines through the logger', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    createLogger({ format: 'fmt', destination: sink })
      .child({ component: 'git' })
      .warn({ url: 'x' }, 'not ready');
    createLogger({ format: 'json', destination: sink }).info({ n: 1 }, 'hello');
    expect(lines[0]).toMatch(/^ts=\S+ level=warn msg="not ready" component=git url=x\n$/);
    expect(JSON.parse(lines[1] as string)).toMatchObject({ level: 'info', msg: 'hello', n: 1 });
    expect(JSON.parse(lines[1] as string).ts).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});
