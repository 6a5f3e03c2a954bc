import type { CommandContext } from './context.ts';

/**
 * Progress while fluxctl waits for a job or a sync: a dot per poll on a terminal (ended with a
 * newline), nothing when output goes to a file or a pipe (scripts see Flux v1's lines only).
 */
export function progress(ctx: CommandContext): { onPoll?: () => void; end(): void } {
  if (!ctx.io.isTTY) return { end: () => {} };
  let dots = 0;
  return {
    onPoll: () => {
      dots++;
      ctx.io.stderr.write('.');
    },
    end: () => {
      if (dots > 0) ctx.io.stderr.write('\n');
      dots = 0;
    },
  };
}
