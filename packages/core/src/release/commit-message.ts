import type { PolicyUpdate } from '../policy/policy-update.ts';
import { ALL_LATEST, ALL_WORKLOADS } from './plan-release.ts';
import type { ReleaseContainersSpec, ReleaseImageSpec, ReleaseResult } from './types.ts';

/** Who asked for a change, and why: Flux v1's `cause` (`fluxctl --user`, `--message`). */
export interface Cause {
  message?: string;
  user?: string;
}

const trimBrackets = (s: string): string => s.replace(/^<|>$/g, '');

/** `Release <image or "all latest"> to <specs>` (Flux v1's template), unless the cause gives a message. */
export function releaseImageMessage(spec: ReleaseImageSpec, cause: Cause = {}): string {
  if (cause.message) return cause.message;
  const image = trimBrackets(spec.imageSpec === ALL_LATEST ? ALL_LATEST : spec.imageSpec);
  const to = spec.serviceSpecs.map((s) => trimBrackets(s === ALL_WORKLOADS ? ALL_WORKLOADS : s)).join(', ');
  return `Release ${image} to ${to}`;
}

/**
 * `Update image refs in <ids>`, then each successful workload with its new images (Flux v1's
 * template for containers releases), unless the cause gives a message.
 */
export function releaseContainersMessage(
  spec: ReleaseContainersSpec,
  result: ReleaseResult,
  cause: Cause = {},
): string {
  if (cause.message) return cause.message;
  const ids = Object.keys(spec.containerSpecs).sort();
  let message = `Update image refs in ${ids.join(', ')}\n`;
  const failed: string[] = [];
  for (const id of ids) {
    const r = result[id];
    if (r?.status === 'success') {
      message += `\n${id}`;
      for (const c of r.perContainer ?? []) message += `\n- ${c.target}`;
      message += '\n';
    } else if (r?.status === 'failed') {
      failed.push(`${id}: ${r.error ?? 'failed'}`);
    }
  }
  if (failed.length > 0) message += `\n${failed.join('\n')}`;
  return message;
}

/** `Auto-release <image>`, or `Auto-release multiple (<n>) images` with the distinct images sorted. */
export function automationMessage(targets: readonly string[]): string {
  const images = [...new Set(targets)].sort();
  if (images.length === 1) return `Auto-release ${images[0]}`;
  return `Auto-release multiple (${images.length}) images\n\n${images.map((i) => ` - ${i}\n`).join('')}`;
}

const EventText = {
  automate: 'Automated',
  deautomate: 'Deautomated',
  lock: 'Locked',
  unlock: 'Unlocked',
  update_policy: 'Updated policies',
} as const;
type PolicyEvent = keyof typeof EventText;

/**
 * The message of a policy update (Flux v1's template): one line per kind of change (automated,
 * deautomated, locked, unlocked, other policies), each naming the workloads, in a fixed order.
 */
export function policyMessage(updates: Readonly<Record<string, PolicyUpdate>>, cause: Cause = {}): string {
  const events = new Map<PolicyEvent, Set<string>>();
  const note = (event: PolicyEvent, id: string): void => {
    const ids = events.get(event) ?? new Set<string>();
    ids.add(id);
    events.set(event, ids);
  };
  for (const [id, update] of Object.entries(updates)) {
    for (const policy of Object.keys(update.add ?? {})) {
      note(policy === 'automated' ? 'automate' : policy === 'locked' ? 'lock' : 'update_policy', id);
    }
    for (const policy of Object.keys(update.remove ?? {})) {
      note(policy === 'automated' ? 'deautomate' : policy === 'locked' ? 'unlock' : 'update_policy', id);
    }
  }
  // A fixed order (Flux v1 left it to map iteration).
  const lines = (Object.keys(EventText) as PolicyEvent[])
    .filter((e) => events.has(e))
    .map((e) => `${EventText[e]}: ${[...(events.get(e) ?? [])].sort().join(', ')}`);
  if (cause.message) return `${cause.message}\n\n${lines.map((l) => `- ${l}\n`).join('')}`;
  if (lines.length > 1) return `Updated workload policies\n\n${lines.map((l) => `- ${l}\n`).join('')}`;
  return `${lines[0] ?? ''}\n`;
}
