import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { parse } from 'yaml';

/** Reads objects from the API server with the kubeconfig's credentials (token or client certificate). */
export interface KubeReader {
  /** GET `path` (e.g. `/apis/apps/v1/namespaces/demo/deployments/podinfo`); undefined on 404. */
  get(path: string): Promise<Record<string, unknown> | undefined>;
}

interface Kubeconfig {
  'current-context'?: string;
  contexts?: { name: string; context: { cluster: string; user: string } }[];
  clusters?: {
    name: string;
    cluster: {
      server: string;
      'certificate-authority-data'?: string;
      'certificate-authority'?: string;
      'insecure-skip-tls-verify'?: boolean;
    };
  }[];
  users?: {
    name: string;
    user: {
      token?: string;
      'client-certificate-data'?: string;
      'client-key-data'?: string;
      'client-certificate'?: string;
      'client-key'?: string;
    };
  }[];
}

const b64 = (s: string | undefined): Buffer | undefined => (s ? Buffer.from(s, 'base64') : undefined);
const file = async (p: string | undefined): Promise<Buffer | undefined> => (p ? readFile(p) : undefined);

/**
 * A small read-only client for the demo's checks: the demo asserts on what the API server holds, as
 * `kubectl get` would, without depending on the daemon's own Kubernetes client.
 */
export async function kubeReader(kubeconfigPath: string): Promise<KubeReader> {
  const config = parse(await readFile(kubeconfigPath, 'utf8')) as Kubeconfig;
  const context = config.contexts?.find((c) => c.name === config['current-context']);
  const cluster = config.clusters?.find((c) => c.name === context?.context.cluster) ?? config.clusters?.[0];
  const user = config.users?.find((u) => u.name === context?.context.user) ?? config.users?.[0];
  if (!cluster) throw new Error(`${kubeconfigPath} names no cluster`);
  const ca =
    b64(cluster.cluster['certificate-authority-data']) ??
    (await file(cluster.cluster['certificate-authority']));
  const cert = b64(user?.user['client-certificate-data']) ?? (await file(user?.user['client-certificate']));
  const key = b64(user?.user['client-key-data']) ?? (await file(user?.user['client-key']));
  const token = user?.user.token;
  const server = cluster.cluster.server;
  return {
    get: (path) =>
      new Promise((resolve, reject) => {
        const url = new URL(path, server);
        const req = request(
          url,
          {
            method: 'GET',
            headers: { Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
            ...(ca ? { ca } : {}),
            ...(cert ? { cert } : {}),
            ...(key ? { key } : {}),
            rejectUnauthorized: cluster.cluster['insecure-skip-tls-verify'] !== true,
            timeout: 10_000,
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const body = Buffer.concat(chunks).toString('utf8');
              if (res.statusCode === 404) resolve(undefined);
              else if (res.statusCode === 200) resolve(JSON.parse(body) as Record<string, unknown>);
              else reject(new Error(`GET ${url.pathname}: the API server answered ${res.statusCode}`));
            });
          },
        );
        req.on('timeout', () => req.destroy(new Error(`GET ${url.pathname}: timed out`)));
        req.on('error', reject);
        req.end();
      }),
  };
}
