import { lookup } from 'node:dns/promises';
import { mkdir, readFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock, Logger } from '@flux-ts/core';
import { systemClock } from '@flux-ts/core';
import { claimWorkDir, createGitSyncState, createMirror, importGpgKeys, type Mirror } from '@flux-ts/git';
import {
  createKubeClient,
  createSecretSyncState,
  type KubeClient,
  kubeRequest,
  type PullSecret,
} from '@flux-ts/k8s';
import {
  type CacheStore,
  type Credentials,
  createCacheStore,
  createRegistryClient,
  createScanner,
  dockerConfigSource,
  ecrAllowed,
  ecrCredentialsSource,
  firstOf,
  globMatcher,
  HostLimiters,
  imageFilter,
  pullSecretCredentials,
  type RegistryClient,
  requireEcr,
  type Scanner,
} from '@flux-ts/registry';
import type { DaemonGit, DaemonOptions } from '../daemon/daemon.ts';
import type { FluxdConfig } from '../flags/config.ts';
import { emptyKeyring, type Keyring, openKeyring } from '../keyring/keyring.ts';

const SA_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/**
 * fluxd's own namespace (where its deploy-key Secret lives): `--k8s-namespace`, else the service
 * account's (in a pod), else the kubeconfig context's namespace (as kubectl), else `default`.
 */
export async function ownNamespace(
  config: FluxdConfig,
  kube?: KubeClient,
  serviceAccountNamespaceFile: string = SA_NAMESPACE_FILE,
): Promise<string> {
  if (config.k8sNamespace) return config.k8sNamespace;
  const fromFile = await readFile(serviceAccountNamespaceFile, 'utf8').catch(() => '');
  return fromFile.trim() || kube?.contextNamespace || 'default';
}

/** Whether a git URL is reached over ssh (and so needs the deploy key). */
export function usesSsh(url: string): boolean {
  if (!url) return false;
  if (/^(https?|file):\/\//i.test(url)) return false;
  if (url.startsWith('/')) return false;
  return true;
}

/** What {@link composeDaemon} built besides the daemon's options: things main must start or close. */
export interface Composed {
  options: DaemonOptions;
  /** The scanner's callback target, set once the daemon exists. */
  setImagesChanged(fn: () => void): void;
  /**
   * Re-reads image pull secrets and resolves the registry credentials of `hosts` (docker config,
   * ECR): run after each sync, so scans use what the workloads are allowed to pull with.
   */
  refreshCredentials(hosts: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

async function listPullSecrets(kube: KubeClient, namespaces: readonly string[]): Promise<PullSecret[]> {
  const scopes = namespaces.length > 0 ? namespaces : [undefined];
  const out: PullSecret[] = [];
  for (const ns of scopes) {
    for (const type of ['kubernetes.io/dockerconfigjson', 'kubernetes.io/dockercfg']) {
      const path = `/api/v1${ns ? `/namespaces/${encodeURIComponent(ns)}` : ''}/secrets?fieldSelector=${encodeURIComponent(`type=${type}`)}`;
      const res = await kubeRequest(kube.connection, { path });
      if (res.status !== 200) continue;
      out.push(...(((res.body as { items?: PullSecret[] }).items ?? []) as PullSecret[]));
    }
  }
  return out;
}

async function openCache(config: FluxdConfig, logger: Logger, clock: Clock): Promise<CacheStore> {
  if (config.memcachedHostname) {
    const resolves = await lookup(config.memcachedHostname).then(
      () => true,
      () => false,
    );
    if (resolves) {
      logger.info(
        { host: config.memcachedHostname, port: config.memcachedPort },
        'image metadata cache: memcached',
      );
      return createCacheStore(
        {
          kind: 'memcached',
          hostname: config.memcachedHostname,
          port: config.memcachedPort,
          service: config.memcachedService,
          timeoutMs: config.memcachedTimeoutMs,
        },
        { clock, logger },
      );
    }
  }
  const dir = process.env.FLUXD_CACHE_DIR || join(homedir(), '.cache', 'fluxd', 'registry');
  logger.info({ dir }, 'image metadata cache: files (memcached hostname does not resolve)');
  return createCacheStore({ kind: 'file', dir }, { clock, logger });
}

/**
 * Builds every component of fluxd from its flags: the Kubernetes client, the deploy key, the git
 * mirror and sync state, the registry scanner with its credentials and cache. Nothing starts here.
 * @throws the component's typed error when a required piece cannot work (`--registry-require ecr`).
 */
export async function composeDaemon(
  config: FluxdConfig,
  deps: { version: string; logger: Logger; clock?: Clock; kube?: KubeClient },
): Promise<Composed> {
  const { logger } = deps;
  const clock = deps.clock ?? systemClock;
  const kube = deps.kube ?? createKubeClient(config.kubeConfig ? { kubeconfigPath: config.kubeConfig } : {});
  const namespace = await ownNamespace(config, kube);
  const closers: (() => Promise<void>)[] = [];

  let keyring: Keyring = emptyKeyring;
  if (usesSsh(config.gitUrl)) {
    keyring = await openKeyring({
      mountPath: config.k8sSecretVolumeMountPath,
      dataKey: config.k8sSecretDataKey,
      keygenDir: config.sshKeygenDir || config.k8sSecretVolumeMountPath,
      secret: { kube, namespace, name: config.k8sSecretName },
      keygen: {
        ...(config.sshKeygenBits !== undefined ? { bits: config.sshKeygenBits } : {}),
        ...(config.sshKeygenType !== undefined ? { type: config.sshKeygenType } : {}),
        ...(config.sshKeygenFormat !== undefined ? { format: config.sshKeygenFormat } : {}),
      },
      logger,
    });
  }

  const gnupgHome = process.env.GNUPGHOME;
  if (config.gitGpgKeyImport.length > 0) {
    const home = gnupgHome || join(homedir(), '.gnupg');
    const imported = await importGpgKeys(config.gitGpgKeyImport, {
      gnupgHome: home,
      trustAll: config.gitVerifySignaturesMode !== 'none',
    });
    logger.info({ files: imported.length }, 'imported GPG keys');
  }

  let git: DaemonGit | undefined;
  let mirror: Mirror | undefined;
  if (config.gitUrl) {
    // A directory of fluxd's own, so clones a killed run left behind can be found and removed.
    const workDir = process.env.FLUXD_GIT_WORKDIR || join(tmpdir(), `fluxd-git-${process.getuid?.() ?? 0}`);
    await mkdir(workDir, { recursive: true, mode: 0o700 });
    const claim = await claimWorkDir(workDir);
    if (claim.swept.length > 0) {
      logger.warn({ dir: workDir, removed: claim.swept.length }, 'removed git clones left by a previous run');
    }
    if (claim.sharedWith !== undefined) {
      logger.warn(
        { dir: workDir, pid: claim.sharedWith },
        'the git work directory is in use by another process; set FLUXD_GIT_WORKDIR to one of its own',
      );
    }
    mirror = createMirror({
      url: config.gitUrl,
      branch: config.gitBranch,
      paths: config.gitPath,
      readonly: config.gitReadonly,
      notesRef: config.gitNotesRef,
      ...(config.gitSigningKey ? { signingKey: config.gitSigningKey } : {}),
      setAuthor: config.gitSetAuthor,
      gitSecret: config.gitSecret,
      manifestGeneration: config.manifestGeneration,
      pollIntervalMs: config.gitPollIntervalMs,
      timeoutMs: config.gitTimeoutMs,
      user: config.gitUser,
      email: config.gitEmail,
      ...(config.gitCiSkipMessage ? { ciSkipMessage: config.gitCiSkipMessage } : {}),
      ...(keyring.keyPath ? { sshKeyFile: keyring.keyPath } : {}),
      // ssh reads ~/.ssh/known_hosts of the passwd user, not $HOME: FLUXD_KNOWN_HOSTS pins the file
      // (and makes host key checking strict), as a mounted ssh_known_hosts does in a pod.
      ...(process.env.FLUXD_KNOWN_HOSTS
        ? { knownHostsFile: process.env.FLUXD_KNOWN_HOSTS, strictHostKeyChecking: 'yes' as const }
        : {}),
      ...(gnupgHome ? { gnupgHome } : {}),
      workDir,
      clock,
      logger,
    });
    closers.push(() => (mirror as Mirror).close());
    const tagState =
      config.syncState === 'git'
        ? createGitSyncState(mirror, {
            tag: config.gitSyncTag,
            ...(config.gitSigningKey ? { signingKey: config.gitSigningKey } : {}),
            verifyMode: config.gitVerifySignaturesMode,
          })
        : undefined;
    const verifyState =
      tagState ??
      (config.gitVerifySignaturesMode !== 'none'
        ? createGitSyncState(mirror, { tag: config.gitSyncTag, verifyMode: config.gitVerifySignaturesMode })
        : undefined);
    git = {
      mirror,
      url: config.gitUrl,
      branch: config.gitBranch,
      paths: config.gitPath,
      readonly: config.gitReadonly,
      syncState: tagState ?? createSecretSyncState(kube, { namespace, secretName: config.k8sSecretName }),
      verify:
        config.gitVerifySignaturesMode !== 'none' && verifyState
          ? (signal) => verifyState.verify(undefined, signal)
          : undefined,
      notesRef: config.gitNotesRef,
    };
  }

  let scanner: Scanner | undefined;
  let credentials: ((host: string) => Promise<Credentials | undefined>) | undefined;
  let imagesChanged: () => void = () => {};
  let pullSecrets = new Map<string, Credentials>();
  const resolved = new Map<string, Credentials | undefined>();
  const ecrOptions = {
    regions: config.registryEcrRegion,
    includeIds: config.registryEcrIncludeId,
    excludeIds: config.registryEcrExcludeId,
  };
  if (config.registryRequire.includes('ecr')) {
    const region =
      config.registryEcrRegion[0] ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? '';
    await requireEcr(region);
  }
  if (!config.registryDisableScanning) {
    const cache = await openCache(config, logger.child({ component: 'cache' }), clock);
    closers.push(async () => {
      await (cache as { close?: () => Promise<void> }).close?.();
    });
    const limiter = new HostLimiters({
      rps: config.registryRps,
      burst: config.registryBurst,
      clock,
      logger: logger.child({ component: 'registry' }),
    });
    credentials = firstOf(
      async (host) => pullSecrets.get(host),
      ...(config.dockerConfig ? [dockerConfigSource(config.dockerConfig)] : []),
      ecrCredentialsSource({ ...ecrOptions, clock, logger }),
    );
    const insecure = globMatcher(config.registryInsecureHost);
    const useLabels = globMatcher(config.registryUseLabels);
    const clients = new Map<string, { client: RegistryClient; credentials: Credentials | undefined }>();
    const scan = imageFilter({ include: config.registryIncludeImage, exclude: config.registryExcludeImage });
    scanner = createScanner({
      clientFor: (host) => {
        const creds = resolved.get(host);
        const known = clients.get(host);
        if (known && known.credentials === creds) return known.client;
        const client = createRegistryClient({
          host,
          insecure: insecure(host),
          platforms: config.registryPlatform,
          useLabels,
          limiter,
          clock,
          logger: logger.child({ component: 'registry', host }),
          credentials: creds,
        });
        clients.set(host, { client, credentials: creds });
        return client;
      },
      cache,
      platforms: config.registryPlatform,
      refreshIntervalMs: config.automationIntervalMs,
      mutableRecheckMs: config.registryCacheExpiryMs,
      clock,
      logger: logger.child({ component: 'warmer' }),
      scan: (name) => scan(name) && ecrAllowed(name.split('/')[0] ?? '', ecrOptions),
      onNewTags: () => imagesChanged(),
      // A glob:/regexp: pick needs creation times: automation runs again once the fill has them.
      onDecisionFilled: () => imagesChanged(),
    });
  }

  const options: DaemonOptions = {
    version: deps.version,
    kube,
    git,
    scanner,
    keyring,
    sync: {
      manifestGeneration: config.manifestGeneration,
      defaultNamespace: config.k8sDefaultNamespace || undefined,
      sops: config.sops,
      gc: {
        enabled: config.syncGarbageCollection,
        dryRun: config.syncGarbageCollectionDry,
        ...(config.syncGarbageCollectionMax > 0 ? { maxDeletions: config.syncGarbageCollectionMax } : {}),
      },
      excludeResources: config.k8sUnsafeExcludeResource,
      kubectl: config.kubernetesKubectl || undefined,
    },
    namespaces: config.k8sAllowNamespace,
    intervals: {
      syncMs: config.syncIntervalMs,
      gitPollMs: config.gitPollIntervalMs,
      automationMs: config.automationIntervalMs,
      automationSettleMs: config.automationSettleMs,
      syncTimeoutMs: config.syncTimeoutMs,
    },
    clock,
    logger,
  };
  return {
    options,
    setImagesChanged: (fn) => {
      imagesChanged = fn;
    },
    refreshCredentials: async (hosts) => {
      if (!scanner || !credentials) return;
      const next = new Map<string, Credentials>();
      for (const secret of await listPullSecrets(kube, config.k8sAllowNamespace)) {
        for (const [host, creds] of pullSecretCredentials(secret)) if (!next.has(host)) next.set(host, creds);
      }
      pullSecrets = next;
      for (const host of hosts) {
        const found = await credentials(host).catch((err: unknown) => {
          logger.warn({ host, err: (err as Error).message }, 'cannot resolve registry credentials');
          return undefined;
        });
        const before = resolved.get(host);
        if (JSON.stringify(before) !== JSON.stringify(found)) resolved.set(host, found);
      }
    },
    close: async () => {
      for (const close of closers.reverse()) await close().catch(() => undefined);
    },
  };
}
