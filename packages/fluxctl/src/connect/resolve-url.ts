import type { Logger } from '@flux-ts/core';
import { findFluxPod } from './find-pod.ts';
import { loadKubeConfig } from './kubeconfig.ts';
import { openPortForward, type PortForwardError } from './port-forward.ts';

/** Weave Cloud's API: where fluxctl 1.25 goes with `--token` and no `--url`. */
export const WEAVE_CLOUD_URL = 'https://cloud.weave.works/api/flux';

/** fluxd's API port inside its pod. */
export const FLUXD_PORT = 3030;

export interface ResolveApiUrlOptions {
  /** `--url`: when set, used as is and nothing is port-forwarded. */
  url?: string;
  /** `--token`: without `--url`, means Weave Cloud. */
  token?: string;
  /** `--k8s-fwd-ns`. */
  namespace: string;
  /** `--k8s-fwd-labels`. */
  labels: Readonly<Record<string, string>>;
  /** `--context`. */
  context?: string;
  /** A kubeconfig file instead of `KUBECONFIG`/`~/.kube/config`. */
  kubeconfigPath?: string;
  signal?: AbortSignal;
  logger?: Logger;
}

export interface ApiEndpoint {
  /** Base URL of the API, ending in `/api/flux` unless `--url` said otherwise. */
  baseUrl: string;
  /** Why the last port-forwarded connection failed, if one did (always undefined without a port-forward). */
  lastError(): PortForwardError | undefined;
  /** Stops the port-forward, if any. */
  close(): Promise<void>;
}

/**
 * Where fluxctl's API calls go, as fluxctl 1.25 decides: `--url` wins; a token alone means Weave
 * Cloud; otherwise the fluxd pod is found and port 3030 forwarded to a free port on 127.0.0.1.
 */
export async function resolveApiUrl(options: ResolveApiUrlOptions): Promise<ApiEndpoint> {
  if (options.url) return fixed(options.url);
  if (options.token) return fixed(WEAVE_CLOUD_URL);
  const kc = loadKubeConfig(options.kubeconfigPath, options.context);
  const pod = await findFluxPod(kc, {
    namespace: options.namespace,
    labels: options.labels,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const forward = await openPortForward(kc, {
    namespace: options.namespace,
    pod,
    port: FLUXD_PORT,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  return {
    baseUrl: `http://127.0.0.1:${forward.localPort}/api/flux`,
    lastError: forward.lastError,
    close: forward.close,
  };
}

function fixed(baseUrl: string): ApiEndpoint {
  return { baseUrl, lastError: () => undefined, close: async () => {} };
}
