import { ErrorKind, isFluxError } from '@flux-ts/core';
import { describe, expect, it } from 'vitest';
import { InstallOptionsError, MEMCACHED_IMAGE, resolveInstallOptions } from './install-options.ts';
import { fluxctlPackageVersion } from './package-version.ts';

describe('resolveInstallOptions', () => {
  it('applies Flux v1 defaults', () => {
    expect(resolveInstallOptions({ gitUrl: 'git@example.com:r', gitEmail: 'e@x' })).toEqual({
      gitUrl: 'git@example.com:r',
      gitEmail: 'e@x',
      gitBranch: 'master',
      gitPaths: [],
      gitLabel: 'flux',
      gitUser: 'Flux',
      gitReadonly: false,
      manifestGeneration: false,
      namespace: 'default',
      registryDisableScanning: false,
      addSecurityContext: true,
      fluxdImage: `ghcr.io/flux-ts/fluxd:${fluxctlPackageVersion()}`,
      memcachedImage: MEMCACHED_IMAGE,
    });
  });

  it('reads the package version', () => {
    expect(fluxctlPackageVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('takes the namespace from the flag, then the kubeconfig context, then default', () => {
    const base = { gitUrl: 'u', gitEmail: 'e' };
    expect(resolveInstallOptions({ ...base, namespace: 'a' }, { contextNamespace: 'b' }).namespace).toBe('a');
    expect(resolveInstallOptions({ ...base, namespace: '' }, { contextNamespace: 'b' }).namespace).toBe('b');
    expect(resolveInstallOptions(base, { contextNamespace: '' }).namespace).toBe('default');
  });

  it('splits comma-separated git paths like a string slice', () => {
    const o = resolveInstallOptions({ gitUrl: 'u', gitEmail: 'e', gitPaths: ['a,b', 'c', ''] });
    expect(o.gitPaths).toEqual(['a', 'b', 'c']);
  });

  it('keeps explicitly empty label and user, and an explicit version', () => {
    const o = resolveInstallOptions({
      gitUrl: 'u',
      gitEmail: 'e',
      gitLabel: '',
      gitUser: '',
      version: 'dev',
    });
    expect([o.gitLabel, o.gitUser, o.fluxdImage]).toEqual(['', '', 'ghcr.io/flux-ts/fluxd:dev']);
  });

  it.each([
    [{}, 'please supply a valid --git-url argument'],
    [{ gitEmail: 'e' }, 'please supply a valid --git-url argument'],
    [{ gitUrl: '', gitEmail: 'e' }, 'please supply a valid --git-url argument'],
    [{ gitUrl: 'u' }, 'please supply a valid --git-email argument'],
    [{ gitUrl: 'u', gitEmail: '' }, 'please supply a valid --git-email argument'],
  ])('rejects %o with %s', (flags, message) => {
    let caught: unknown;
    try {
      resolveInstallOptions(flags);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InstallOptionsError);
    expect(isFluxError(caught)).toBe(true);
    expect((caught as InstallOptionsError).message).toBe(message);
    expect((caught as InstallOptionsError).kind).toBe(ErrorKind.User);
  });
});
