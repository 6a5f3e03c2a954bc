import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectionFromKubeconfig } from './from-kubeconfig.ts';
import type { KubeConnection } from './kube-connection.ts';

/** Where a pod's service-account credentials are mounted. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * The in-cluster connection (the pod's service account), or undefined outside a pod. The token file
 * is re-read every minute: bound service-account tokens rotate.
 */
export function inClusterConnection(
  env: NodeJS.ProcessEnv = process.env,
  dir: string = SERVICE_ACCOUNT_DIR,
  now?: () => number,
): KubeConnection | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port || !existsSync(join(dir, 'token'))) return undefined;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  let namespace = 'default';
  try {
    namespace = readFileSync(join(dir, 'namespace'), 'utf8').trim() || 'default';
  } catch {
    // no namespace file: "default", as client-go does
  }
  const file = join(dir, 'kubeconfig');
  return connectionFromKubeconfig(
    {
      currentContext: 'in-cluster',
      clusters: new Map([
        [
          'in-cluster',
          {
            name: 'in-cluster',
            file,
            value: { server: `https://${hostPart}:${port}`, 'certificate-authority': join(dir, 'ca.crt') },
          },
        ],
      ]),
      users: new Map([
        ['in-cluster', { name: 'in-cluster', file, value: { tokenFile: join(dir, 'token') } }],
      ]),
      contexts: new Map([
        [
          'in-cluster',
          { name: 'in-cluster', file, value: { cluster: 'in-cluster', user: 'in-cluster', namespace } },
        ],
      ]),
    },
    now ? { now } : {},
  );
}
