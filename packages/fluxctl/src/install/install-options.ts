import { ErrorKind, FluxError } from '@flux-ts/core';
import { fluxctlPackageVersion } from './package-version.ts';

/** The repository of our fluxd image; the tag is the fluxctl version unless told otherwise. */
export const FLUXD_IMAGE_REPOSITORY = 'ghcr.io/flux-ts/fluxd';

/**
 * The memcached image of `memcache-dep.yaml`. Flux v1 used `memcached:1.5.20`; we use a current
 * 1.6 alpine tag (same flags, same port, same uid/gid 11211).
 */
export const MEMCACHED_IMAGE = 'memcached:1.6.21-alpine';

/**
 * `fluxctl install` flags as parsed from the command line. `undefined` means "not given" and takes
 * the Flux v1 default; an explicitly empty string is kept (as cobra does), e.g. `--git-label=`
 * drops the `--git-label` arg from the Deployment.
 */
export interface InstallFlags {
  readonly gitUrl?: string | undefined;
  readonly gitEmail?: string | undefined;
  /** Default `master`. */
  readonly gitBranch?: string | undefined;
  /** `--git-path` (and the hidden `--git-paths`); each entry may itself be comma-separated. */
  readonly gitPaths?: readonly string[] | undefined;
  /** Default `flux`. */
  readonly gitLabel?: string | undefined;
  /** Default `Flux`. */
  readonly gitUser?: string | undefined;
  readonly gitReadonly?: boolean | undefined;
  readonly manifestGeneration?: boolean | undefined;
  /** `--namespace`; empty/undefined falls back to the caller's kubeconfig namespace, then `default`. */
  readonly namespace?: string | undefined;
  readonly registryDisableScanning?: boolean | undefined;
  /** Default true: memcached runs as uid/gid 11211 without privilege escalation. */
  readonly addSecurityContext?: boolean | undefined;
  /** Tag of {@link FLUXD_IMAGE_REPOSITORY}; default the fluxctl package version. */
  readonly version?: string | undefined;
}

/** Everything {@link installManifests} needs, defaults applied and validated. */
export interface InstallOptions {
  readonly gitUrl: string;
  readonly gitEmail: string;
  readonly gitBranch: string;
  readonly gitPaths: readonly string[];
  readonly gitLabel: string;
  readonly gitUser: string;
  readonly gitReadonly: boolean;
  readonly manifestGeneration: boolean;
  readonly namespace: string;
  readonly registryDisableScanning: boolean;
  readonly addSecurityContext: boolean;
  /** Full image reference of fluxd, e.g. `ghcr.io/flux-ts/fluxd:0.1.0`. */
  readonly fluxdImage: string;
  readonly memcachedImage: string;
}

/** What the caller knows about its environment. */
export interface InstallDefaults {
  /** The current kubeconfig context's namespace, if any. */
  readonly contextNamespace?: string | undefined;
}

/** A missing or invalid `fluxctl install` flag. The message is Flux v1's, verbatim. */
export class InstallOptionsError extends FluxError {
  readonly flag: string;

  constructor(flag: string) {
    super(`please supply a valid --${flag} argument`, {
      code: 'fluxctl.install.flag',
      kind: ErrorKind.User,
      help: `pass --${flag}, e.g. fluxctl install --git-url=git@github.com:<you>/<repo> --git-email=<you>@example.com`,
    });
    this.flag = flag;
  }
}

/** Splits `--git-path` values like cobra's string slice (comma-separated), dropping empty entries. */
function splitPaths(values: readonly string[] | undefined): string[] {
  const out: string[] = [];
  for (const value of values ?? []) {
    for (const part of value.split(',')) {
      const path = part.trim();
      if (path !== '') out.push(path);
    }
  }
  return out;
}

/**
 * Applies Flux v1's defaults to `flags` and validates them (git URL first, then email, as fluxctl
 * did). Throws {@link InstallOptionsError}.
 */
export function resolveInstallOptions(flags: InstallFlags, defaults: InstallDefaults = {}): InstallOptions {
  const gitUrl = flags.gitUrl ?? '';
  if (gitUrl === '') throw new InstallOptionsError('git-url');
  const gitEmail = flags.gitEmail ?? '';
  if (gitEmail === '') throw new InstallOptionsError('git-email');
  const version =
    flags.version !== undefined && flags.version !== '' ? flags.version : fluxctlPackageVersion();
  const namespace =
    flags.namespace !== undefined && flags.namespace !== ''
      ? flags.namespace
      : defaults.contextNamespace !== undefined && defaults.contextNamespace !== ''
        ? defaults.contextNamespace
        : 'default';
  return {
    gitUrl,
    gitEmail,
    gitBranch: flags.gitBranch ?? 'master',
    gitPaths: splitPaths(flags.gitPaths),
    gitLabel: flags.gitLabel ?? 'flux',
    gitUser: flags.gitUser ?? 'Flux',
    gitReadonly: flags.gitReadonly ?? false,
    manifestGeneration: flags.manifestGeneration ?? false,
    namespace,
    registryDisableScanning: flags.registryDisableScanning ?? false,
    addSecurityContext: flags.addSecurityContext ?? true,
    fluxdImage: `${FLUXD_IMAGE_REPOSITORY}:${version}`,
    memcachedImage: MEMCACHED_IMAGE,
  };
}
