import type { ContainerExplanationJson } from '@flux-ts/core';
import { formatTable } from '../tabwriter.ts';
import { formatGoRFC822 } from './go-time.ts';

const VERDICT: Record<string, string> = {
  chosen: '->',
  current: "'->",
};

/**
 * `fluxctl why`: per container, a heading (workload, image, filter, and what blocks automation if
 * anything), then one row per known tag: marker, tag, created, verdict and the reason.
 */
export function formatWhy(containers: readonly ContainerExplanationJson[]): string {
  let out = '';
  for (const c of containers) {
    out += `${c.ID} ${c.Container}: ${c.Image} (filter ${c.Filter})\n`;
    if (c.Blocked) out += `automation does not apply: ${c.Blocked}\n`;
    if (c.Error) out += `no tags known: ${c.Error}\n`;
    const lines = ['\tTAG\tCREATED\tVERDICT\tREASON'];
    for (const t of c.Tags) {
      lines.push(
        `${VERDICT[t.Verdict] ?? ''}\t${t.Tag}\t${t.CreatedAt ? formatGoRFC822(t.CreatedAt) : ''}\t${t.Verdict}\t${t.Detail}`,
      );
    }
    out += formatTable(lines);
  }
  return out;
}
