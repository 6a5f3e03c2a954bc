/**
 * Says whether a kind is namespaced: true, false, or undefined when it does not know (the daemon
 * injects API discovery here; the library falls back to {@link builtinIsNamespaced}).
 */
export type IsNamespaced = (apiVersion: string, kind: string) => boolean | undefined;

// Cluster-scoped kinds of Kubernetes itself and of common add-ons. Everything else is namespaced
// unless discovery or a CRD in the same manifests says otherwise.
const clusterScoped = new Set([
  'APIService',
  'CertificateSigningRequest',
  'ClusterIssuer',
  'ClusterRole',
  'ClusterRoleBinding',
  'ComponentStatus',
  'CSIDriver',
  'CSINode',
  'CustomResourceDefinition',
  'FlowSchema',
  'IngressClass',
  'MutatingWebhookConfiguration',
  'Namespace',
  'Node',
  'PersistentVolume',
  'PodSecurityPolicy',
  'PriorityClass',
  'PriorityLevelConfiguration',
  'RuntimeClass',
  'StorageClass',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'ValidatingWebhookConfiguration',
  'VolumeAttachment',
]);

/** Built-in knowledge of Kubernetes kinds: false for the well-known cluster-scoped kinds. */
export const builtinIsNamespaced: IsNamespaced = (_apiVersion, kind) => !clusterScoped.has(kind);

/** Scopes declared by CustomResourceDefinitions: `group/version` + kind → namespaced?. */
export class CrdScopes {
  readonly #scopes = new Map<string, boolean>();

  /** Records the scope of a CRD object (apiextensions v1 or v1beta1 shape). */
  add(crd: Record<string, unknown>): void {
    const spec = crd.spec as
      | {
          group?: unknown;
          scope?: unknown;
          names?: { kind?: unknown };
          versions?: unknown;
          version?: unknown;
        }
      | undefined;
    if (!spec || typeof spec.group !== 'string' || typeof spec.names?.kind !== 'string') return;
    const namespaced = spec.scope !== 'Cluster';
    const versions = Array.isArray(spec.versions)
      ? spec.versions
          .map((v: { name?: unknown }) => v?.name)
          .filter((v): v is string => typeof v === 'string')
      : [];
    if (typeof spec.version === 'string') versions.push(spec.version);
    for (const version of versions)
      this.#scopes.set(`${spec.group}/${version}:${spec.names.kind}`, namespaced);
  }

  lookup(apiVersion: string, kind: string): boolean | undefined {
    return this.#scopes.get(`${apiVersion}:${kind}`);
  }
}
