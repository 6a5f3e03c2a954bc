import type { RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeConnection, RequestAuth } from './kube-connection.ts';
import { entryPath, type KubeconfigCluster, type KubeconfigUser } from './kubeconfig-file.ts';

interface Entry<T> {
  name: string;
  value: T;
  file: string;
}

/**
 * A connection for kubeconfig users flux-ts does not handle itself (`auth-provider`: the old gcp,
 * azure and oidc entries): `@kubernetes/client-node` authenticates them. It is imported here, on
 * first use, so that nobody else pays for its generated API surface (tens of MiB of memory).
 */
export function clientNodeConnection(options: {
  server: string;
  namespace: string;
  contextName: string;
  cluster: Entry<KubeconfigCluster>;
  user: Entry<KubeconfigUser>;
}): KubeConnection {
  const { cluster, user } = options;
  let loaded: Promise<KubeConfig> | undefined;
  const load = async (): Promise<KubeConfig> => {
    const { KubeConfig } = await import('@kubernetes/client-node');
    const kc = new KubeConfig();
    const c = cluster.value;
    const u = user.value;
    kc.loadFromOptions({
      clusters: [
        {
          name: cluster.name,
          server: options.server,
          skipTLSVerify: c['insecure-skip-tls-verify'] === true,
          ...(c['certificate-authority-data'] ? { caData: c['certificate-authority-data'] } : {}),
          ...(c['certificate-authority']
            ? { caFile: entryPath(cluster.file, c['certificate-authority']) }
            : {}),
          ...(c['tls-server-name'] ? { tlsServerName: c['tls-server-name'] } : {}),
        },
      ],
      users: [{ name: user.name, ...(u['auth-provider'] ? { authProvider: u['auth-provider'] } : {}) }],
      contexts: [
        { name: options.contextName, cluster: cluster.name, user: user.name, namespace: options.namespace },
      ],
      currentContext: options.contextName,
    });
    return kc;
  };
  return {
    server: options.server,
    namespace: options.namespace,
    contextName: options.contextName,
    async requestAuth() {
      loaded ??= load();
      const kc = await loaded;
      const https: RequestOptions = {};
      await kc.applyToHTTPSOptions(https);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(https.headers ?? {})) if (typeof v === 'string') headers[k] = v;
      return {
        rejectUnauthorized: https.rejectUnauthorized !== false,
        headers,
        ...(https.ca ? { ca: https.ca as string | Buffer } : {}),
        ...(https.cert ? { cert: https.cert as string | Buffer } : {}),
        ...(https.key ? { key: https.key as string | Buffer } : {}),
        ...(https.servername ? { servername: https.servername } : {}),
      } satisfies RequestAuth;
    },
    async kubeconfig() {
      loaded ??= load();
      return (await loaded).exportConfig();
    },
  };
}
