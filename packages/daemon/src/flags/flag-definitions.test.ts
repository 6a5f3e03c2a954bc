import { describe, expect, it } from 'vitest';
import type { FluxdConfig } from './config.ts';
import { FLAG_DEFINITIONS, FLAG_GROUPS, findFlag } from './flag-definitions.ts';
import { defaultFluxdConfig } from './parse-args.ts';

type Expected = string | boolean | number | readonly string[] | undefined;

/**
 * Every flag with its default: flux-v1.md §13, overridden by decisions.md "Defaults" (registry
 * rps/burst, cache expiry) and extended by the flags Flux v1 did not have. Durations as written.
 */
const SPEC_DEFAULTS: Record<string, Expected> = {
  help: false,
  version: false,
  listen: ':3030',
  'listen-metrics': '',
  'api-token-file': '',
  'log-format': 'fmt',
  'kubernetes-kubectl': '',
  'kube-config': undefined,
  'git-url': '',
  'git-branch': 'master',
  'git-path': [],
  'git-readonly': false,
  'git-user': 'Weave Flux',
  'git-email': 'support@weave.works',
  'git-set-author': false,
  'git-label': '',
  'git-sync-tag': 'flux-sync',
  'git-notes-ref': 'flux',
  'git-ci-skip': false,
  'git-ci-skip-message': '',
  'git-poll-interval': '5m',
  'git-timeout': '20s',
  'git-secret': false,
  'git-gpg-key-import': [],
  'git-signing-key': '',
  'git-verify-signatures': false,
  'git-verify-signatures-mode': '',
  sops: false,
  'sync-interval': '5m',
  'sync-timeout': '1m',
  'sync-garbage-collection': false,
  'sync-garbage-collection-dry': false,
  'sync-garbage-collection-max': 0,
  'sync-state': 'git',
  'manifest-generation': false,
  'memcached-hostname': 'memcached',
  'memcached-port': 11211,
  'memcached-service': 'memcached',
  'memcached-timeout': '1s',
  'registry-disable-scanning': false,
  'automation-interval': '5m',
  'automation-settle': '10s',
  'registry-rps': 200,
  'registry-burst': 125,
  'registry-trace': false,
  'registry-insecure-host': [],
  'registry-exclude-image': ['k8s.gcr.io/*'],
  'registry-include-image': [],
  'registry-use-labels': ['index.docker.io/weaveworks/*', 'index.docker.io/fluxcd/*'],
  'registry-ecr-region': [],
  'registry-ecr-include-id': [],
  'registry-ecr-exclude-id': ['602401143452', '918309763551'],
  'registry-require': [],
  'registry-platform': ['linux/amd64'],
  'docker-config': '',
  'registry-cache-expiry': '1h',
  'k8s-secret-name': 'flux-git-deploy',
  'k8s-secret-volume-mount-path': '/etc/fluxd/ssh',
  'k8s-secret-data-key': 'identity',
  'k8s-allow-namespace': [],
  'k8s-default-namespace': '',
  'k8s-unsafe-exclude-resource': ['*metrics.k8s.io/*', 'webhook.certmanager.k8s.io/*', 'v1/Event'],
  'k8s-verbosity': 0,
  'k8s-in-cluster': true,
  'k8s-namespace': '',
  'ssh-keygen-bits': undefined,
  'ssh-keygen-type': undefined,
  'ssh-keygen-format': undefined,
  'ssh-keygen-dir': '',
  connect: '',
  token: '',
  'rpc-timeout': '10s',
};

/** The config field each flag lands in when no flags are given (durations in ms). */
const CONFIG_DEFAULTS: Partial<Record<keyof FluxdConfig, Expected>> = {
  listen: ':3030',
  listenMetrics: '',
  apiTokenFile: '',
  logFormat: 'fmt',
  gitUrl: '',
  gitBranch: 'master',
  gitPath: [],
  gitReadonly: false,
  gitUser: 'Weave Flux',
  gitEmail: 'support@weave.works',
  gitSetAuthor: false,
  gitLabel: '',
  gitSyncTag: 'flux-sync',
  gitNotesRef: 'flux',
  gitCiSkip: false,
  gitCiSkipMessage: '',
  gitPollIntervalMs: 300_000,
  gitTimeoutMs: 20_000,
  gitSecret: false,
  gitGpgKeyImport: [],
  gitSigningKey: '',
  gitVerifySignaturesMode: 'none',
  sops: false,
  syncIntervalMs: 300_000,
  syncTimeoutMs: 60_000,
  syncGarbageCollection: false,
  syncGarbageCollectionDry: false,
  syncGarbageCollectionMax: 0,
  syncState: 'git',
  manifestGeneration: false,
  automationIntervalMs: 300_000,
  automationSettleMs: 10_000,
  registryDisableScanning: false,
  registryRps: 200,
  registryBurst: 125,
  registryTrace: false,
  registryInsecureHost: [],
  registryExcludeImage: ['k8s.gcr.io/*'],
  registryIncludeImage: [],
  registryUseLabels: ['index.docker.io/weaveworks/*', 'index.docker.io/fluxcd/*'],
  registryEcrRegion: [],
  registryEcrIncludeId: [],
  registryEcrExcludeId: ['602401143452', '918309763551'],
  registryRequire: [],
  registryPlatform: ['linux/amd64'],
  dockerConfig: '',
  registryCacheExpiryMs: 3_600_000,
  memcachedHostname: 'memcached',
  memcachedPort: 11211,
  memcachedService: 'memcached',
  memcachedTimeoutMs: 1_000,
  kubernetesKubectl: '',
  kubeConfig: undefined,
  k8sNamespace: '',
  k8sSecretName: 'flux-git-deploy',
  k8sSecretVolumeMountPath: '/etc/fluxd/ssh',
  k8sSecretDataKey: 'identity',
  k8sAllowNamespace: [],
  k8sDefaultNamespace: '',
  k8sUnsafeExcludeResource: ['*metrics.k8s.io/*', 'webhook.certmanager.k8s.io/*', 'v1/Event'],
  k8sVerbosity: 0,
  sshKeygenBits: undefined,
  sshKeygenType: undefined,
  sshKeygenFormat: undefined,
  sshKeygenDir: '',
  connect: '',
  token: '',
  rpcTimeoutMs: 10_000,
};

describe('FLAG_DEFINITIONS', () => {
  it('has exactly the flags of the spec table, once each', () => {
    const names = FLAG_DEFINITIONS.map((def) => def.name);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual(Object.keys(SPEC_DEFAULTS).sort());
  });

  it.each(Object.entries(SPEC_DEFAULTS))('--%s defaults to the spec value', (name, expected) => {
    expect(findFlag(name)?.default).toEqual(expected);
  });

  it.each(Object.entries(CONFIG_DEFAULTS))('config.%s defaults to the spec value', (key, expected) => {
    expect(defaultFluxdConfig()[key as keyof FluxdConfig]).toEqual(expected);
  });

  it('covers every config field in the defaults table', () => {
    const config = defaultFluxdConfig();
    for (const key of Object.keys(config)) expect(CONFIG_DEFAULTS).toHaveProperty(key);
  });

  it('gives every flag a known group, a description, and unique spellings', () => {
    const spellings = FLAG_DEFINITIONS.flatMap((def) => [def.name, ...def.aliases.map((a) => a.name)]);
    expect(new Set(spellings).size).toBe(spellings.length);
    for (const def of FLAG_DEFINITIONS) {
      expect(FLAG_GROUPS).toContain(def.group);
      expect(def.description).not.toBe('');
    }
  });

  it('knows the aliases of §13', () => {
    expect(findFlag('l')?.name).toBe('listen');
    expect(findFlag('registry-poll-interval')?.name).toBe('automation-interval');
    expect(findFlag('k8s-namespace-whitelist')?.name).toBe('k8s-allow-namespace');
    expect(findFlag('git-brnch')).toBeUndefined();
  });

  it('marks the deprecated flags of §13', () => {
    const deprecated = FLAG_DEFINITIONS.filter((d) => d.deprecated !== undefined).map((d) => d.name);
    expect(deprecated.sort()).toEqual(
      ['git-verify-signatures', 'k8s-in-cluster', 'kube-config', 'registry-cache-expiry'].sort(),
    );
    const aliases = FLAG_DEFINITIONS.flatMap((d) => d.aliases.filter((a) => a.deprecated).map((a) => a.name));
    expect(aliases.sort()).toEqual(['k8s-namespace-whitelist', 'registry-poll-interval']);
  });
});
