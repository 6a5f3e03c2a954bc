import { ErrorKind, FluxError } from '@flux-ts/core';

/** The part of a pod that selection looks at (a `V1Pod` from client-node fits). */
export interface PodLike {
  metadata?: { name?: string };
  status?: { phase?: string };
}

/** The pods one label selector listed, in the order the selectors are tried. */
export interface PodsForSelector {
  selector: string;
  pods: readonly PodLike[];
}

/** Flux v1's fallback selector: the labels of the `fluxctl install` manifests. */
export const FALLBACK_SELECTOR = 'name in (flux,fluxd,weave-flux-agent)';

/** The default of `--k8s-fwd-labels`: the Helm chart's label. */
export const DEFAULT_FORWARD_LABELS: Readonly<Record<string, string>> = Object.freeze({ app: 'flux' });

/** No Running pod matched any selector. The message is Flux v1's, word for word. */
export class NoFluxPodError extends FluxError {
  readonly namespace: string;
  readonly selectors: readonly string[];

  constructor(namespace: string, selectors: readonly string[]) {
    const message =
      `No pod found in namespace ${goQuote(namespace)} using the following selectors:` +
      selectors.map((s) => `\n  ${s}`).join('') +
      `\n\nMake sure Flux is running in namespace ${goQuote(namespace)}.\n` +
      'If Flux is running in another different namespace, please supply it to --k8s-fwd-ns.';
    super(message, { code: 'fluxctl.connect.no-pod', kind: ErrorKind.Missing, help: message });
    this.namespace = namespace;
    this.selectors = selectors;
  }
}

/** More than one Running pod matched a selector. The message is Flux v1's. */
export class AmbiguousPodError extends FluxError {
  readonly selector: string;
  readonly pods: readonly string[];

  constructor(selector: string, pods: readonly string[]) {
    const message = `Ambiguous pod: found more than one pod for selector: labels "${selector}"`;
    super(message, {
      code: 'fluxctl.connect.ambiguous-pod',
      kind: ErrorKind.User,
      help: `${message}\nNarrow the selector with --k8s-fwd-labels, or pass --url.`,
    });
    this.selector = selector;
    this.pods = pods;
  }
}

/**
 * Renders a `--k8s-fwd-labels` map as a label selector the way client-go prints one: `k=v`
 * requirements sorted by key, joined with commas. An empty map gives `''`.
 */
export function labelSelector(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .sort()
    .map((key) => `${key}=${labels[key]}`)
    .join(',');
}

/** A named pod in phase `Running`: the only kind fluxctl port-forwards to. */
export function isRunningPod(pod: PodLike): boolean {
  return pod.status?.phase === 'Running' && Boolean(pod.metadata?.name);
}

/**
 * Picks the fluxd pod as fluxctl 1.25 does: for each selector in order, the Running pods it listed;
 * exactly one wins, several are an {@link AmbiguousPodError}, none moves on to the next selector.
 * When no selector finds one, a {@link NoFluxPodError} names every selector tried.
 */
export function selectFluxPod(
  podsBySelector: readonly PodsForSelector[],
  namespace: string,
): { pod: string } {
  for (const { selector, pods } of podsBySelector) {
    const running = pods.filter(isRunningPod);
    if (running.length > 1) {
      throw new AmbiguousPodError(
        selector,
        running.map((p) => p.metadata?.name ?? ''),
      );
    }
    const only = running[0]?.metadata?.name;
    if (only) return { pod: only };
  }
  throw new NoFluxPodError(
    namespace,
    podsBySelector.map((s) => s.selector),
  );
}

/** Go's `%q` for a namespace name (a DNS label, so JSON's quoting is the same). */
function goQuote(s: string): string {
  return JSON.stringify(s);
}
