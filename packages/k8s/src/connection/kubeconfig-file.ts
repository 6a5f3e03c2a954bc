import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import { KubeConfigError } from './kubeconfig-error.ts';

/** A cluster entry of a kubeconfig (the fields flux-ts uses). */
export interface KubeconfigCluster {
  server?: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
  'proxy-url'?: string;
}

/** An exec credential plugin (`client.authentication.k8s.io`). */
export interface KubeconfigExec {
  apiVersion?: string;
  command: string;
  args?: string[];
  env?: { name: string; value: string }[] | null;
  installHint?: string;
  provideClusterInfo?: boolean;
}

/** A user entry of a kubeconfig. */
export interface KubeconfigUser {
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
  exec?: KubeconfigExec;
  'auth-provider'?: { name: string; config?: Record<string, string> };
}

/** A context entry of a kubeconfig. */
export interface KubeconfigContext {
  cluster: string;
  user?: string;
  namespace?: string;
}

interface Named<T> {
  name: string;
  value: T;
  /** The file the entry came from: relative paths in it resolve against its directory. */
  file: string;
}

/** One or more kubeconfig files merged as kubectl merges `KUBECONFIG`: the first definition of a name wins. */
export interface Kubeconfig {
  currentContext: string | undefined;
  clusters: Map<string, Named<KubeconfigCluster>>;
  users: Map<string, Named<KubeconfigUser>>;
  contexts: Map<string, Named<KubeconfigContext>>;
}

interface RawKubeconfig {
  'current-context'?: string;
  clusters?: { name?: string; cluster?: KubeconfigCluster }[] | null;
  users?: { name?: string; user?: KubeconfigUser }[] | null;
  contexts?: { name?: string; context?: KubeconfigContext }[] | null;
}

const help = 'Check the file (kubectl config view --kubeconfig <file> shows how kubectl reads it).';

/** Reads and merges kubeconfig files. Missing files in a list are skipped, as kubectl does; all missing is an error. */
export function readKubeconfigFiles(paths: readonly string[]): Kubeconfig {
  const merged: Kubeconfig = {
    currentContext: undefined,
    clusters: new Map(),
    users: new Map(),
    contexts: new Map(),
  };
  let read = 0;
  for (const path of paths) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && paths.length > 1) continue;
      throw new KubeConfigError(`cannot read the kubeconfig ${path}: ${(err as Error).message}`, help, {
        cause: err,
      });
    }
    read++;
    let raw: RawKubeconfig;
    try {
      raw = (parse(text) as RawKubeconfig | null) ?? {};
    } catch (err) {
      throw new KubeConfigError(`the kubeconfig ${path} is not valid YAML: ${(err as Error).message}`, help);
    }
    const file = resolve(path);
    merged.currentContext ??= raw['current-context'] || undefined;
    const add = <T>(
      target: Map<string, Named<T>>,
      entries: { name?: string }[] | null | undefined,
      key: string,
    ) => {
      for (const entry of entries ?? []) {
        const value = (entry as Record<string, unknown>)[key] as T | undefined;
        if (!entry.name || !value || target.has(entry.name)) continue;
        target.set(entry.name, { name: entry.name, value, file });
      }
    };
    add(merged.clusters, raw.clusters, 'cluster');
    add(merged.users, raw.users, 'user');
    add(merged.contexts, raw.contexts, 'context');
  }
  if (read === 0) throw new KubeConfigError(`none of the kubeconfig files exists: ${paths.join(', ')}`, help);
  return merged;
}

/** A path from a kubeconfig entry, resolved against the directory of the file that named it. */
export function entryPath(file: string, path: string): string {
  return isAbsolute(path) ? path : resolve(dirname(file), path);
}
