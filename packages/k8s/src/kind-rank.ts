const ranks: Record<string, number> = {
  namespace: 0,
  customresourcedefinition: 1,
  serviceaccount: 1,
  clusterrole: 1,
  role: 1,
  persistentvolume: 1,
  service: 1,
  resourcequota: 2,
  limitrange: 2,
  secret: 2,
  configmap: 2,
  rolebinding: 2,
  clusterrolebinding: 2,
  persistentvolumeclaim: 2,
  ingress: 2,
  daemonset: 3,
  deployment: 3,
  replicationcontroller: 3,
  replicaset: 3,
  job: 3,
  cronjob: 3,
  statefulset: 3,
};

/** Flux v1's apply order of a kind (0 first: namespaces; 4: everything it does not list). */
export function kindRank(kind: string): number {
  return ranks[kind.toLowerCase()] ?? 4;
}

/** Sorts by kind rank, then name (Flux v1's apply order); reverse it to delete. */
export function byApplyOrder<T extends { kind: string; name: string }>(a: T, b: T): number {
  return kindRank(a.kind) - kindRank(b.kind) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}
