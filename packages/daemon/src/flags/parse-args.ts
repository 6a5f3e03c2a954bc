import { ErrorKind, FluxError } from '@flux-ts/core';
import { InvalidGitPathError, normalizeGitPaths } from '@flux-ts/git';
import yargs from 'yargs';
import { parseDuration } from '../duration.ts';
import {
  DEFAULT_CI_SKIP_MESSAGE,
  type FluxdConfig,
  type LogFormat,
  type SyncStateMode,
  type VerifySignaturesMode,
} from './config.ts';
import { FLAG_DEFINITIONS, type FlagDefinition, findFlag } from './flag-definitions.ts';
import { fluxdHelp } from './help.ts';
import { type FlagOccurrence, scanArgs } from './scan-args.ts';

/** What fluxd should do, given its command line. Nothing is printed and nothing exits here. */
export type FluxdArgs =
  | { readonly kind: 'run'; readonly config: FluxdConfig; readonly warnings: string[] }
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'version' }
  | { readonly kind: 'error'; readonly message: string };

/** Flags that only matter when fluxd writes to git; `--git-readonly` ignores them. */
export const GIT_WRITE_FLAGS: readonly string[] = [
  'git-user',
  'git-email',
  'git-signing-key',
  'git-set-author',
  'git-ci-skip',
  'git-ci-skip-message',
  'git-sync-tag',
  'git-notes-ref',
  'git-label',
];

/** A flag value that does not pass validation; the message names the flag. */
class FlagValueError extends FluxError {
  constructor(message: string) {
    super(message, {
      code: 'flag.invalid',
      kind: ErrorKind.User,
      help: 'Run fluxd --help to see the flags.',
    });
  }
}

type Raw = string | boolean | undefined;

/** Runs yargs over a command line that `scanArgs` accepted; every spelling is its own key. */
function extract(argv: readonly string[]): Record<string, unknown> {
  let parser = yargs([...argv])
    .exitProcess(false)
    .help(false)
    .version(false)
    .strict(false)
    .parserConfiguration({
      'camel-case-expansion': false,
      'dot-notation': false,
      'boolean-negation': false,
      'duplicate-arguments-array': true,
      'flatten-duplicate-arrays': true,
      'greedy-arrays': false,
      'parse-numbers': false,
      'parse-positional-numbers': false,
      'short-option-groups': false,
      'strip-aliased': true,
    });
  for (const def of FLAG_DEFINITIONS) {
    const shorts = def.aliases.filter((a) => a.name.length === 1).map((a) => a.name);
    const type = def.type === 'boolean' ? 'boolean' : 'string';
    parser = parser.option(def.name, { type, alias: shorts });
    for (const alias of def.aliases) {
      if (alias.name.length > 1) parser = parser.option(alias.name, { type });
    }
  }
  return parser.parseSync() as Record<string, unknown>;
}

/** The values yargs found for one spelling, in order (string flags hold strings, booleans booleans). */
function occurrencesOf(values: Record<string, unknown>, spelling: string): Raw[] {
  const value = values[spelling];
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => (typeof v === 'boolean' ? v : String(v)));
}

function splitList(items: readonly Raw[]): string[] {
  return items.flatMap((item) => (typeof item === 'string' ? item.split(',') : [])).filter((s) => s !== '');
}

/**
 * Reads one flag from the parsed values: the canonical spelling wins over deprecated long
 * aliases for single values; for lists, alias values come first and the canonical ones follow
 * (Flux v1 merged `--k8s-namespace-whitelist` into `--k8s-allow-namespace` that way).
 */
function rawValue(values: Record<string, unknown>, def: FlagDefinition): Raw | string[] {
  const longAliases = def.aliases.filter((a) => a.name.length > 1).map((a) => a.name);
  const own = occurrencesOf(values, def.name);
  const aliased = longAliases.flatMap((name) => occurrencesOf(values, name));
  if (def.type === 'string-list') {
    if (own.length === 0 && aliased.length === 0) return undefined;
    return [...new Set(splitList([...aliased, ...own]))];
  }
  return own.length > 0 ? own[own.length - 1] : aliased[aliased.length - 1];
}

function checkChoice(def: FlagDefinition, value: string): void {
  if (def.type !== 'string' && def.type !== 'string-list') return;
  if (def.choices === undefined || def.choices.includes(value)) return;
  if (value === '' && def.type === 'string' && def.default === '') return;
  throw new FlagValueError(
    `invalid value ${JSON.stringify(value)} for --${def.name}: must be one of ${def.choices.join(', ')}`,
  );
}

function toNumber(def: FlagDefinition & { type: 'number' }, text: string): number {
  const pattern = def.integer ? /^[+-]?\d+$/ : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
  const value = Number(text);
  if (!pattern.test(text.trim()) || !Number.isFinite(value)) {
    throw new FlagValueError(
      `invalid value ${JSON.stringify(text)} for --${def.name}: must be ${def.integer ? 'an integer' : 'a number'}`,
    );
  }
  if (value < def.min) {
    const bound = def.min === Number.MIN_VALUE ? 'greater than 0' : `at least ${def.min}`;
    throw new FlagValueError(`invalid value ${JSON.stringify(text)} for --${def.name}: must be ${bound}`);
  }
  return value;
}

/** The resolved value of every flag: given values converted and checked, defaults otherwise. */
class FlagValues {
  readonly #values: Record<string, unknown>;
  readonly #given: ReadonlySet<string>;

  constructor(values: Record<string, unknown>, given: ReadonlySet<string>) {
    this.#values = values;
    this.#given = given;
  }

  given(name: string): boolean {
    return this.#given.has(name);
  }

  #def<T extends FlagDefinition['type']>(name: string, type: T): FlagDefinition & { type: T } {
    const def = findFlag(name);
    if (def === undefined || def.name !== name || def.type !== type) {
      throw new TypeError(`no ${type} flag --${name}`);
    }
    return def as FlagDefinition & { type: T };
  }

  #raw(def: FlagDefinition): Raw | string[] {
    return this.given(def.name) ? rawValue(this.#values, def) : undefined;
  }

  string(name: string): string {
    const value = this.optionalString(name);
    if (value === undefined) throw new TypeError(`--${name} has no default`);
    return value;
  }

  optionalString(name: string): string | undefined {
    const def = this.#def(name, 'string');
    const raw = this.#raw(def);
    const value = typeof raw === 'string' ? raw : def.default;
    if (value !== undefined) checkChoice(def, value);
    return value;
  }

  boolean(name: string): boolean {
    const def = this.#def(name, 'boolean');
    const raw = this.#raw(def);
    return typeof raw === 'boolean' ? raw : def.default;
  }

  optionalNumber(name: string): number | undefined {
    const def = this.#def(name, 'number');
    const raw = this.#raw(def);
    return typeof raw === 'string' ? toNumber(def, raw) : def.default;
  }

  number(name: string): number {
    const value = this.optionalNumber(name);
    if (value === undefined) throw new TypeError(`--${name} has no default`);
    return value;
  }

  durationMs(name: string): number {
    const def = this.#def(name, 'duration');
    const raw = this.#raw(def);
    const text = typeof raw === 'string' ? raw : def.default;
    try {
      return parseDuration(text, name);
    } catch (err) {
      throw new FlagValueError(err instanceof Error ? err.message : String(err));
    }
  }

  list(name: string): string[] {
    const def = this.#def(name, 'string-list');
    const raw = this.#raw(def);
    const value = Array.isArray(raw) ? raw : [...def.default];
    for (const item of value) checkChoice(def, item);
    return value;
  }
}

function deprecationWarnings(occurrences: readonly FlagOccurrence[]): string[] {
  const warnings = new Set<string>();
  for (const { definition, spelling } of occurrences) {
    if (spelling === definition.name && definition.deprecated !== undefined) {
      warnings.add(`flag --${spelling} is deprecated: ${definition.deprecated}`);
    }
    const alias = definition.aliases.find((a) => a.name === spelling);
    if (alias?.deprecated !== undefined)
      warnings.add(`flag --${spelling} is deprecated: ${alias.deprecated}`);
  }
  return [...warnings];
}

/**
 * Refuses a `--git-path` that is absolute or leads out of the repository (`../x`, `x/../../y`), with
 * the rule the git mirror applies later (which stays as a second check): fluxd stops before it
 * opens anything.
 */
function checkGitPath(path: string): void {
  try {
    normalizeGitPaths([path]);
  } catch (err) {
    if (!(err instanceof InvalidGitPathError)) throw err;
    const reason =
      path.startsWith('/') || /^[a-z]:[\\/]/i.test(path)
        ? 'a path inside the repository must not start with /'
        : 'a path inside the repository must not lead out of it with ".."';
    throw new FlagValueError(`invalid value ${JSON.stringify(path)} for --git-path: ${reason}`);
  }
}

function buildConfig(flags: FlagValues, warnings: string[]): FluxdConfig {
  const gitReadonly = flags.boolean('git-readonly');

  const gitPath = flags.list('git-path');
  for (const path of gitPath) checkGitPath(path);

  let gitSyncTag = flags.string('git-sync-tag');
  let gitNotesRef = flags.string('git-notes-ref');
  const gitLabel = flags.string('git-label');
  if (flags.given('git-label') && gitLabel !== '') {
    gitSyncTag = gitLabel;
    gitNotesRef = gitLabel;
    for (const overridden of ['git-sync-tag', 'git-notes-ref']) {
      if (flags.given(overridden)) warnings.push(`--git-label overrides --${overridden}; using ${gitLabel}`);
    }
  }

  const modeText = flags.string('git-verify-signatures-mode');
  const gitVerifySignaturesMode = (
    flags.boolean('git-verify-signatures') && !flags.given('git-verify-signatures-mode')
      ? 'all'
      : modeText === ''
        ? 'none'
        : modeText
  ) as VerifySignaturesMode;

  let syncState = flags.string('sync-state') as SyncStateMode;
  if (gitReadonly) {
    if (syncState === 'git') {
      warnings.push('--git-readonly prevents --sync-state=git; using --sync-state=secret');
      syncState = 'secret';
    }
    const ignored = GIT_WRITE_FLAGS.filter((name) => flags.given(name));
    if (ignored.length > 0) {
      warnings.push(
        `--git-readonly is set, so these flags have no effect: ${ignored.map((n) => `--${n}`).join(', ')}`,
      );
    }
  }

  const gitCiSkip = flags.boolean('git-ci-skip');
  const ciSkipText = flags.string('git-ci-skip-message');
  const gitGpgKeyImport = flags.list('git-gpg-key-import');
  const gitSecret = flags.boolean('git-secret');
  const sops = flags.boolean('sops');
  if (gitSecret && gitGpgKeyImport.length === 0) {
    warnings.push('--git-secret is set without --git-gpg-key-import; assuming a GPG keyring is mounted');
  }
  if (sops && gitGpgKeyImport.length === 0) {
    warnings.push(
      '--sops is set without --git-gpg-key-import; assuming decryption keys are provided otherwise',
    );
  }

  const kubeConfig = flags.optionalString('kube-config');
  const sshKeygenBits = flags.optionalNumber('ssh-keygen-bits');
  const sshKeygenType = flags.optionalString('ssh-keygen-type');
  const sshKeygenFormat = flags.optionalString('ssh-keygen-format');

  return {
    listen: flags.string('listen'),
    listenMetrics: flags.string('listen-metrics'),
    apiTokenFile: flags.string('api-token-file'),

    logFormat: flags.string('log-format') as LogFormat,

    gitUrl: flags.string('git-url'),
    gitBranch: flags.string('git-branch'),
    gitPath,
    gitReadonly,
    gitUser: flags.string('git-user'),
    gitEmail: flags.string('git-email'),
    gitSetAuthor: flags.boolean('git-set-author'),
    gitLabel,
    gitSyncTag,
    gitNotesRef,
    gitCiSkip,
    gitCiSkipMessage: ciSkipText !== '' ? ciSkipText : gitCiSkip ? DEFAULT_CI_SKIP_MESSAGE : '',
    gitPollIntervalMs: flags.durationMs('git-poll-interval'),
    gitTimeoutMs: flags.durationMs('git-timeout'),
    gitSecret,
    gitGpgKeyImport,
    gitSigningKey: flags.string('git-signing-key'),
    gitVerifySignaturesMode,
    sops,

    syncIntervalMs: flags.durationMs('sync-interval'),
    syncTimeoutMs: flags.durationMs('sync-timeout'),
    syncGarbageCollection: flags.boolean('sync-garbage-collection'),
    syncGarbageCollectionDry: flags.boolean('sync-garbage-collection-dry'),
    syncGarbageCollectionMax: flags.number('sync-garbage-collection-max'),
    syncState,

    manifestGeneration: flags.boolean('manifest-generation'),

    automationIntervalMs: flags.durationMs('automation-interval'),
    automationSettleMs: flags.durationMs('automation-settle'),

    registryDisableScanning: flags.boolean('registry-disable-scanning'),
    registryRps: flags.number('registry-rps'),
    registryBurst: flags.number('registry-burst'),
    registryTrace: flags.boolean('registry-trace'),
    registryInsecureHost: flags.list('registry-insecure-host'),
    registryExcludeImage: flags.list('registry-exclude-image'),
    registryIncludeImage: flags.list('registry-include-image'),
    registryUseLabels: flags.list('registry-use-labels'),
    registryEcrRegion: flags.list('registry-ecr-region'),
    registryEcrIncludeId: flags.list('registry-ecr-include-id'),
    registryEcrExcludeId: flags.list('registry-ecr-exclude-id'),
    registryRequire: flags.list('registry-require').filter((r): r is 'ecr' => r === 'ecr'),
    registryPlatform: flags.list('registry-platform'),
    dockerConfig: flags.string('docker-config'),
    registryCacheExpiryMs: flags.durationMs('registry-cache-expiry'),

    memcachedHostname: flags.string('memcached-hostname'),
    memcachedPort: flags.number('memcached-port'),
    memcachedService: flags.string('memcached-service'),
    memcachedTimeoutMs: flags.durationMs('memcached-timeout'),

    kubernetesKubectl: flags.string('kubernetes-kubectl'),
    ...(kubeConfig === undefined ? {} : { kubeConfig }),
    k8sNamespace: flags.string('k8s-namespace'),
    k8sSecretName: flags.string('k8s-secret-name'),
    k8sSecretVolumeMountPath: flags.string('k8s-secret-volume-mount-path'),
    k8sSecretDataKey: flags.string('k8s-secret-data-key'),
    k8sAllowNamespace: flags.list('k8s-allow-namespace'),
    k8sDefaultNamespace: flags.string('k8s-default-namespace'),
    k8sUnsafeExcludeResource: flags.list('k8s-unsafe-exclude-resource'),
    k8sVerbosity: flags.number('k8s-verbosity'),

    ...(sshKeygenBits === undefined ? {} : { sshKeygenBits }),
    ...(sshKeygenType === undefined ? {} : { sshKeygenType }),
    ...(sshKeygenFormat === undefined ? {} : { sshKeygenFormat }),
    sshKeygenDir: flags.string('ssh-keygen-dir'),

    connect: flags.string('connect'),
    token: flags.string('token'),
    rpcTimeoutMs: flags.durationMs('rpc-timeout'),
  };
}

/**
 * Parses fluxd's command line (without the node and script names), with Flux v1's flag names,
 * defaults and checks. Never prints and never exits: the caller acts on the result.
 */
export function parseFluxdArgs(argv: readonly string[]): FluxdArgs {
  const scan = scanArgs(argv);
  if (scan.help) return { kind: 'help', text: fluxdHelp() };
  if (!scan.ok) return { kind: 'error', message: scan.message };

  let values: Record<string, unknown>;
  try {
    values = extract(argv);
  } catch (err) {
    return { kind: 'error', message: err instanceof Error ? err.message : String(err) };
  }
  const flags = new FlagValues(values, new Set(scan.occurrences.map((o) => o.definition.name)));
  if (flags.boolean('version')) return { kind: 'version' };

  const warnings = deprecationWarnings(scan.occurrences);
  try {
    return { kind: 'run', config: buildConfig(flags, warnings), warnings };
  } catch (err) {
    if (err instanceof FlagValueError) return { kind: 'error', message: err.message };
    throw err;
  }
}

/** The configuration fluxd runs with when given no flags. */
export function defaultFluxdConfig(): FluxdConfig {
  const result = parseFluxdArgs([]);
  if (result.kind !== 'run') throw new Error('the default flags do not parse');
  return result.config;
}
