import { KubeApiError } from './errors.ts';
import type { KubeClient } from './kube-client.ts';
import { type KubeResponse, kubeRequest } from './rest.ts';

/** A Secret as the API server returns it (the fields flux-ts reads). */
export interface SecretObject {
  metadata?: { name?: string; namespace?: string; annotations?: Record<string, string> };
  type?: string;
  data?: Record<string, string>;
}

const secretPath = (namespace: string, name?: string): string =>
  `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;

function reasonOf(res: KubeResponse): string {
  const body = res.body as { message?: unknown } | string | undefined;
  if (typeof body === 'string') return body.slice(0, 500);
  return typeof body?.message === 'string' ? body.message : 'no message';
}

function expectOk(res: KubeResponse, what: string): void {
  if (res.status < 200 || res.status > 299) throw new KubeApiError(what, res.status, reasonOf(res));
}

/** Reads a Secret; undefined when it does not exist. */
export async function readSecret(
  client: KubeClient,
  namespace: string,
  name: string,
  signal?: AbortSignal,
): Promise<SecretObject | undefined> {
  const res = await kubeRequest(client.connection, {
    path: secretPath(namespace, name),
    ...(signal ? { signal } : {}),
  });
  if (res.status === 404) return undefined;
  expectOk(res, `cannot read secret ${namespace}/${name}`);
  return res.body as SecretObject;
}

/** Creates a Secret. */
export async function createSecret(
  client: KubeClient,
  namespace: string,
  secret: SecretObject & { metadata: { name: string } },
): Promise<void> {
  const res = await kubeRequest(client.connection, {
    method: 'POST',
    path: secretPath(namespace),
    body: { apiVersion: 'v1', kind: 'Secret', ...secret, metadata: { ...secret.metadata, namespace } },
  });
  expectOk(res, `cannot create secret ${namespace}/${secret.metadata.name}`);
}

/** Changes a Secret with a strategic-merge patch (as Flux v1 does for the deploy key and the sync marker). */
export async function patchSecret(
  client: KubeClient,
  namespace: string,
  name: string,
  patch: Partial<SecretObject>,
): Promise<void> {
  const res = await kubeRequest(client.connection, {
    method: 'PATCH',
    path: secretPath(namespace, name),
    body: patch,
    contentType: 'application/strategic-merge-patch+json',
  });
  expectOk(res, `cannot update secret ${namespace}/${name}`);
}
