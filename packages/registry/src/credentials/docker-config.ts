import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { ErrorKind, FluxError } from '@flux-ts/core';
import type { Credentials } from '../client/registry-client.ts';

/** A docker config (or pull secret) that cannot be read. Names the source, never its content. */
export class CredentialsConfigError extends FluxError {
  constructor(source: string, reason: string) {
    super(`cannot read registry credentials from ${source}: ${reason}`, {
      code: 'registry.credentials',
      kind: ErrorKind.User,
      help: 'Check that the file (or secret) is a Docker config: {"auths": {"<host>": {"auth": "<base64 user:password>"}}}.',
    });
  }
}

/** Where credentials for a registry host come from: a config file, pull secrets, a cloud API. */
export type CredentialsSource = (host: string) => Promise<Credentials | undefined>;

/** `https://index.docker.io/v1/`, `docker.io`, `registry-1.docker.io` → `index.docker.io`; others to `host[:port]`. */
export function normaliseRegistryHost(key: string): string {
  const host = key
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
  return host === 'docker.io' || host === 'registry-1.docker.io' ? 'index.docker.io' : host;
}

interface AuthEntry {
  auth?: unknown;
  username?: unknown;
  password?: unknown;
  identitytoken?: unknown;
}

function entryCredentials(entry: AuthEntry, source: string, host: string): Credentials | undefined {
  if (typeof entry.username === 'string' && typeof entry.password === 'string') {
    return { username: entry.username, password: entry.password };
  }
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0)
      throw new CredentialsConfigError(source, `the auth of ${host} is not base64 of user:password`);
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (typeof entry.identitytoken === 'string') return { username: '<token>', password: entry.identitytoken };
  return undefined;
}

/** Credentials by registry host, and credential helpers by host, from a Docker config. */
export interface DockerConfig {
  auths: Map<string, Credentials>;
  credHelpers: Map<string, string>;
  credsStore?: string;
}

/**
 * Parses a Docker config: `{"auths": {…}}` (config.json, `kubernetes.io/dockerconfigjson`) or the bare
 * `{host: {auth}}` form (`.dockercfg`), plus `credHelpers` and `credsStore`. Later entries for the same
 * normalised host win.
 */
export function parseDockerConfig(text: string, source: string): DockerConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CredentialsConfigError(
      source,
      `not JSON (${(err as Error).message.replace(/ in JSON.*$/, '')})`,
    );
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new CredentialsConfigError(source, 'not a JSON object');
  const root = json as Record<string, unknown>;
  const entries = (
    typeof root.auths === 'object' && root.auths !== null
      ? root.auths
      : 'credHelpers' in root || 'credsStore' in root
        ? {}
        : root
  ) as Record<string, unknown>;
  const auths = new Map<string, Credentials>();
  for (const [key, value] of Object.entries(entries)) {
    if (typeof value !== 'object' || value === null) continue;
    const host = normaliseRegistryHost(key);
    const credentials = entryCredentials(value as AuthEntry, source, host);
    if (credentials) auths.set(host, credentials);
  }
  const credHelpers = new Map<string, string>();
  if (typeof root.credHelpers === 'object' && root.credHelpers !== null) {
    for (const [key, helper] of Object.entries(root.credHelpers)) {
      if (typeof helper === 'string') credHelpers.set(normaliseRegistryHost(key), helper);
    }
  }
  return {
    auths,
    credHelpers,
    ...(typeof root.credsStore === 'string' ? { credsStore: root.credsStore } : {}),
  };
}

/** Reads the credentials of a Kubernetes image pull secret (`kubernetes.io/dockerconfigjson` or `dockercfg`). */
export function pullSecretCredentials(secret: {
  metadata?: { namespace?: string; name?: string };
  type?: string;
  data?: Record<string, string>;
}): Map<string, Credentials> {
  const name = `secret ${secret.metadata?.namespace ?? ''}/${secret.metadata?.name ?? ''}`;
  const key = secret.type === 'kubernetes.io/dockercfg' ? '.dockercfg' : '.dockerconfigjson';
  const data = secret.data?.[key];
  if (!data) throw new CredentialsConfigError(name, `no ${key} key (type ${secret.type ?? 'unset'})`);
  return parseDockerConfig(Buffer.from(data, 'base64').toString('utf8'), name).auths;
}

/** Asks `docker-credential-<helper> get` for a host's credentials. */
function runHelper(helper: string, host: string, timeoutMs: number): Promise<Credentials | undefined> {
  return new Promise((resolve) => {
    const child = execFile(`docker-credential-${helper}`, ['get'], { timeout: timeoutMs }, (err, stdout) => {
      if (err) {
        resolve(undefined);
        return;
      }
      try {
        const out = JSON.parse(stdout) as { Username?: string; Secret?: string };
        resolve(
          out.Username !== undefined && out.Secret !== undefined
            ? { username: out.Username, password: out.Secret }
            : undefined,
        );
      } catch {
        resolve(undefined);
      }
    });
    child.stdin?.end(host);
  });
}

/**
 * Credentials from a Docker config file (`--docker-config`), re-read on every lookup (as Flux v1
 * does) so a rotated secret is picked up; credential helpers are run for the hosts they cover.
 */
export function dockerConfigSource(
  path: string,
  options: { helperTimeoutMs?: number } = {},
): CredentialsSource {
  return async (host) => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw new CredentialsConfigError(path, (err as NodeJS.ErrnoException).code ?? 'unreadable');
    }
    const config = parseDockerConfig(text, path);
    const wanted = normaliseRegistryHost(host);
    const helper = config.credHelpers.get(wanted) ?? config.credsStore;
    if (helper) {
      const fromHelper = await runHelper(helper, wanted, options.helperTimeoutMs ?? 10_000);
      if (fromHelper) return fromHelper;
    }
    return config.auths.get(wanted);
  };
}

/** Combines sources; the first that knows a host wins (put the most specific first). */
export function firstOf(...sources: CredentialsSource[]): CredentialsSource {
  return async (host) => {
    for (const source of sources) {
      const found = await source(host);
      if (found) return found;
    }
    return undefined;
  };
}

/** A source from fixed credentials by host (e.g. pull secrets already read). */
export function staticSource(byHost: ReadonlyMap<string, Credentials>): CredentialsSource {
  return async (host) => byHost.get(normaliseRegistryHost(host));
}
