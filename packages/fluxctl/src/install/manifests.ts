import { stringify } from 'yaml';
import type { InstallOptions } from './install-options.ts';

/** One generated file: its name (as written by `--output-dir`) and its YAML text. */
export interface InstallFile {
  readonly file: string;
  readonly text: string;
}

/** The file names, in the fixed order we print them (Flux v1 used Go map order). */
export const INSTALL_FILE_NAMES = [
  'flux-account.yaml',
  'flux-deployment.yaml',
  'flux-secret.yaml',
  'memcache-dep.yaml',
  'memcache-svc.yaml',
] as const;

type Manifest = Record<string, unknown>;

const FLUX_LABELS = { name: 'flux' } as const;
const MEMCACHED_LABELS = { name: 'memcached' } as const;
const API_PORT = 3030;
const METRICS_PORT = 3031;
const MEMCACHED_PORT = 11211;
const IDENTITY_PATH = '/api/flux/v6/identity.pub';
const KEYGEN_DIR = '/var/fluxd/keygen';
const NODE_SELECTOR = { 'kubernetes.io/os': 'linux' } as const;

/**
 * Serialises one file: each object as a `---`-introduced document. YAML 1.1 quoting, because the
 * consumers (kubectl, the API server, Go's yaml) read YAML 1.1: a namespace `on` or `no` must stay a
 * string. No line folding, so long git URLs stay on one line.
 */
function render(objects: readonly Manifest[]): string {
  return objects.map((o) => `---\n${stringify(o, { version: '1.1', lineWidth: 0 })}`).join('');
}

function metadata(name: string, namespace: string, labels?: Record<string, string>): Manifest {
  return {
    ...(labels === undefined ? {} : { labels: { ...labels } }),
    name,
    ...(namespace === '' ? {} : { namespace }),
  };
}

/** ServiceAccount, ClusterRole and ClusterRoleBinding `flux` (full access, as Flux v1's). */
function account(o: InstallOptions): Manifest[] {
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: metadata('flux', o.namespace, FLUX_LABELS) },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: metadata('flux', '', FLUX_LABELS),
      rules: [
        { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
        { nonResourceURLs: ['*'], verbs: ['*'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: metadata('flux', '', FLUX_LABELS),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'flux' },
      subjects: [
        { kind: 'ServiceAccount', name: 'flux', namespace: o.namespace === '' ? 'default' : o.namespace },
      ],
    },
  ];
}

/** fluxd's arguments, in Flux v1's order. */
export function fluxdArgs(o: InstallOptions): string[] {
  const args = [
    '--memcached-service=',
    `--ssh-keygen-dir=${KEYGEN_DIR}`,
    `--git-url=${o.gitUrl}`,
    `--git-branch=${o.gitBranch}`,
  ];
  if (o.gitPaths.length > 0) args.push(`--git-path=${o.gitPaths.join(',')}`);
  if (o.gitLabel !== '') args.push(`--git-label=${o.gitLabel}`);
  if (o.gitUser !== '') args.push(`--git-user=${o.gitUser}`);
  if (o.gitEmail !== '') args.push(`--git-email=${o.gitEmail}`);
  if (o.gitReadonly) args.push('--git-readonly');
  if (o.manifestGeneration) args.push('--manifest-generation=true');
  args.push(`--listen-metrics=:${METRICS_PORT}`);
  if (o.registryDisableScanning) args.push('--registry-disable-scanning');
  return args;
}

function probe(): Manifest {
  return {
    httpGet: { port: API_PORT, path: IDENTITY_PATH },
    initialDelaySeconds: 5,
    timeoutSeconds: 5,
  };
}

function fluxDeployment(o: InstallOptions): Manifest {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata('flux', o.namespace),
    spec: {
      replicas: 1,
      selector: { matchLabels: { ...FLUX_LABELS } },
      strategy: { type: 'Recreate' },
      template: {
        metadata: {
          // Prometheus scrapes /metrics on the separate --listen-metrics port.
          annotations: { 'prometheus.io/port': String(METRICS_PORT) },
          labels: { ...FLUX_LABELS },
        },
        spec: {
          nodeSelector: { ...NODE_SELECTOR },
          serviceAccountName: 'flux',
          // The image runs as the non-root user 10001; fsGroup makes the mounted deploy key readable
          // to it (the kubelet adds group read for that group).
          securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 },
          volumes: [
            // Read-only when mounted, hence a mode fluxd need not chmod (0400; written in decimal
            // because YAML 1.1 and 1.2 disagree on octal literals).
            { name: 'git-key', secret: { secretName: 'flux-git-deploy', defaultMode: 0o400 } },
            // tmpfs for generating SSH keys: mounted secrets are read-only.
            { name: 'git-keygen', emptyDir: { medium: 'Memory' } },
          ],
          containers: [
            {
              name: 'flux',
              image: o.fluxdImage,
              imagePullPolicy: 'IfNotPresent',
              resources: { requests: { cpu: '50m', memory: '64Mi' } },
              ports: [{ containerPort: API_PORT }],
              livenessProbe: probe(),
              readinessProbe: probe(),
              volumeMounts: [
                { name: 'git-key', mountPath: '/etc/fluxd/ssh', readOnly: true },
                { name: 'git-keygen', mountPath: KEYGEN_DIR },
              ],
              args: fluxdArgs(o),
            },
          ],
        },
      },
    },
  };
}

function fluxSecret(o: InstallOptions): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: metadata('flux-git-deploy', o.namespace),
    type: 'Opaque',
  };
}

function memcachedDeployment(o: InstallOptions): Manifest {
  const container: Manifest = {
    name: 'memcached',
    image: o.memcachedImage,
    imagePullPolicy: 'IfNotPresent',
    args: ['-m 512', '-I 5m', `-p ${MEMCACHED_PORT}`],
    ports: [{ name: 'clients', containerPort: MEMCACHED_PORT }],
  };
  if (o.addSecurityContext) {
    container.securityContext = {
      runAsUser: MEMCACHED_PORT,
      runAsGroup: MEMCACHED_PORT,
      allowPrivilegeEscalation: false,
    };
  }
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata('memcached', o.namespace),
    spec: {
      replicas: 1,
      selector: { matchLabels: { ...MEMCACHED_LABELS } },
      template: {
        metadata: { labels: { ...MEMCACHED_LABELS } },
        spec: { nodeSelector: { ...NODE_SELECTOR }, containers: [container] },
      },
    },
  };
}

function memcachedService(o: InstallOptions): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata('memcached', o.namespace),
    spec: {
      ports: [{ name: 'memcached', port: MEMCACHED_PORT }],
      selector: { ...MEMCACHED_LABELS },
    },
  };
}

/**
 * The manifests of `fluxctl install`, one entry per file, always in {@link INSTALL_FILE_NAMES}
 * order; the memcached files are left out with `registryDisableScanning`. Pure and deterministic:
 * the same options give the same bytes. Every file starts with `---\n`.
 */
export function installManifests(options: InstallOptions): InstallFile[] {
  const files: InstallFile[] = [
    { file: 'flux-account.yaml', text: render(account(options)) },
    { file: 'flux-deployment.yaml', text: render([fluxDeployment(options)]) },
    { file: 'flux-secret.yaml', text: render([fluxSecret(options)]) },
  ];
  if (!options.registryDisableScanning) {
    files.push(
      { file: 'memcache-dep.yaml', text: render([memcachedDeployment(options)]) },
      { file: 'memcache-svc.yaml', text: render([memcachedService(options)]) },
    );
  }
  return files;
}
