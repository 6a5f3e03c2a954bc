import { ErrorKind, FluxError } from '@flux-ts/core';
import {
  ApiException,
  CoreV1Api,
  type KubeConfig,
  Observable,
  type ObservableMiddleware,
  type RequestContext,
  type ResponseContext,
  type V1PodList,
} from '@kubernetes/client-node';
import {
  FALLBACK_SELECTOR,
  isRunningPod,
  labelSelector,
  type PodsForSelector,
  selectFluxPod,
} from './select-pod.ts';

export interface FindFluxPodOptions {
  /** `--k8s-fwd-ns`. */
  namespace: string;
  /** `--k8s-fwd-labels` (default `{app: 'flux'}`). */
  labels: Readonly<Record<string, string>>;
  signal?: AbortSignal;
}

/** Listing pods failed (API server unreachable, forbidden, …). */
export class ListPodsError extends FluxError {
  constructor(message: string, cause: unknown) {
    super(message, {
      code: 'fluxctl.connect.list-pods',
      kind: ErrorKind.Server,
      help: `${message}\nfluxctl finds fluxd by listing pods; check your kubeconfig and permissions, or pass --url.`,
      cause,
    });
  }
}

/** `--k8s-fwd-labels` was given as an empty map: fluxctl 1.25 refuses it too. */
export class NoPodLabelsError extends FluxError {
  constructor() {
    super('No pod labels specified', {
      code: 'fluxctl.connect.no-labels',
      kind: ErrorKind.User,
      help: 'No pod labels specified\nGive --k8s-fwd-labels a selector such as app=flux.',
    });
  }
}

/**
 * Finds the fluxd pod as fluxctl 1.25 does: the Running pods of `labels` in `namespace`, and when
 * there are none, those of `name in (flux,fluxd,weave-flux-agent)`. Returns the pod's name; throws
 * `NoFluxPodError`, `AmbiguousPodError`, `NoPodLabelsError` or `ListPodsError`.
 */
export async function findFluxPod(kc: KubeConfig, options: FindFluxPodOptions): Promise<string> {
  const first = labelSelector(options.labels);
  if (first === '') throw new NoPodLabelsError();
  const core = kc.makeApiClient(CoreV1Api);
  const listed: PodsForSelector[] = [];
  for (const selector of [first, FALLBACK_SELECTOR]) {
    const pods = await listRunningPods(core, options.namespace, selector, options.signal);
    listed.push({ selector, pods });
    if (pods.some(isRunningPod)) break;
  }
  return selectFluxPod(listed, options.namespace).pod;
}

async function listRunningPods(
  core: CoreV1Api,
  namespace: string,
  selector: string,
  signal: AbortSignal | undefined,
): Promise<V1PodList['items']> {
  signal?.throwIfAborted();
  try {
    const list = await core.listNamespacedPod(
      // The field selector is what fluxctl 1.25 sent; selectFluxPod filters on the phase again.
      { namespace, labelSelector: selector, fieldSelector: 'status.phase=Running' },
      signal ? { middleware: [abortMiddleware(signal)], middlewareMergeStrategy: 'append' } : undefined,
    );
    return list.items;
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    throw new ListPodsError(`Listing pods in kubernetes: ${describeApiError(err)}`, err);
  }
}

function abortMiddleware(signal: AbortSignal): ObservableMiddleware {
  return {
    pre: (request: RequestContext) => {
      request.setSignal(signal);
      return new Observable(Promise.resolve(request));
    },
    post: (response: ResponseContext) => new Observable(Promise.resolve(response)),
  };
}

/** The API server's Status message when there is one (never the request headers or token). */
function describeApiError(err: unknown): string {
  if (err instanceof ApiException) {
    const body: unknown = typeof err.body === 'string' ? safeJson(err.body) : err.body;
    const message = (body as { message?: unknown } | undefined)?.message;
    return typeof message === 'string' && message !== '' ? message : `HTTP ${err.code}`;
  }
  return err instanceof Error ? err.message : String(err);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
