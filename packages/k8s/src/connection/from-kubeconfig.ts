import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';
import { clientNodeConnection } from './client-node-connection.ts';
import { type ExecCredential, runExecPlugin } from './exec-credential.ts';
import type { KubeConnection, RequestAuth } from './kube-connection.ts';
import { KubeConfigError } from './kubeconfig-error.ts';
import {
  entryPath,
  type Kubeconfig,
  type KubeconfigCluster,
  type KubeconfigUser,
} from './kubeconfig-file.ts';

/** Options of {@link connectionFromKubeconfig}. */
export interface ConnectionOptions {
  /** A context other than the current one. */
  context?: string;
  /** Epoch ms, for token-file and exec-credential expiry (tests inject one). */
  now?: () => number;
}

/** How long a token file (`tokenFile`, the in-cluster service-account token) is trusted before it is read again. */
const TOKEN_FILE_TTL_MS = 60_000;
/** An exec credential is renewed this long before it expires. */
const EXEC_EARLY_MS = 10_000;

const fix = 'Check `kubectl config view`, or pass --kube-config / set KUBECONFIG to the right file.';

function readEntryFile(file: string, path: string, what: string): string {
  const full = entryPath(file, path);
  try {
    return readFileSync(full, 'utf8');
  } catch (err) {
    throw new KubeConfigError(
      `cannot read the ${what} ${full} named in ${file}: ${(err as Error).message}`,
      fix,
    );
  }
}

const decode = (data: string): string => Buffer.from(data, 'base64').toString('utf8');

/**
 * The connection a kubeconfig's context describes. Certificates, tokens, token files, basic auth and
 * exec plugins are handled here; `auth-provider` users (old gcp/azure/oidc entries) go through
 * `@kubernetes/client-node`, loaded only then.
 */
export function connectionFromKubeconfig(
  config: Kubeconfig,
  options: ConnectionOptions = {},
): KubeConnection {
  const now = options.now ?? Date.now;
  const contextName = options.context ?? config.currentContext;
  if (!contextName) throw new KubeConfigError('the kubeconfig names no current-context', fix);
  const context = config.contexts.get(contextName);
  if (!context) throw new KubeConfigError(`the kubeconfig has no context ${contextName}`, fix);
  const cluster = config.clusters.get(context.value.cluster);
  if (!cluster) {
    throw new KubeConfigError(
      `context ${contextName} names cluster ${context.value.cluster}, which is not defined`,
      fix,
    );
  }
  const server = cluster.value.server;
  if (!server) throw new KubeConfigError(`cluster ${cluster.name} of the kubeconfig has no server`, fix);
  if (cluster.value['proxy-url']) {
    throw new KubeConfigError(
      `cluster ${cluster.name} uses proxy-url, which flux-ts does not support`,
      'Reach the API server directly (a kubeconfig without proxy-url, or the in-cluster configuration).',
    );
  }
  const user = context.value.user ? config.users.get(context.value.user) : undefined;
  if (context.value.user && !user) {
    throw new KubeConfigError(
      `context ${contextName} names user ${context.value.user}, which is not defined`,
      fix,
    );
  }
  const namespace = context.value.namespace || 'default';
  if (user?.value['auth-provider']) {
    return clientNodeConnection({ server, namespace, contextName, cluster, user });
  }

  const c = cluster.value;
  const ca = c['certificate-authority-data']
    ? decode(c['certificate-authority-data'])
    : c['certificate-authority']
      ? readEntryFile(cluster.file, c['certificate-authority'], 'certificate authority')
      : undefined;
  const u: KubeconfigUser = user?.value ?? {};
  const userFile = user?.file ?? cluster.file;
  const cert = u['client-certificate-data']
    ? decode(u['client-certificate-data'])
    : u['client-certificate']
      ? readEntryFile(userFile, u['client-certificate'], 'client certificate')
      : undefined;
  const key = u['client-key-data']
    ? decode(u['client-key-data'])
    : u['client-key']
      ? readEntryFile(userFile, u['client-key'], 'client key')
      : undefined;

  let tokenFile: { token: string; readAt: number } | undefined;
  const fileToken = (path: string): string => {
    if (!tokenFile || now() - tokenFile.readAt >= TOKEN_FILE_TTL_MS) {
      tokenFile = { token: readEntryFile(userFile, path, 'token file').trim(), readAt: now() };
    }
    return tokenFile.token;
  };
  let exec: Promise<ExecCredential> | undefined;
  let execValue: ExecCredential | undefined;
  const execCredential = async (signal?: AbortSignal): Promise<ExecCredential> => {
    const plugin = u.exec;
    if (!plugin) return {};
    if (execValue && (execValue.expiresAt === undefined || execValue.expiresAt - EXEC_EARLY_MS > now())) {
      return execValue;
    }
    exec ??= runExecPlugin(plugin, user?.name ?? '', {
      cwd: dirname(userFile),
      ...(signal ? { signal } : {}),
      cluster: {
        server,
        ...(c['certificate-authority-data'] ? { caData: c['certificate-authority-data'] } : {}),
      },
    }).finally(() => {
      exec = undefined;
    });
    execValue = await exec;
    return execValue;
  };

  const base: RequestAuth = {
    rejectUnauthorized: c['insecure-skip-tls-verify'] !== true,
    headers: {},
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    ...(c['tls-server-name'] ? { servername: c['tls-server-name'] } : {}),
  };

  return {
    server,
    namespace,
    contextName,
    async requestAuth(signal) {
      const auth: RequestAuth = { ...base, headers: {} };
      if (u.exec) {
        const cred = await execCredential(signal);
        if (cred.token) auth.headers.Authorization = `Bearer ${cred.token}`;
        if (cred.cert && cred.key) {
          auth.cert = cred.cert;
          auth.key = cred.key;
        }
      }
      if (u.token) auth.headers.Authorization = `Bearer ${u.token}`;
      else if (u.tokenFile) auth.headers.Authorization = `Bearer ${fileToken(u.tokenFile)}`;
      else if (u.username !== undefined && u.password !== undefined) {
        auth.headers.Authorization = `Basic ${Buffer.from(`${u.username}:${u.password}`).toString('base64')}`;
      }
      return auth;
    },
    async kubeconfig() {
      return exportKubeconfig(contextName, namespace, cluster, user);
    },
  };
}

/** One context, its cluster and user, with files resolved to absolute paths so it works from anywhere. */
function exportKubeconfig(
  contextName: string,
  namespace: string,
  cluster: { name: string; value: KubeconfigCluster; file: string },
  user: { name: string; value: KubeconfigUser; file: string } | undefined,
): string {
  const c: KubeconfigCluster = { ...cluster.value };
  if (c['certificate-authority'])
    c['certificate-authority'] = entryPath(cluster.file, c['certificate-authority']);
  const u: KubeconfigUser | undefined = user ? { ...user.value } : undefined;
  if (u && user) {
    for (const k of ['client-certificate', 'client-key', 'tokenFile'] as const) {
      const v = u[k];
      if (v) u[k] = entryPath(user.file, v);
    }
    if (u.exec?.command.includes('/')) u.exec = { ...u.exec, command: entryPath(user.file, u.exec.command) };
  }
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': contextName,
    clusters: [{ name: cluster.name, cluster: c }],
    contexts: [
      {
        name: contextName,
        context: { cluster: cluster.name, namespace, ...(user ? { user: user.name } : {}) },
      },
    ],
    users: user && u ? [{ name: user.name, user: u }] : [],
  });
}
