import { describe, expect, it } from 'vitest';
import type { FluxdConfig } from './config.ts';
import { type FluxdArgs, parseFluxdArgs } from './parse-args.ts';

function run(argv: readonly string[]): { config: FluxdConfig; warnings: string[] } {
  const result = parseFluxdArgs(argv);
  if (result.kind !== 'run') throw new Error(`expected run, got ${JSON.stringify(result)}`);
  return result;
}

function errorOf(argv: readonly string[]): string {
  const result: FluxdArgs = parseFluxdArgs(argv);
  if (result.kind !== 'error') throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return result.message;
}

describe('parseFluxdArgs: values', () => {
  it('returns the defaults and no warnings for an empty command line', () => {
    expect(run([]).warnings).toEqual([]);
  });

  it('accepts --flag=value and --flag value alike', () => {
    expect(run(['--git-url=ssh://git@host/repo']).config.gitUrl).toBe('ssh://git@host/repo');
    expect(run(['--git-url', 'ssh://git@host/repo']).config.gitUrl).toBe('ssh://git@host/repo');
    expect(run(['--git-ci-skip-message=a=b']).config.gitCiSkipMessage).toBe('a=b');
  });

  it('takes the last value of a repeated single-value flag', () => {
    expect(run(['--git-branch', 'a', '--git-branch=b']).config.gitBranch).toBe('b');
  });

  it('accepts -l and --listen', () => {
    expect(run(['-l', ':8080']).config.listen).toBe(':8080');
    expect(run(['-l=:8081']).config.listen).toBe(':8081');
    expect(run(['--listen', ':8082']).config.listen).toBe(':8082');
  });

  it.each([
    [['--git-readonly'], true],
    [['--git-readonly=true'], true],
    [['--git-readonly=false'], false],
    [['--git-readonly', 'false'], false],
    [[], false],
  ])('reads booleans: %j → %s', (argv, expected) => {
    expect(run(argv).config.gitReadonly).toBe(expected);
  });

  it('converts durations to milliseconds', () => {
    const { config } = run([
      '--git-poll-interval=1h30m',
      '--git-timeout',
      '10s',
      '--sync-interval=2m',
      '--sync-timeout=90s',
      '--automation-settle=0',
      '--memcached-timeout=500ms',
      '--rpc-timeout=1m',
      '--registry-cache-expiry=2h',
    ]);
    expect(config.gitPollIntervalMs).toBe(5_400_000);
    expect(config.gitTimeoutMs).toBe(10_000);
    expect(config.syncIntervalMs).toBe(120_000);
    expect(config.syncTimeoutMs).toBe(90_000);
    expect(config.automationSettleMs).toBe(0);
    expect(config.memcachedTimeoutMs).toBe(500);
    expect(config.rpcTimeoutMs).toBe(60_000);
    expect(config.registryCacheExpiryMs).toBe(7_200_000);
  });

  it('converts numbers', () => {
    const { config } = run([
      '--registry-rps=2.5',
      '--registry-burst',
      '7',
      '--memcached-port=11311',
      '--k8s-verbosity=4',
      '--sync-garbage-collection-max=20',
    ]);
    expect(config).toMatchObject({
      registryRps: 2.5,
      registryBurst: 7,
      memcachedPort: 11311,
      k8sVerbosity: 4,
      syncGarbageCollectionMax: 20,
    });
  });

  it('leaves the ssh-keygen options undefined unless given', () => {
    const unset = run([]).config;
    expect('sshKeygenBits' in unset || 'sshKeygenType' in unset || 'sshKeygenFormat' in unset).toBe(false);
    const set = run(['--ssh-keygen-bits=4096', '--ssh-keygen-type=rsa', '--ssh-keygen-format=PEM']).config;
    expect(set).toMatchObject({ sshKeygenBits: 4096, sshKeygenType: 'rsa', sshKeygenFormat: 'PEM' });
  });

  it('reads the flags beyond Flux v1', () => {
    const { config } = run([
      '--automation-settle=30s',
      '--registry-platform=linux/amd64,linux/arm64',
      '--api-token-file=/etc/fluxd/token',
      '--sync-garbage-collection-max=5',
      '--k8s-namespace=flux',
    ]);
    expect(config).toMatchObject({
      automationSettleMs: 30_000,
      registryPlatform: ['linux/amd64', 'linux/arm64'],
      apiTokenFile: '/etc/fluxd/token',
      syncGarbageCollectionMax: 5,
      k8sNamespace: 'flux',
    });
  });

  it('uses the default ci-skip suffix for --git-ci-skip, and a custom one when given', () => {
    expect(run(['--git-ci-skip']).config.gitCiSkipMessage).toBe('\n\n[ci skip]');
    expect(run(['--git-ci-skip', '--git-ci-skip-message=[skip ci]']).config.gitCiSkipMessage).toBe(
      '[skip ci]',
    );
    expect(run(['--git-ci-skip-message=[skip ci]']).config.gitCiSkipMessage).toBe('[skip ci]');
  });

  it('reads --kube-config only when given', () => {
    expect('kubeConfig' in run([]).config).toBe(false);
    expect(run(['--kube-config=/tmp/kc']).config.kubeConfig).toBe('/tmp/kc');
  });
});

describe('parseFluxdArgs: lists', () => {
  it.each([
    [['--git-path', 'a,b']],
    [['--git-path=a,b']],
    [['--git-path', 'a', '--git-path', 'b']],
    [['--git-path=a', '--git-path=b']],
  ])('reads %j as [a, b]', (argv) => {
    expect(run(argv).config.gitPath).toEqual(['a', 'b']);
  });

  it('accepts git paths that stay inside the repository, as given', () => {
    expect(run(['--git-path=a/../b,./c,x/..,d/./e/']).config.gitPath).toEqual([
      'a/../b',
      './c',
      'x/..',
      'd/./e/',
    ]);
    expect(run(['--git-path=..hidden/x']).config.gitPath).toEqual(['..hidden/x']);
  });

  it('mixes commas and repeats, and drops empty items', () => {
    expect(run(['--git-path', 'a,b', '--git-path=c,', '--git-path=']).config.gitPath).toEqual([
      'a',
      'b',
      'c',
    ]);
  });

  it('replaces a list default when the flag is given', () => {
    expect(run(['--registry-exclude-image=docker.io/*']).config.registryExcludeImage).toEqual([
      'docker.io/*',
    ]);
    expect(run(['--registry-exclude-image=']).config.registryExcludeImage).toEqual([]);
  });

  it('reads every list flag both ways', () => {
    const { config } = run([
      '--git-gpg-key-import=/a,/b',
      '--registry-insecure-host',
      'r1',
      '--registry-insecure-host',
      'r2',
      '--registry-include-image=x/*,y/*',
      '--registry-use-labels=z/*',
      '--registry-ecr-region=eu-west-1,us-east-1',
      '--registry-ecr-include-id=1',
      '--registry-ecr-include-id=2',
      '--registry-ecr-exclude-id=3',
      '--registry-require=ecr',
      '--k8s-unsafe-exclude-resource=a/*',
    ]);
    expect(config).toMatchObject({
      gitGpgKeyImport: ['/a', '/b'],
      registryInsecureHost: ['r1', 'r2'],
      registryIncludeImage: ['x/*', 'y/*'],
      registryUseLabels: ['z/*'],
      registryEcrRegion: ['eu-west-1', 'us-east-1'],
      registryEcrIncludeId: ['1', '2'],
      registryEcrExcludeId: ['3'],
      registryRequire: ['ecr'],
      k8sUnsafeExcludeResource: ['a/*'],
    });
  });
});

describe('parseFluxdArgs: deprecated flags', () => {
  it('folds --registry-poll-interval into --automation-interval, with a warning', () => {
    const { config, warnings } = run(['--registry-poll-interval=1m']);
    expect(config.automationIntervalMs).toBe(60_000);
    expect(warnings).toEqual([
      'flag --registry-poll-interval is deprecated: use --automation-interval instead',
    ]);
  });

  it('lets --automation-interval win over --registry-poll-interval', () => {
    expect(run(['--automation-interval=2m', '--registry-poll-interval=1m']).config.automationIntervalMs).toBe(
      120_000,
    );
  });

  it('merges --k8s-namespace-whitelist into --k8s-allow-namespace, with a warning', () => {
    const { config, warnings } = run(['--k8s-namespace-whitelist=a,b', '--k8s-allow-namespace', 'c,a']);
    expect(config.k8sAllowNamespace).toEqual(['a', 'b', 'c']);
    expect(warnings).toEqual([
      'flag --k8s-namespace-whitelist is deprecated: use --k8s-allow-namespace instead',
    ]);
  });

  it('maps --git-verify-signatures to mode all unless a mode is given', () => {
    const deprecated = run(['--git-verify-signatures']);
    expect(deprecated.config.gitVerifySignaturesMode).toBe('all');
    expect(deprecated.warnings).toEqual([
      'flag --git-verify-signatures is deprecated: use --git-verify-signatures-mode=all instead',
    ]);
    expect(
      run(['--git-verify-signatures', '--git-verify-signatures-mode=first-parent']).config
        .gitVerifySignaturesMode,
    ).toBe('first-parent');
  });

  it.each([
    'git-verify-signatures-mode=none',
    'git-verify-signatures-mode=all',
    'git-verify-signatures-mode=first-parent',
  ])('accepts --%s', (flag) => {
    expect(run([`--${flag}`]).config.gitVerifySignaturesMode).toBe(flag.split('=')[1]);
  });

  it.each([
    [['--kube-config=/x'], 'kube-config'],
    [['--k8s-in-cluster'], 'k8s-in-cluster'],
    [['--k8s-in-cluster=false'], 'k8s-in-cluster'],
    [['--registry-cache-expiry=20m'], 'registry-cache-expiry'],
  ])('warns about %j but accepts it', (argv, name) => {
    const { warnings } = run(argv);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`^flag --${name} is deprecated: `));
  });

  it('warns once per deprecated flag, however often it is given', () => {
    expect(run(['--k8s-namespace-whitelist=a', '--k8s-namespace-whitelist=b']).warnings).toHaveLength(1);
  });
});

describe('parseFluxdArgs: --git-label and --git-readonly', () => {
  it('sets both the sync tag and the notes ref from --git-label', () => {
    const { config, warnings } = run(['--git-label=flux']);
    expect(config).toMatchObject({ gitLabel: 'flux', gitSyncTag: 'flux', gitNotesRef: 'flux' });
    expect(warnings).toEqual([]);
  });

  it('lets --git-label win over explicit --git-sync-tag and --git-notes-ref, and says so', () => {
    const { config, warnings } = run(['--git-sync-tag=t', '--git-notes-ref=n', '--git-label=l']);
    expect(config).toMatchObject({ gitSyncTag: 'l', gitNotesRef: 'l' });
    expect(warnings).toEqual([
      '--git-label overrides --git-sync-tag; using l',
      '--git-label overrides --git-notes-ref; using l',
    ]);
  });

  it('keeps --git-sync-tag and --git-notes-ref without --git-label', () => {
    expect(run(['--git-sync-tag=t', '--git-notes-ref=n']).config).toMatchObject({
      gitSyncTag: 't',
      gitNotesRef: 'n',
    });
  });

  it('forces --sync-state=secret under --git-readonly, with a warning', () => {
    const { config, warnings } = run(['--git-readonly']);
    expect(config.syncState).toBe('secret');
    expect(warnings).toEqual(['--git-readonly prevents --sync-state=git; using --sync-state=secret']);
  });

  it('does not warn about the sync state when secret was asked for', () => {
    expect(run(['--git-readonly', '--sync-state=secret']).warnings).toEqual([]);
  });

  it('lists the git-write flags that --git-readonly ignores', () => {
    const { warnings } = run([
      '--git-readonly',
      '--sync-state=secret',
      '--git-user=u',
      '--git-email=e',
      '--git-signing-key=k',
      '--git-set-author',
      '--git-ci-skip',
      '--git-ci-skip-message=m',
      '--git-sync-tag=t',
      '--git-notes-ref=n',
      '--git-label=l',
      '--git-branch=main',
    ]);
    expect(warnings).toContain(
      '--git-readonly is set, so these flags have no effect: --git-user, --git-email, --git-signing-key, ' +
        '--git-set-author, --git-ci-skip, --git-ci-skip-message, --git-sync-tag, --git-notes-ref, --git-label',
    );
  });

  it('does not list git-write flags that were left at their defaults', () => {
    expect(run(['--git-readonly', '--sync-state=secret', '--git-user=u']).warnings).toEqual([
      '--git-readonly is set, so these flags have no effect: --git-user',
    ]);
  });
});

describe('parseFluxdArgs: errors', () => {
  it.each([
    [['--git-path=/abs'], /--git-path.*must not start with \//],
    [['--git-path', 'ok,/abs'], /"\/abs" for --git-path/],
    [['--git-path=..'], /invalid value "\.\." for --git-path: .*must not lead out of it/],
    [['--git-path=../x'], /invalid value "\.\.\/x" for --git-path: .*must not lead out of it/],
    [['--git-path=x/../../etc'], /invalid value "x\/\.\.\/\.\.\/etc" for --git-path/],
    [['--git-path', 'ok,../y'], /invalid value "\.\.\/y" for --git-path/],
    [['--git-path=x/..', '--git-path=./../z'], /invalid value "\.\/\.\.\/z" for --git-path/],
    [['--git-verify-signatures-mode=some'], /invalid value "some" for --git-verify-signatures-mode/],
    [['--log-format=text'], /invalid value "text" for --log-format: must be one of fmt, json/],
    [['--sync-state=configmap'], /invalid value "configmap" for --sync-state: must be one of git, secret/],
    [['--registry-require=gcr'], /invalid value "gcr" for --registry-require: must be one of ecr/],
    [['--registry-require=ecr,acr'], /"acr" for --registry-require/],
    [['--ssh-keygen-type=foo'], /--ssh-keygen-type/],
    [['--ssh-keygen-bits=big'], /invalid value "big" for --ssh-keygen-bits: must be an integer/],
    [['--registry-burst=1.5'], /--registry-burst: must be an integer/],
    [['--registry-rps=0'], /--registry-rps: must be greater than 0/],
    [['--memcached-port=0'], /--memcached-port: must be at least 1/],
    [['--k8s-verbosity', '-1'], /--k8s-verbosity: must be at least 0/],
    [['--git-readonly=yes'], /invalid argument "yes" for --git-readonly: must be true or false/],
    [['--git-user'], /^flag needs an argument: --git-user$/],
    [['--git-user', '--git-readonly'], /^flag needs an argument: --git-user$/],
    [['extra'], /unexpected argument: "extra"/],
    [['--', '--git-url=x'], /unexpected argument: "--git-url=x"/],
    [['-x'], /^unknown shorthand flag: -x$/],
    [['--l=:80'], /^unknown flag: --l\b/],
  ])('rejects %j', (argv, message) => {
    expect(errorOf(argv)).toMatch(message);
  });

  it.each([
    'git-poll-interval',
    'git-timeout',
    'sync-interval',
    'sync-timeout',
    'automation-interval',
    'registry-poll-interval',
    'automation-settle',
    'memcached-timeout',
    'registry-cache-expiry',
    'rpc-timeout',
  ])('names --%s in a bad duration error', (flag) => {
    expect(errorOf([`--${flag}=5 minutes`])).toMatch(
      new RegExp(`--${flag.replace('registry-poll-interval', 'automation-interval')}`),
    );
  });

  it.each([
    ['--git-brnch', 'unknown flag: --git-brnch (did you mean --git-branch?)'],
    ['--git-brnch=main', 'unknown flag: --git-brnch (did you mean --git-branch?)'],
    ['--sync-intervall', 'unknown flag: --sync-intervall (did you mean --sync-interval?)'],
    [
      '--registry-poll-intervl',
      'unknown flag: --registry-poll-intervl (did you mean --registry-poll-interval?)',
    ],
    ['--k8s-allow-namespaces', 'unknown flag: --k8s-allow-namespaces (did you mean --k8s-allow-namespace?)'],
    ['--frobnicate', 'unknown flag: --frobnicate'],
    ['-git-url', 'unknown shorthand flag: -git-url (did you mean --git-url?)'],
    ['--no-git-readonly', 'unknown flag: --no-git-readonly (did you mean --git-readonly?)'],
  ])('rejects %s with a suggestion', (flag, message) => {
    expect(errorOf([flag, 'x'])).toBe(message);
  });
});

describe('parseFluxdArgs: --help and --version', () => {
  it.each([[['--help']], [['-h']], [['--git-url=x', '--help']], [['--help', '--no-such-flag']]])(
    'returns help for %j',
    (argv) => {
      const result = parseFluxdArgs(argv);
      expect(result.kind).toBe('help');
      if (result.kind === 'help') expect(result.text).toMatch(/^Usage: fluxd \[flags\]\n/);
    },
  );

  it('runs normally with --help=false', () => {
    expect(parseFluxdArgs(['--help=false']).kind).toBe('run');
  });

  it('returns version for --version', () => {
    expect(parseFluxdArgs(['--version'])).toEqual({ kind: 'version' });
    expect(parseFluxdArgs(['--git-url=x', '--version'])).toEqual({ kind: 'version' });
  });

  it('runs normally with --version=false', () => {
    expect(parseFluxdArgs(['--version=false']).kind).toBe('run');
  });

  it('reports unknown flags before --version', () => {
    expect(parseFluxdArgs(['--version', '--nope']).kind).toBe('error');
  });
});
