import { stringify } from 'yaml';
import { classifyApiError, KubeApiError } from './errors.ts';
import type { KubeClient } from './kube-client.ts';
import { kubeRequest } from './rest.ts';
import { patchSecret, readSecret } from './secret-api.ts';

/** Where the deploy key lives: `--k8s-secret-name` and `--k8s-secret-data-key` in fluxd's namespace. */
export interface DeployKeySecret {
  namespace: string;
  /** Default `flux-git-deploy`. */
  secretName?: string;
  /** Default `identity`. */
  dataKey?: string;
}

/** Reads the deploy key (private key text) from its Secret, or undefined when it holds none. */
export async function readDeployKey(client: KubeClient, where: DeployKeySecret): Promise<string | undefined> {
  const name = where.secretName ?? 'flux-git-deploy';
  try {
    const secret = await readSecret(client, where.namespace, name);
    if (!secret) throw new KubeApiError(`secret ${where.namespace}/${name} does not exist`, 404, 'not found');
    const data = secret.data?.[where.dataKey ?? 'identity'];
    return data ? Buffer.from(data, 'base64').toString('utf8') : undefined;
  } catch (err) {
    throw classifyApiError(`cannot read the deploy key from secret ${where.namespace}/${name}`, err);
  }
}

/** Stores a (new) key pair in the deploy-key Secret with a strategic-merge patch, as Flux v1 does. */
export async function writeDeployKey(
  client: KubeClient,
  where: DeployKeySecret,
  privateKey: string,
  publicKey: string,
): Promise<void> {
  const name = where.secretName ?? 'flux-git-deploy';
  const key = where.dataKey ?? 'identity';
  try {
    await patchSecret(client, where.namespace, name, {
      data: {
        [key]: Buffer.from(privateKey).toString('base64'),
        [`${key}.pub`]: Buffer.from(publicKey).toString('base64'),
      },
    });
  } catch (err) {
    throw classifyApiError(`cannot store the deploy key in secret ${where.namespace}/${name}`, err);
  }
}

/** A Secret as the registry package's `pullSecretCredentials` reads it. */
export interface PullSecret {
  metadata: { namespace: string; name: string };
  type?: string;
  data?: Record<string, string>;
}

/**
 * The image pull secrets that apply to a pod spec: its own `imagePullSecrets`, then those of its
 * service account (default `default`), as Flux v1 merges them. Missing ones are left out.
 */
export async function imagePullSecrets(
  client: KubeClient,
  namespace: string,
  podSpec: { serviceAccountName?: string; imagePullSecrets?: { name?: string }[] },
): Promise<PullSecret[]> {
  const names = new Set<string>();
  for (const s of podSpec.imagePullSecrets ?? []) if (s.name) names.add(s.name);
  const sa = await kubeRequest(client.connection, {
    path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(podSpec.serviceAccountName ?? 'default')}`,
  });
  if (sa.status === 200) {
    for (const s of (sa.body as { imagePullSecrets?: { name?: string }[] }).imagePullSecrets ?? [])
      if (s.name) names.add(s.name);
  }
  const out: PullSecret[] = [];
  for (const name of names) {
    const res = await kubeRequest(client.connection, {
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(name)}`,
    });
    if (res.status !== 200) continue;
    const body = res.body as { type?: string; data?: Record<string, string> };
    out.push({
      metadata: { namespace, name },
      ...(body.type ? { type: body.type } : {}),
      ...(body.data ? { data: body.data } : {}),
    });
  }
  return out;
}

const volatile = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink'];

function clean(item: Record<string, unknown>, apiVersion: string, kind: string): Record<string, unknown> {
  const metadata = { ...(item.metadata as Record<string, unknown>) };
  for (const k of volatile) delete metadata[k];
  const annotations = metadata.annotations as Record<string, string> | undefined;
  if (annotations) {
    const kept = Object.fromEntries(
      Object.entries(annotations).filter(([k]) => k !== 'kubectl.kubernetes.io/last-applied-configuration'),
    );
    if (Object.keys(kept).length > 0) metadata.annotations = kept;
    else delete metadata.annotations;
  }
  const { status: _status, ...rest } = item;
  return { ...rest, apiVersion, kind, metadata };
}

/**
 * The cluster's namespaces and workloads as multi-document YAML (`/v6/export`), without server-set
 * fields (status, uid, resourceVersion, managedFields…), sorted.
 */
export async function exportCluster(
  client: KubeClient,
  options: { namespaces?: readonly string[] } = {},
): Promise<string> {
  const docs: Record<string, unknown>[] = [];
  const allowed = (ns: string): boolean =>
    !options.namespaces || options.namespaces.length === 0 || options.namespaces.includes(ns);
  const namespaces = await kubeRequest(client.connection, { path: '/api/v1/namespaces' });
  for (const item of ((namespaces.body as { items?: Record<string, unknown>[] }).items ?? []).sort(byName)) {
    if (allowed(String((item.metadata as { name?: string }).name))) docs.push(clean(item, 'v1', 'Namespace'));
  }
  for (const [path, kind] of [
    ['/apis/apps/v1/deployments', 'Deployment'],
    ['/apis/apps/v1/daemonsets', 'DaemonSet'],
    ['/apis/apps/v1/statefulsets', 'StatefulSet'],
    ['/apis/batch/v1/cronjobs', 'CronJob'],
  ] as const) {
    const res = await kubeRequest(client.connection, { path });
    if (res.status !== 200) continue;
    for (const item of ((res.body as { items?: Record<string, unknown>[] }).items ?? []).sort(byName)) {
      if (allowed(String((item.metadata as { namespace?: string }).namespace)))
        docs.push(clean(item, path.split('/').slice(2, 4).join('/'), kind));
    }
  }
  return docs.map((d) => `---\n${stringify(d)}`).join('');
}

function byName(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const key = (o: Record<string, unknown>): string => {
    const m = o.metadata as { namespace?: string; name?: string };
    return `${m.namespace ?? ''}/${m.name ?? ''}`;
  };
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}
