import type { KubeConnection } from './connection/kube-connection.ts';
import { KubeApiError } from './errors.ts';
import { kubeRequest } from './rest.ts';

/** What the API server says of a kind. */
export interface ApiResource {
  apiVersion: string;
  kind: string;
  /** Plural resource name used in paths. */
  resource: string;
  namespaced: boolean;
  verbs: readonly string[];
}

interface ResourceList {
  groupVersion?: string;
  resources?: { name: string; kind: string; namespaced: boolean; verbs?: string[] }[];
}

/**
 * Cached API discovery: apiVersion + kind → resource and scope. A kind the cache does not know
 * (a CRD created since) makes it read that group version again, once per call.
 */
export class Discovery {
  readonly #connection: KubeConnection;
  readonly #byGroupVersion = new Map<string, Map<string, ApiResource>>();

  readonly #loading = new Map<string, Promise<Map<string, ApiResource>>>();

  constructor(connection: KubeConnection) {
    this.#connection = connection;
  }

  async #load(apiVersion: string, signal?: AbortSignal): Promise<Map<string, ApiResource>> {
    const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const res = await kubeRequest(this.#connection, { path, ...(signal ? { signal } : {}) });
    const kinds = new Map<string, ApiResource>();
    if (res.status === 200) {
      for (const r of (res.body as ResourceList).resources ?? []) {
        if (r.name.includes('/')) continue; // subresources
        kinds.set(r.kind, {
          apiVersion,
          kind: r.kind,
          resource: r.name,
          namespaced: r.namespaced,
          verbs: r.verbs ?? [],
        });
      }
    } else if (res.status !== 404) {
      throw new KubeApiError(
        `cannot discover ${apiVersion}`,
        res.status,
        JSON.stringify(res.body).slice(0, 300),
      );
    }
    this.#byGroupVersion.set(apiVersion, kinds);
    return kinds;
  }

  /** The resource of a kind, or undefined when the API server does not serve it. */
  async find(apiVersion: string, kind: string, signal?: AbortSignal): Promise<ApiResource | undefined> {
    const cached = this.#byGroupVersion.get(apiVersion)?.get(kind);
    if (cached) return cached;
    // Concurrent lookups of one group version share one request.
    let loading = this.#loading.get(apiVersion);
    if (!loading) {
      loading = this.#load(apiVersion, signal).finally(() => this.#loading.delete(apiVersion));
      this.#loading.set(apiVersion, loading);
    }
    return (await loading).get(kind);
  }

  /** The scope as core's manifest loading wants it (undefined when unknown). */
  isNamespaced(apiVersion: string, kind: string): boolean | undefined {
    return this.#byGroupVersion.get(apiVersion)?.get(kind)?.namespaced;
  }

  /** Every kind that can be listed, in every served group (preferred versions). */
  async listable(signal?: AbortSignal): Promise<ApiResource[]> {
    const opts = signal ? { signal } : {};
    const groups = await kubeRequest(this.#connection, { path: '/apis', ...opts });
    const versions = ['v1'];
    for (const g of (groups.body as { groups?: { preferredVersion?: { groupVersion?: string } }[] }).groups ??
      []) {
      if (g.preferredVersion?.groupVersion) versions.push(g.preferredVersion.groupVersion);
    }
    const out: ApiResource[] = [];
    for (const v of versions) {
      const kinds = this.#byGroupVersion.get(v) ?? (await this.#load(v, signal));
      for (const r of kinds.values()) if (r.verbs.includes('list') && r.verbs.includes('delete')) out.push(r);
    }
    return out;
  }

  /** Forgets everything (after CRDs change). */
  invalidate(): void {
    this.#byGroupVersion.clear();
  }
}
