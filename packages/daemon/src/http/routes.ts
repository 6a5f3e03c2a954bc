/** Flux v1's route names (`flux-v1.md` §1.2): the `route` label of `flux_request_duration_seconds`. */
export const RouteName = {
  Ping: 'Ping',
  Version: 'Version',
  Notify: 'Notify',
  ListServices: 'ListServices',
  ListServicesWithOptions: 'ListServicesWithOptions',
  ListImages: 'ListImages',
  ListImagesWithOptions: 'ListImagesWithOptions',
  UpdateManifests: 'UpdateManifests',
  JobStatus: 'JobStatus',
  SyncStatus: 'SyncStatus',
  Export: 'Export',
  GitRepoConfig: 'GitRepoConfig',
  UpdateImages: 'UpdateImages',
  UpdatePolicies: 'UpdatePolicies',
  GetPublicSSHKey: 'GetPublicSSHKey',
  RegeneratePublicSSHKey: 'RegeneratePublicSSHKey',
  Why: 'Why',
  SyncErrors: 'SyncErrors',
} as const;
export type RouteName = (typeof RouteName)[keyof typeof RouteName];

/** One API route: name, methods, path (relative to `/api/flux`) and required query keys. */
export interface ApiRoute {
  name: RouteName;
  methods: readonly string[];
  path: string;
  /** Keys that must be present (even empty) for the route to match, as gorilla's `Queries`. */
  query?: readonly string[];
}

/** The API routes fluxd serves, in Flux v1's order. */
export const API_ROUTES: readonly ApiRoute[] = [
  { name: RouteName.Ping, methods: ['GET'], path: '/v11/ping' },
  { name: RouteName.Version, methods: ['GET'], path: '/v11/version' },
  { name: RouteName.Notify, methods: ['POST'], path: '/v11/notify' },
  { name: RouteName.ListServices, methods: ['GET'], path: '/v6/services' },
  { name: RouteName.ListServicesWithOptions, methods: ['GET'], path: '/v11/services' },
  { name: RouteName.ListImages, methods: ['GET'], path: '/v6/images' },
  { name: RouteName.ListImagesWithOptions, methods: ['GET'], path: '/v10/images' },
  { name: RouteName.UpdateManifests, methods: ['POST'], path: '/v9/update-manifests' },
  { name: RouteName.JobStatus, methods: ['GET'], path: '/v6/jobs', query: ['id'] },
  { name: RouteName.SyncStatus, methods: ['GET'], path: '/v6/sync', query: ['ref'] },
  { name: RouteName.Export, methods: ['HEAD', 'GET'], path: '/v6/export' },
  { name: RouteName.GitRepoConfig, methods: ['POST'], path: '/v9/git-repo-config' },
  {
    name: RouteName.UpdateImages,
    methods: ['POST'],
    path: '/v6/update-images',
    query: ['service', 'image', 'kind'],
  },
  { name: RouteName.UpdatePolicies, methods: ['PATCH'], path: '/v6/policies' },
  { name: RouteName.GetPublicSSHKey, methods: ['GET'], path: '/v6/identity.pub' },
  { name: RouteName.RegeneratePublicSSHKey, methods: ['POST'], path: '/v6/identity.pub' },
  // Beyond Flux v1: `fluxctl why`.
  { name: RouteName.Why, methods: ['GET'], path: '/v11/why', query: ['workload'] },
  { name: RouteName.SyncErrors, methods: ['GET'], path: '/v11/sync-errors' },
];

/** What a request matched: an API route, a deprecated version, or nothing. */
export type RouteMatch =
  | { kind: 'route'; name: RouteName; route: ApiRoute }
  | { kind: 'deprecated'; name: `Deprecated:v${number}` }
  | { kind: 'not-found'; name: 'NotFound' };

const DEPRECATED = /^\/(v[1-5])\//;

/**
 * Matches a request as Flux v1's gorilla router does: exact, case-sensitive paths, exact methods
 * (no implicit HEAD), required query keys; then `/v1/`…`/v5/` prefixes (deprecated); else not found.
 */
export function matchApiRoute(method: string, path: string, query: URLSearchParams): RouteMatch {
  for (const route of API_ROUTES) {
    if (route.path !== path || !route.methods.includes(method)) continue;
    if (route.query?.some((key) => !query.has(key))) continue;
    return { kind: 'route', name: route.name, route };
  }
  const deprecated = DEPRECATED.exec(path);
  if (deprecated)
    return { kind: 'deprecated', name: `Deprecated:${deprecated[1]}` as `Deprecated:v${number}` };
  return { kind: 'not-found', name: 'NotFound' };
}

/** Splits a request URL (`/path?query`) into its path and parsed query. */
export function splitUrl(url: string): { path: string; query: URLSearchParams } {
  const q = url.indexOf('?');
  return q < 0
    ? { path: url, query: new URLSearchParams() }
    : { path: url.slice(0, q), query: new URLSearchParams(url.slice(q + 1)) };
}
