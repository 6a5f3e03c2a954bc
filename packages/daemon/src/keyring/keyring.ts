import { lstat, mkdir, mkdtemp, readFile, rename, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Logger, noopLogger, type PublicKeyJson } from '@flux-ts/core';
import { describeSshKey, generateSshKey, type SshKeygenOptions } from '@flux-ts/git';
import { createSecret, type KubeClient, readDeployKey, writeDeployKey } from '@flux-ts/k8s';

/** Where the deploy key comes from and goes to (Flux v1's `--k8s-secret-*` and `--ssh-keygen-*` flags). */
export interface KeyringOptions {
  /** `--k8s-secret-volume-mount-path` (default `/etc/fluxd/ssh`). */
  mountPath: string;
  /** `--k8s-secret-data-key` (default `identity`). */
  dataKey: string;
  /** `--ssh-keygen-dir` (default: the mount path). */
  keygenDir: string;
  /** `--k8s-secret-name` and fluxd's namespace; undefined = no Secret (keys stay local). */
  secret?: { kube: KubeClient; namespace: string; name: string } | undefined;
  keygen?: SshKeygenOptions;
  logger?: Logger;
}

/** fluxd's SSH identity for git: one key, kept in the deploy-key Secret. */
export interface Keyring {
  /** The private key path git uses (a symlink that moves atomically on regenerate). */
  readonly keyPath: string;
  publicKey(): Promise<PublicKeyJson>;
  /** Makes a new key pair, stores it in the Secret and switches git to it. */
  regenerate(): Promise<PublicKeyJson>;
}

/** A keyring for https/file remotes: no key (Flux v1 returns an empty key and null fingerprints). */
export const emptyKeyring: Keyring = {
  keyPath: '',
  publicKey: async () => ({ key: '', fingerprints: null }),
  regenerate: async () => ({ key: '', fingerprints: null }),
};

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}

async function pointAt(link: string, target: string): Promise<void> {
  const tmp = `${link}.${process.pid}.${Date.now()}.tmp`;
  await symlink(target, tmp);
  await rename(tmp, link);
}

function toJson(described: Awaited<ReturnType<typeof describeSshKey>>): PublicKeyJson {
  return {
    key: described.key,
    fingerprints: described.fingerprints
      ? { md5: described.fingerprints.md5, sha256: described.fingerprints.sha256 }
      : null,
  };
}

/**
 * Opens fluxd's keyring, as Flux v1 does it and a little further: the mounted key when there is one;
 * otherwise the key stored in the deploy-key Secret (so fluxd outside a pod finds the same key);
 * otherwise a new key made with `ssh-keygen` (only the given `--ssh-keygen-*` flags are passed) and
 * stored in the Secret (created when missing). Private key files are 0600 or stricter.
 */
export async function openKeyring(options: KeyringOptions): Promise<Keyring> {
  const log = options.logger ?? noopLogger;
  await mkdir(options.keygenDir, { recursive: true, mode: 0o700 });
  const link = join(options.keygenDir, 'identity');
  const mounted = join(options.mountPath, options.dataKey);

  const store = async (privatePath: string): Promise<void> => {
    if (!options.secret) return;
    const privateKey = await readFile(privatePath, 'utf8');
    const { key } = await describeSshKey(privatePath);
    const where = {
      namespace: options.secret.namespace,
      secretName: options.secret.name,
      dataKey: options.dataKey,
    };
    try {
      await writeDeployKey(options.secret.kube, where, privateKey, key);
    } catch (err) {
      if ((err as { status?: number }).status !== 404 && !/not ?found/i.test((err as Error).message))
        throw err;
      await createSecret(options.secret.kube, options.secret.namespace, {
        metadata: { name: options.secret.name },
        type: 'Opaque',
        data: {
          [options.dataKey]: Buffer.from(privateKey).toString('base64'),
          [`${options.dataKey}.pub`]: Buffer.from(key).toString('base64'),
        },
      });
    }
    log.info(
      { secret: `${options.secret.namespace}/${options.secret.name}` },
      'stored the deploy key in its secret',
    );
  };

  const mountedFile = (await lstat(mounted).catch(() => undefined))?.isFile() ?? false;
  if (mountedFile) {
    // A key mounted from the Secret (in a pod): use it as is.
    if (mounted !== link) await pointAt(link, mounted);
  } else {
    const stored = options.secret
      ? await readDeployKey(options.secret.kube, {
          namespace: options.secret.namespace,
          secretName: options.secret.name,
          dataKey: options.dataKey,
        }).catch(() => undefined)
      : undefined;
    if (stored) {
      const dir = await mkdtemp(join(options.keygenDir, '..weave-keygen'));
      const file = join(dir, 'identity');
      await writeFile(file, stored.endsWith('\n') ? stored : `${stored}\n`, { mode: 0o600 });
      await pointAt(link, file);
    } else if (!(await exists(link))) {
      await generateSshKey(options.keygenDir, options.keygen ?? {});
      await store(link);
    }
  }
  const pub = toJson(await describeSshKey(link));
  log.info({ identity: link, 'identity.pub': pub.key.trim() }, 'deploy key ready');

  return {
    keyPath: link,
    publicKey: async () => toJson(await describeSshKey(link)),
    regenerate: async () => {
      await generateSshKey(options.keygenDir, options.keygen ?? {});
      await store(link);
      return toJson(await describeSshKey(link));
    },
  };
}
