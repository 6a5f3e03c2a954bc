import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { type InstallFlags, resolveInstallOptions } from './install-options.ts';
import { INSTALL_FILE_NAMES, installManifests } from './manifests.ts';
import { installStream } from './write.ts';

const TYPICAL: InstallFlags = {
  gitUrl: 'git@github.com:fluxcd/flux-get-started',
  gitEmail: 'flux@example.com',
  namespace: 'flux',
  version: '1.2.3',
};

function manifests(flags: Partial<InstallFlags> = {}) {
  return installManifests(resolveInstallOptions({ ...TYPICAL, ...flags }));
}

function text(flags: Partial<InstallFlags>, file: string): string {
  const found = manifests(flags).find((f) => f.file === file);
  if (!found) throw new Error(`no ${file}`);
  return found.text;
}

/** The args block of flux-deployment.yaml, one arg a line. */
function args(flags: Partial<InstallFlags>): string[] {
  const t = text(flags, 'flux-deployment.yaml');
  return t
    .slice(t.indexOf('          args:\n') + '          args:\n'.length)
    .split('\n')
    .filter((l) => l.startsWith('            - '))
    .map((l) => l.slice('            - '.length));
}

// Golden output for a typical flag set, reviewed by hand against Flux v1.25's templates (same
// objects and field values; differences: our image, memcached 1.6.21-alpine, rbac/v1, no comments,
// defaultMode written as 256 = 0400, block sequences).
const GOLDEN_TYPICAL: Record<string, string> = {
  'flux-account.yaml': `---
apiVersion: v1
kind: ServiceAccount
metadata:
  labels:
    name: flux
  name: flux
  namespace: flux
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  labels:
    name: flux
  name: flux
rules:
  - apiGroups:
      - "*"
    resources:
      - "*"
    verbs:
      - "*"
  - nonResourceURLs:
      - "*"
    verbs:
      - "*"
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  labels:
    name: flux
  name: flux
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: flux
subjects:
  - kind: ServiceAccount
    name: flux
    namespace: flux
`,
  'flux-deployment.yaml': `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: flux
  namespace: flux
spec:
  replicas: 1
  selector:
    matchLabels:
      name: flux
  strategy:
    type: Recreate
  template:
    metadata:
      annotations:
        prometheus.io/port: "3031"
      labels:
        name: flux
    spec:
      nodeSelector:
        kubernetes.io/os: linux
      serviceAccountName: flux
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        runAsGroup: 10001
        fsGroup: 10001
      volumes:
        - name: git-key
          secret:
            secretName: flux-git-deploy
            defaultMode: 256
        - name: git-keygen
          emptyDir:
            medium: Memory
      containers:
        - name: flux
          image: ghcr.io/flux-ts/fluxd:1.2.3
          imagePullPolicy: IfNotPresent
          resources:
            requests:
              cpu: 50m
              memory: 64Mi
          ports:
            - containerPort: 3030
          livenessProbe:
            httpGet:
              port: 3030
              path: /api/flux/v6/identity.pub
            initialDelaySeconds: 5
            timeoutSeconds: 5
          readinessProbe:
            httpGet:
              port: 3030
              path: /api/flux/v6/identity.pub
            initialDelaySeconds: 5
            timeoutSeconds: 5
          volumeMounts:
            - name: git-key
              mountPath: /etc/fluxd/ssh
              readOnly: true
            - name: git-keygen
              mountPath: /var/fluxd/keygen
          args:
            - --memcached-service=
            - --ssh-keygen-dir=/var/fluxd/keygen
            - --git-url=git@github.com:fluxcd/flux-get-started
            - --git-branch=master
            - --git-label=flux
            - --git-user=Flux
            - --git-email=flux@example.com
            - --listen-metrics=:3031
`,
  'flux-secret.yaml': `---
apiVersion: v1
kind: Secret
metadata:
  name: flux-git-deploy
  namespace: flux
type: Opaque
`,
  'memcache-dep.yaml': `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: memcached
  namespace: flux
spec:
  replicas: 1
  selector:
    matchLabels:
      name: memcached
  template:
    metadata:
      labels:
        name: memcached
    spec:
      nodeSelector:
        kubernetes.io/os: linux
      containers:
        - name: memcached
          image: memcached:1.6.21-alpine
          imagePullPolicy: IfNotPresent
          args:
            - -m 512
            - -I 5m
            - -p 11211
          ports:
            - name: clients
              containerPort: 11211
          securityContext:
            runAsUser: 11211
            runAsGroup: 11211
            allowPrivilegeEscalation: false
`,
  'memcache-svc.yaml': `---
apiVersion: v1
kind: Service
metadata:
  name: memcached
  namespace: flux
spec:
  ports:
    - name: memcached
      port: 11211
  selector:
    name: memcached
`,
};

describe('installManifests', () => {
  it('produces the golden files for a typical flag set, in the fixed order', () => {
    const files = manifests();
    expect(files.map((f) => f.file)).toEqual([...INSTALL_FILE_NAMES]);
    for (const f of files) expect(f.text).toBe(GOLDEN_TYPICAL[f.file]);
    expect(installStream(files)).toBe(INSTALL_FILE_NAMES.map((n) => GOLDEN_TYPICAL[n]).join(''));
  });

  it('starts every file with ---', () => {
    for (const f of manifests({ registryDisableScanning: false }))
      expect(f.text.startsWith('---\n')).toBe(true);
  });

  it('is deterministic byte for byte', () => {
    const flags: Partial<InstallFlags> = {
      gitPaths: ['b', 'a'],
      gitReadonly: true,
      manifestGeneration: true,
    };
    const first = installStream(manifests(flags));
    for (let i = 0; i < 5; i++) expect(installStream(manifests(flags))).toBe(first);
  });

  it('passes --git-readonly and --manifest-generation=true in their places', () => {
    expect(args({ gitReadonly: true, manifestGeneration: true })).toEqual([
      '--memcached-service=',
      '--ssh-keygen-dir=/var/fluxd/keygen',
      '--git-url=git@github.com:fluxcd/flux-get-started',
      '--git-branch=master',
      '--git-label=flux',
      '--git-user=Flux',
      '--git-email=flux@example.com',
      '--git-readonly',
      '--manifest-generation=true',
      '--listen-metrics=:3031',
    ]);
  });

  it('joins several git paths with commas, after --git-branch', () => {
    expect(args({ gitPaths: ['deploy/base', 'deploy/prod,charts'], gitBranch: 'main' }).slice(3, 5)).toEqual([
      '--git-branch=main',
      '--git-path=deploy/base,deploy/prod,charts',
    ]);
    expect(args({ gitPaths: ['only'] })).toContain('--git-path=only');
    expect(args({ gitPaths: [] }).some((a) => a.startsWith('--git-path'))).toBe(false);
  });

  it('drops --git-label and --git-user when explicitly empty', () => {
    const a = args({ gitLabel: '', gitUser: '' });
    expect(a.some((x) => x.startsWith('--git-label') || x.startsWith('--git-user'))).toBe(false);
    expect(args({ gitLabel: 'prod-sync', gitUser: 'Bot' })).toEqual(
      expect.arrayContaining(['--git-label=prod-sync', '--git-user=Bot']),
    );
  });

  it('omits the memcached files and passes --registry-disable-scanning', () => {
    const files = manifests({ registryDisableScanning: true });
    expect(files.map((f) => f.file)).toEqual([
      'flux-account.yaml',
      'flux-deployment.yaml',
      'flux-secret.yaml',
    ]);
    const a = args({ registryDisableScanning: true });
    expect(a.slice(-2)).toEqual(['--listen-metrics=:3031', '--registry-disable-scanning']);
  });

  it('leaves out the memcached security context with addSecurityContext false', () => {
    const dep = text({ addSecurityContext: false }, 'memcache-dep.yaml');
    expect(dep).not.toContain('securityContext');
    expect(GOLDEN_TYPICAL['memcache-dep.yaml']).toContain('runAsUser: 11211');
  });

  it('uses our fluxd image, tagged with the given version or the package version', () => {
    expect(text({ version: '9.9.9' }, 'flux-deployment.yaml')).toContain(
      'image: ghcr.io/flux-ts/fluxd:9.9.9\n',
    );
    expect(text({ version: undefined }, 'flux-deployment.yaml')).toMatch(
      /image: ghcr\.io\/flux-ts\/fluxd:\d+\.\d+\.\d+/,
    );
  });

  it('puts every namespaced object into the namespace, and the binding subject too', () => {
    const all = installStream(manifests({ namespace: 'gitops' }));
    expect(all.match(/namespace: gitops\n/g)).toHaveLength(6);
    expect(all).not.toContain('namespace: flux\n');
  });

  it('quotes values that YAML 1.1 would not read as strings', () => {
    expect(text({ namespace: 'on' }, 'flux-secret.yaml')).toContain('namespace: "on"\n');
    expect(text({ gitEmail: 'yes' }, 'flux-deployment.yaml')).toContain('- --git-email=yes\n');
    const url = 'ssh://git@host/repo.git #not-a-comment: "x"';
    const [doc] = parseAllDocuments(text({ gitUrl: url }, 'flux-deployment.yaml'), { version: '1.1' });
    const container = doc?.getIn(['spec', 'template', 'spec', 'containers', 0], false) as {
      get(k: string): unknown;
    };
    expect(JSON.parse(JSON.stringify(container.get('args')))).toContain(`--git-url=${url}`);
  });
});
