import { randomBytes } from 'node:crypto';
import { type RequestOptions, request } from 'node:https';
import {
  CoreV1Api,
  KubeConfig,
  type KubernetesObject,
  loadAllYaml,
  type V1Deployment,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { type InstallFlags, resolveInstallOptions } from './install-options.ts';
import { type InstallFile, installManifests } from './manifests.ts';

const FIELD_MANAGER = 'fluxctl-test';

/** Where each kind we generate lives (test-only: no discovery needed for six kinds). */
const RESOURCES: Record<string, { prefix: string; plural: string; namespaced: boolean }> = {
  ServiceAccount: { prefix: '/api/v1', plural: 'serviceaccounts', namespaced: true },
  Secret: { prefix: '/api/v1', plural: 'secrets', namespaced: true },
  Service: { prefix: '/api/v1', plural: 'services', namespaced: true },
  Deployment: { prefix: '/apis/apps/v1', plural: 'deployments', namespaced: true },
  ClusterRole: { prefix: '/apis/rbac.authorization.k8s.io/v1', plural: 'clusterroles', namespaced: false },
  ClusterRoleBinding: {
    prefix: '/apis/rbac.authorization.k8s.io/v1',
    plural: 'clusterrolebindings',
    namespaced: false,
  },
};

/** The YAML documents of one file, as text (our files separate documents with `---` lines only). */
function documentsOf(file: InstallFile): string[] {
  return file.text.split(/^---\n/m).filter((d) => d !== '');
}

/** The objects of one file, as Kubernetes (YAML 1.1) reads them. */
function objectsOf(file: InstallFile): KubernetesObject[] {
  return parseAllDocuments(file.text, { version: '1.1' }).map((d) => d.toJS() as KubernetesObject);
}

describe('fluxctl install manifests against a real kube-apiserver (server-side dry run)', () => {
  const kube = inject('kube');
  const namespace = `fluxctl-install-${randomBytes(4).toString('hex')}`;
  const kc = new KubeConfig();
  let core: CoreV1Api;

  /**
   * Server-side apply of one YAML document, byte for byte as generated (the API server parses our
   * YAML itself), with dryRun=All and strict field validation. Raw HTTPS: client-node's typed
   * serialiser would silently drop unknown fields and hide mistakes.
   */
  async function dryRunApply(document: string): Promise<KubernetesObject> {
    const obj = parseAllDocuments(document, { version: '1.1' })[0]?.toJS() as KubernetesObject;
    const where = RESOURCES[obj.kind ?? ''];
    if (!where) throw new Error(`unexpected kind ${obj.kind}`);
    const ns = where.namespaced ? `/namespaces/${obj.metadata?.namespace}` : '';
    const query = `dryRun=All&fieldManager=${FIELD_MANAGER}&force=true&fieldValidation=Strict`;
    const url = new URL(
      `${where.prefix}${ns}/${where.plural}/${obj.metadata?.name}?${query}`,
      kc.getCurrentCluster()?.server,
    );
    const options: RequestOptions = {
      method: 'PATCH',
      headers: { 'content-type': 'application/apply-patch+yaml', accept: 'application/json' },
    };
    await kc.applyToHTTPSOptions(options);
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(url, options, (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          data += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
      });
      req.on('error', reject);
      req.end(document);
    });
    if (status !== 200 && status !== 201)
      throw new Error(`${obj.kind}/${obj.metadata?.name}: HTTP ${status}: ${body}`);
    return JSON.parse(body) as KubernetesObject;
  }

  beforeAll(async () => {
    if (!kube) throw new Error('no API server: this is an integration test, run it without FLUX_TS_UNIT=1');
    kc.loadFromFile(kube.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
  });
  afterAll(async () => {
    await core?.deleteNamespace({ name: namespace }).catch(() => undefined);
  });

  const cases: [string, InstallFlags, string[]][] = [
    [
      'a typical flag set',
      { gitUrl: 'git@github.com:fluxcd/flux-get-started', gitEmail: 'flux@example.com', version: '1.2.3' },
      [
        '--memcached-service=',
        '--ssh-keygen-dir=/var/fluxd/keygen',
        '--git-url=git@github.com:fluxcd/flux-get-started',
        '--git-branch=master',
        '--git-label=flux',
        '--git-user=Flux',
        '--git-email=flux@example.com',
        '--listen-metrics=:3031',
      ],
    ],
    [
      'every optional flag',
      {
        gitUrl: 'ssh://git@gitsrv/git-server/repos/cluster.git',
        gitEmail: 'foo',
        gitBranch: 'main',
        gitPaths: ['deploy/base', 'deploy/prod'],
        gitLabel: 'prod',
        gitUser: 'Flux Bot',
        gitReadonly: true,
        manifestGeneration: true,
        registryDisableScanning: true,
        addSecurityContext: false,
      },
      [
        '--memcached-service=',
        '--ssh-keygen-dir=/var/fluxd/keygen',
        '--git-url=ssh://git@gitsrv/git-server/repos/cluster.git',
        '--git-branch=main',
        '--git-path=deploy/base,deploy/prod',
        '--git-label=prod',
        '--git-user=Flux Bot',
        '--git-email=foo',
        '--git-readonly',
        '--manifest-generation=true',
        '--listen-metrics=:3031',
        '--registry-disable-scanning',
      ],
    ],
  ];

  it.each(cases)('accepts every object for %s', async (_name, flags, expectedArgs) => {
    const files = installManifests(resolveInstallOptions({ ...flags, namespace }));
    const seen: string[] = [];
    for (const file of files) {
      const parsed = objectsOf(file);
      // kubectl's reader (client-node uses js-yaml) sees the same objects.
      expect(loadAllYaml(file.text)).toEqual(parsed);
      const documents = documentsOf(file);
      expect(documents).toHaveLength(parsed.length);
      for (const [i, obj] of parsed.entries()) {
        const accepted = await dryRunApply(documents[i] as string);
        seen.push(`${file.file}:${obj.kind}/${obj.metadata?.name}`);
        expect(accepted.kind).toBe(obj.kind);
        expect(accepted.metadata?.name).toBe(obj.metadata?.name);
        if (obj.kind !== 'ClusterRole' && obj.kind !== 'ClusterRoleBinding') {
          expect(accepted.metadata?.namespace).toBe(namespace);
        }
        if (file.file === 'flux-deployment.yaml') {
          const dep = accepted as V1Deployment;
          const container = dep.spec?.template.spec?.containers[0];
          expect(container?.args).toEqual(expectedArgs);
          expect(container?.image).toBe(resolveInstallOptions(flags).fluxdImage);
          expect(dep.spec?.strategy?.type).toBe('Recreate');
          expect(dep.spec?.template.metadata?.labels).toEqual({ name: 'flux' });
          expect(dep.spec?.template.metadata?.annotations).toEqual({ 'prometheus.io/port': '3031' });
          expect(dep.spec?.template.spec?.volumes?.[0]?.secret).toEqual({
            secretName: 'flux-git-deploy',
            defaultMode: 0o400,
          });
          expect(dep.spec?.template.spec?.volumes?.[1]?.emptyDir).toEqual({ medium: 'Memory' });
          expect(container?.livenessProbe?.httpGet?.path).toBe('/api/flux/v6/identity.pub');
          expect(container?.readinessProbe?.httpGet?.port).toBe(3030);
        }
        if (file.file === 'memcache-dep.yaml') {
          const sc = (accepted as V1Deployment).spec?.template.spec?.containers[0]?.securityContext;
          expect(sc).toEqual({ runAsUser: 11211, runAsGroup: 11211, allowPrivilegeEscalation: false });
        }
      }
    }
    const expected = [
      'flux-account.yaml:ServiceAccount/flux',
      'flux-account.yaml:ClusterRole/flux',
      'flux-account.yaml:ClusterRoleBinding/flux',
      'flux-deployment.yaml:Deployment/flux',
      'flux-secret.yaml:Secret/flux-git-deploy',
    ];
    if (!flags.registryDisableScanning) {
      expected.push('memcache-dep.yaml:Deployment/memcached', 'memcache-svc.yaml:Service/memcached');
    }
    expect(seen).toEqual(expected);
  });

  it('would notice a bad object: the dry run validates (unknown field, bad value)', async () => {
    const [file] = installManifests(resolveInstallOptions({ gitUrl: 'u', gitEmail: 'e', namespace })).filter(
      (f) => f.file === 'flux-deployment.yaml',
    );
    const text = documentsOf(file as InstallFile)[0] as string;
    await expect(
      dryRunApply(text.replace('  replicas: 1\n', '  replicas: 1\n  bogus: true\n')),
    ).rejects.toThrow(/field not declared in schema.*bogus|bogus.*field not declared/);
    await expect(dryRunApply(text.replace('type: Recreate', 'type: Sometimes'))).rejects.toThrow(
      /HTTP 422.*Sometimes/,
    );
  });

  it('persisted nothing (dry run)', async () => {
    const { items } = await core.listNamespacedSecret({ namespace });
    expect(items.map((s) => s.metadata?.name)).not.toContain('flux-git-deploy');
    const sa = await core.listNamespacedServiceAccount({ namespace });
    expect(sa.items.map((s) => s.metadata?.name)).not.toContain('flux');
  });
});
