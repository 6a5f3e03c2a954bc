import { ErrorKind, FluxError } from '@flux-ts/core';
import { KubeConfig } from '@kubernetes/client-node';

/** The kubeconfig could not be loaded, or `--context` names no context in it. */
export class KubeConfigError extends FluxError {
  constructor(message: string, cause?: unknown) {
    super(message, {
      code: 'fluxctl.connect.kubeconfig',
      kind: ErrorKind.User,
      help: `${message}\nCheck KUBECONFIG and --context, or pass --url to reach fluxd without Kubernetes.`,
      cause,
    });
  }
}

/**
 * Loads the kubeconfig as kubectl does: `kubeconfigPath` when given, else `KUBECONFIG` (several
 * paths merged) or `~/.kube/config` (or in-cluster), then switches to `context` when one is named.
 */
export function loadKubeConfig(kubeconfigPath?: string, context?: string): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (kubeconfigPath) kc.loadFromFile(kubeconfigPath);
    else kc.loadFromDefault();
  } catch (err) {
    const where = kubeconfigPath ?? process.env.KUBECONFIG ?? '~/.kube/config';
    throw new KubeConfigError(
      `loading kubeconfig ${where}: ${err instanceof Error ? err.message : String(err)}`,
      err,
    );
  }
  if (context) {
    if (!kc.getContextObject(context)) {
      // client-go's wording, which fluxctl 1.25 printed.
      throw new KubeConfigError(`context was not found for specified context: ${context}`);
    }
    kc.setCurrentContext(context);
  }
  return kc;
}

/**
 * The namespace of the kubeconfig context (`context`, else the current one), or `default` when it
 * sets none or the kubeconfig cannot be read: what fluxctl defaults `--namespace` to. Never throws.
 */
export function contextNamespace(kubeconfigPath?: string, context?: string): string {
  try {
    const kc = loadKubeConfig(kubeconfigPath);
    const name = context || kc.getCurrentContext();
    return kc.getContextObject(name)?.namespace || 'default';
  } catch {
    return 'default';
  }
}
