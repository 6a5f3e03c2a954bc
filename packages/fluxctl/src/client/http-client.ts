import type {
  CallOptions,
  ChangeJson,
  ContainerExplanationJson,
  ControllerStatusJson,
  FluxApi,
  FluxErrorJson,
  GitConfigJson,
  ImageStatusJson,
  JobStatusJson,
  ListImagesOptions,
  ListServicesOptions,
  ResourceErrorJson,
  UpdateSpecJson,
} from '@flux-ts/core';
import { AuthenticationError, ConnectionError, FluxApiError, UnexpectedResponseError } from './errors.ts';
import { encodeQuery } from './query.ts';

/** Options of {@link createHttpClient}. */
export interface HttpClientOptions {
  /** The API base, ending in `/api/flux` (e.g. `http://127.0.0.1:3030/api/flux`). */
  baseUrl: string;
  /** Sent as Flux v1 does: `Authorization: Scope-Probe token=<token>`. Never logged. */
  token?: string | undefined;
  fetch?: typeof fetch;
}

const OK = new Set([200, 201, 202, 204]);

/**
 * fluxd's API over HTTP, as Flux v1's fluxctl calls it (`flux-v1.md` §1.5, §1.6): `Accept:
 * application/json` on every request, queries in Go's encoding with empty parameters kept, flux
 * errors decoded into {@link FluxApiError} (fluxctl prints their help).
 */
export function createHttpClient(options: HttpClientOptions): FluxApi {
  const doFetch = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/+$/, '');

  async function call(
    method: string,
    path: string,
    query: Record<string, string> | undefined,
    body: unknown,
    call?: CallOptions,
  ): Promise<string> {
    const url = `${base}${path}${query ? `?${encodeQuery(query)}` : ''}`;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (options.token) headers.Authorization = `Scope-Probe token=${options.token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await doFetch(url, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        ...(call?.signal ? { signal: call.signal } : {}),
      });
    } catch (err) {
      if (call?.signal?.aborted) throw err;
      throw new ConnectionError(base, err);
    }
    const text = await res.text();
    if (OK.has(res.status)) return text;
    if (res.status === 401) throw new AuthenticationError();
    if ((res.headers.get('content-type') ?? '').startsWith('application/json')) {
      try {
        const parsed = JSON.parse(text) as Partial<FluxErrorJson>;
        if (parsed && typeof parsed === 'object' && parsed.error) {
          throw new FluxApiError(res.status, {
            type: parsed.type ?? 'user',
            help: parsed.help ?? '',
            error: parsed.error,
          });
        }
      } catch (err) {
        if (err instanceof FluxApiError) throw err;
      }
    }
    throw new UnexpectedResponseError(res.status, res.statusText, text);
  }

  const json = async <T>(text: string): Promise<T> => JSON.parse(text) as T;

  return {
    ping: async (o) => {
      await call('GET', '/v11/ping', undefined, undefined, o);
    },
    version: async (o) => json<string>(await call('GET', '/v11/version', undefined, undefined, o)),
    notifyChange: async (change: ChangeJson, o) => {
      await call('POST', '/v11/notify', undefined, change, o);
    },
    listServices: async (q: ListServicesOptions, o) => {
      if (q.services && q.services.length > 0) {
        return json<ControllerStatusJson[]>(
          await call(
            'GET',
            '/v11/services',
            { namespace: q.namespace ?? '', services: q.services.join(',') },
            undefined,
            o,
          ),
        );
      }
      return json<ControllerStatusJson[]>(
        await call('GET', '/v6/services', { namespace: q.namespace ?? '' }, undefined, o),
      );
    },
    listImages: async (q: ListImagesOptions, o) =>
      json<ImageStatusJson[]>(
        await call(
          'GET',
          '/v10/images',
          {
            containerFields: (q.containerFields ?? []).join(','),
            namespace: q.namespace ?? '',
            service: q.service ?? '<all>',
          },
          undefined,
          o,
        ),
      ),
    updateManifests: async (spec: UpdateSpecJson, o) =>
      json<string>(await call('POST', '/v9/update-manifests', undefined, spec, o)),
    jobStatus: async (id, o) => json<JobStatusJson>(await call('GET', '/v6/jobs', { id }, undefined, o)),
    syncStatus: async (ref, o) => json<string[]>(await call('GET', '/v6/sync', { ref }, undefined, o)),
    export: async (o) => {
      const encoded = await json<string>(await call('GET', '/v6/export', undefined, undefined, o));
      return Buffer.from(encoded, 'base64').toString('utf8');
    },
    explain: async (workload, container, o) =>
      json<ContainerExplanationJson[]>(
        await call('GET', '/v11/why', { container: container ?? '', workload }, undefined, o),
      ),
    syncErrors: async (o) =>
      json<ResourceErrorJson[]>(await call('GET', '/v11/sync-errors', undefined, undefined, o)),
    gitRepoConfig: async (regenerate, o) =>
      json<GitConfigJson>(await call('POST', '/v9/git-repo-config', undefined, regenerate, o)),
  };
}
