/**
 * The one table of fluxd's command-line flags. Parsing (`parse-args.ts`), the help text and the
 * markdown reference (`help.ts`) are all generated from it, so they cannot drift apart.
 *
 * Names, aliases and defaults follow Flux v1 (spec §13), except where decisions.md says otherwise
 * (`--registry-rps 200`, `--registry-burst 125`, `--registry-cache-expiry 1h`) and for the flags
 * that Flux v1 did not have (`--automation-settle`, `--registry-platform`, `--api-token-file`,
 * `--sync-garbage-collection-max`, `--k8s-namespace`).
 */

/** Sections of the help text and of the markdown reference, in display order. */
export const FlagGroup = {
  General: 'General',
  Server: 'Server',
  Logging: 'Logging',
  Git: 'Git',
  Sync: 'Sync',
  Manifests: 'Manifests',
  Automation: 'Automation',
  Registry: 'Registry',
  Memcached: 'Memcached',
  Kubernetes: 'Kubernetes',
  SshKey: 'SSH key',
  Upstream: 'Upstream',
} as const;
export type FlagGroup = (typeof FlagGroup)[keyof typeof FlagGroup];

/** All groups in display order. */
export const FLAG_GROUPS: readonly FlagGroup[] = Object.values(FlagGroup);

export type FlagType = 'string' | 'boolean' | 'number' | 'duration' | 'string-list';

/**
 * Another spelling of a flag. A one-letter name is a shorthand (`-l`); longer names are long flags
 * (`--registry-poll-interval`). A deprecated alias still works but earns a warning.
 */
export interface FlagAlias {
  readonly name: string;
  readonly deprecated?: string;
}

interface FlagCommon {
  /** Long name without the leading `--`. */
  readonly name: string;
  readonly aliases: readonly FlagAlias[];
  readonly group: FlagGroup;
  readonly description: string;
  /** Set when the flag still works but should no longer be used; the text says what to do instead. */
  readonly deprecated?: string;
  /** Shown instead of the default value where the real default is computed at run time. */
  readonly defaultText?: string;
}

export interface StringFlag extends FlagCommon {
  readonly type: 'string';
  /** `undefined`: unset unless given (e.g. `--ssh-keygen-type`). */
  readonly default: string | undefined;
  /** When set, the value must be one of these (or empty, when the default is empty). */
  readonly choices?: readonly string[];
}

export interface BooleanFlag extends FlagCommon {
  readonly type: 'boolean';
  readonly default: boolean;
}

export interface NumberFlag extends FlagCommon {
  readonly type: 'number';
  readonly default: number | undefined;
  readonly integer: boolean;
  /** Smallest accepted value. */
  readonly min: number;
}

export interface DurationFlag extends FlagCommon {
  readonly type: 'duration';
  /** A Go duration string, as the user would write it (`5m`). */
  readonly default: string;
}

export interface StringListFlag extends FlagCommon {
  readonly type: 'string-list';
  readonly default: readonly string[];
  /** When set, every element must be one of these. */
  readonly choices?: readonly string[];
}

export type FlagDefinition = StringFlag | BooleanFlag | NumberFlag | DurationFlag | StringListFlag;

const none: readonly FlagAlias[] = [];

export const FLAG_DEFINITIONS: readonly FlagDefinition[] = [
  // General
  {
    name: 'help',
    aliases: [{ name: 'h' }],
    type: 'boolean',
    default: false,
    group: FlagGroup.General,
    description: 'show this help and exit',
  },
  {
    name: 'version',
    aliases: none,
    type: 'boolean',
    default: false,
    group: FlagGroup.General,
    description: 'print the version and exit',
  },

  // Server
  {
    name: 'listen',
    aliases: [{ name: 'l' }],
    type: 'string',
    default: ':3030',
    group: FlagGroup.Server,
    description: 'address to serve the API and /metrics on',
  },
  {
    name: 'listen-metrics',
    aliases: none,
    type: 'string',
    default: '',
    group: FlagGroup.Server,
    description: 'separate address for /metrics; when set, /metrics is no longer served on --listen',
  },
  {
    name: 'api-token-file',
    aliases: none,
    type: 'string',
    default: '',
    group: FlagGroup.Server,
    description: 'file holding a bearer token the API requires; empty means no API authentication',
  },

  // Logging
  {
    name: 'log-format',
    aliases: none,
    type: 'string',
    default: 'fmt',
    choices: ['fmt', 'json'],
    group: FlagGroup.Logging,
    description: 'log line format: fmt (logfmt) or json',
  },

  // Git
  {
    name: 'git-url',
    aliases: none,
    type: 'string',
    default: '',
    group: FlagGroup.Git,
    description: 'URL of the git repository holding the manifests; empty leaves the repo unconfigured',
  },
  {
    name: 'git-branch',
    aliases: none,
    type: 'string',
    default: 'master',
    group: FlagGroup.Git,
    description: 'branch of the git repository to sync from and push to',
  },
  {
    name: 'git-path',
    aliases: none,
    type: 'string-list',
    default: [],
    group: FlagGroup.Git,
    description:
      'paths inside the repository to read manifests from (relative: no leading / and no .. out of it)',
  },
  {
    name: 'git-readonly',
    aliases: none,
    type: 'boolean',
    default: false,
    group: FlagGroup.Git,
    description: 'never push to the repository; implies --sync-state=secret and disables automation',
  },
  {
    name: 'git-user',
    aliases: none,
    type: 'string',
    default: 'Weave Flux',
    group: FlagGroup.Git,
    description: 'committer name for commits fluxd makes',
  },
  {
    name: 'git-email',
    aliases: none,
    type: 'string',
    default: 'support@weave.works',
    group: FlagGroup.Git,
    description: 'committer email for commits fluxd makes',
  },
  {
    name: 'git-set-author',
    aliases: none,
    type: 'boolean',
    default: false,
    group: FlagGroup.Git,
    description: 'set the commit author to the user who asked for the change',
  },
  {
    name: 'git-label',
    aliases: none,
    type: 'string',
    default: '',
    group: FlagGroup.Git,
    description: 'label for sync progress; overrides both --git-sync-tag and --git-notes-ref',
  },
  {
    name: 'git-sync-tag',
    aliases: none,
    type: 'string',
    default: 'flux-sync',
    group: FlagGroup.Git,
    description: 'tag marking the last synced revision (with --sync-state=git)',
  },
  {
    name: 'git-notes-ref',
    aliases: none,
    type: 'string',
    default: 'flux',
    group: FlagGroup.Git,
    description: 'git notes ref for the annotations fluxd attaches to its commits',
  },
  {
    name: 'git-ci-skip',
    aliases: none,
    type: 'boolean',
    default: false,
    group: FlagGroup.Git,
    description: 'append "[ci skip]" to commit messages',
  },
  {
    name: 'git-ci-skip-message',
    aliases: none,
    type: 'string',
    default: '',
    group: FlagGroup.Git,
    description: 'text to append to commit messages instead of "[ci skip]"',
  },
  {
    name: 'git-poll-interval',
    aliases: none,
    type: 'duration',
    default: '5m',
    group: FlagGroup.Git,
    description: 'how often to fetch the repository for new commits',
  },
  {
    name: 'git-timeout',
    aliases: none,
    type: 'duration',
    default: '20s',
    group: FlagGroup.Git,
    description: 'time limit for each git operation',
  },
  {
    name: 'git-secret',
    aliases: none,
    type: 'boolean',
    default: false,
    group: FlagGroup.Git,
    description: 'run "git secret reveal -f" in every clone',
  },
  {
    name: 'git-gpg-key-import',
    aliases: none,
    type: 'string-list',
    default: [],
    group: FlagGroup.Git,
    description: 'GPG key files or directories to import for signing and verification',
  },
  {
    name: 'git-signing-key',
    aliases: none,
    type: 'string',
    default: '',
    group: FlagGroup.Git,
    description: 'GPG key to sign commits and the sync tag with',
  },
  {
    name: 'git-verify-signatures',
    aliases: none,
    type: 'boolean',
    default: false,
    group: FlagGroup.Git,
    description: 'verify commit signatures (same as --git-verify-signatures-mode=all)',
    deprecated: 'use --git-verify-signatures-mode=all instead',
  },
  {
    name: 'git-verify-signatures-mode',
    aliases: none,
    type: 'string',
    default: '',
    defaultText: 'none',
    choices: ['none', 'all', 'first-parent'],
    group: FlagGroup.Git,
    description: 'which commits must carry a valid signature: none, all or first-parent',
  },
  {
    name: 'sops',
    aliases: none,
    type: 'boolean',
    default: false,
    group: FlagGroup.Git,
    description: 'decrypt sops-encrypted manifests before syncing them',
  },

  // Sync
  {
    name: 'sync-interval',
    aliases: none,
    type: 'duration',
    default: '5m',
    group: FlagGroup.Sync,
    description: 'apply the repository to the cluster at least this often, even without new commits',
  },
  {
    name: 'sync-timeout',
    aliases: none,
    type: 'duration',
    default: '1m',
    group: FlagGroup.Sync,
    description: 'time limit for one sync (also for jobs and .flux.yaml commands)',
  },
  {
    name: 'sync-garbage-collection',
    aliases: none,
    type: 'boolean',
    default: false,
    group: FlagGroup.Sync,
    description: 'delete cluster resources fluxd created that are no longer in the repository',
  },
  {
    name: 'sync-garbage-collection-dry',
    aliases: none,
    type: 'boolean',
    default: false,
    group: FlagGroup.Sync,
    description: 'only log what garbage collection would delete',
  },
  {
    name: 'sync-garbage-collection-max',
    aliases: none,
    type: 'number',
    default: 0,
    integer: true,
    min: 0,
    group: FlagGroup.Sync,
    description: 'refuse to delete more than this many objects in one sync; 0 means no limit',
  },
  {
    name: 'sync-state',
    aliases: none,
    type: 'string',
    default: 'git',
    choices: ['git', 'secret'],
    group: FlagGroup.Sync,
    description: 'where to keep the last synced revision: git (a tag) or secret (an annotation)',
  },

  // Manifests
  {
    name: 'manifest-generation',
    aliases: none,
    type: 'boolean',
    default: false,
    group: FlagGroup.Manifests,
    description: 'generate manifests as described by .flux.yaml files',
  },

  // Automation
  {
    name: 'automation-interval',
    aliases: [{ name: 'registry-poll-interval', deprecated: 'use --automation-interval instead' }],
    type: 'duration',
    default: '5m',
    group: FlagGroup.Automation,
    description: 'how often to look for image updates for automated workloads',
  },
  {
    name: 'automation-settle',
    aliases: none,
    type: 'duration',
    default: '10s',
    group: FlagGroup.Automation,
    description: 'wait this long after new images appear so a burst of pushes becomes one commit',
  },

  // Registry
  {
    name: 'registry-disable-scanning',
    aliases: none,
    type: 'boolean',
    default: false,
    group: FlagGroup.Registry,
    description: 'do not scan image registries (disables automation)',
  },
  {
    name: 'registry-rps',
    aliases: none,
    type: 'number',
    default: 200,
    integer: false,
    min: Number.MIN_VALUE,
    group: FlagGroup.Registry,
    description: 'maximum registry requests per second, per host',
  },
  {
    name: 'registry-burst',
    aliases: none,
    type: 'number',
    default: 125,
    integer: true,
    min: 1,
    group: FlagGroup.Registry,
    description: 'registry request burst per host; also bounds concurrent fetches',
  },
  {
    name: 'registry-trace',
    aliases: none,
    type: 'boolean',
    default: false,
    group: FlagGroup.Registry,
    description: 'log every registry request',
  },
  {
    name: 'registry-insecure-host',
    aliases: none,
    type: 'string-list',
    default: [],
    group: FlagGroup.Registry,
    description: 'registry hosts to reach without TLS verification or over plain HTTP (unsafe)',
  },
  {
    name: 'registry-exclude-image',
    aliases: none,
    type: 'string-list',
    default: ['k8s.gcr.io/*'],
    group: FlagGroup.Registry,
    description: 'do not scan images whose canonical name matches these globs',
  },
  {
    name: 'registry-include-image',
    aliases: none,
    type: 'string-list',
    default: [],
    group: FlagGroup.Registry,
    description: 'when given, scan only images matching these globs (exclusions still apply)',
  },
  {
    name: 'registry-use-labels',
    aliases: none,
    type: 'string-list',
    default: ['index.docker.io/weaveworks/*', 'index.docker.io/fluxcd/*'],
    group: FlagGroup.Registry,
    description: 'images matching these globs take their creation time from image labels',
  },
  {
    name: 'registry-ecr-region',
    aliases: none,
    type: 'string-list',
    default: [],
    defaultText: 'the cluster region',
    group: FlagGroup.Registry,
    description: 'scan ECR only in these AWS regions',
  },
  {
    name: 'registry-ecr-include-id',
    aliases: none,
    type: 'string-list',
    default: [],
    group: FlagGroup.Registry,
    description: 'scan ECR only in these AWS account IDs',
  },
  {
    name: 'registry-ecr-exclude-id',
    aliases: none,
    type: 'string-list',
    default: ['602401143452', '918309763551'],
    group: FlagGroup.Registry,
    description: 'never scan ECR in these AWS account IDs (by default the EKS system accounts)',
  },
  {
    name: 'registry-require',
    aliases: none,
    type: 'string-list',
    default: [],
    choices: ['ecr'],
    group: FlagGroup.Registry,
    description: 'fail at start-up unless automatic authentication with these works (only ecr)',
  },
  {
    name: 'registry-platform',
    aliases: none,
    type: 'string-list',
    default: ['linux/amd64'],
    group: FlagGroup.Registry,
    description: 'platforms a multi-arch image must provide (os/arch[/variant])',
  },
  {
    name: 'docker-config',
    aliases: none,
    type: 'string',
    default: '',
    group: FlagGroup.Registry,
    description: 'docker config file with default registry credentials',
  },
  {
    name: 'registry-cache-expiry',
    aliases: none,
    type: 'duration',
    default: '1h',
    group: FlagGroup.Registry,
    description: 'how long cached image metadata is kept',
    deprecated: 'tags are re-checked adaptively; this only bounds how long cached image metadata is kept',
  },

  // Memcached
  {
    name: 'memcached-hostname',
    aliases: none,
    type: 'string',
    default: 'memcached',
    group: FlagGroup.Memcached,
    description: 'memcached host for the image metadata cache',
  },
  {
    name: 'memcached-port',
    aliases: none,
    type: 'number',
    default: 11211,
    integer: true,
    min: 1,
    group: FlagGroup.Memcached,
    description: 'memcached port (used when --memcached-service is empty)',
  },
  {
    name: 'memcached-service',
    aliases: none,
    type: 'string',
    default: 'memcached',
    group: FlagGroup.Memcached,
    description: 'SRV service name to discover memcached; empty means use hostname:port',
  },
  {
    name: 'memcached-timeout',
    aliases: none,
    type: 'duration',
    default: '1s',
    group: FlagGroup.Memcached,
    description: 'time limit for each memcached request',
  },

  // Kubernetes
  {
    name: 'kubernetes-kubectl',
    aliases: none,
    type: 'string',
    default: '',
    defaultText: 'kubectl from PATH',
    group: FlagGroup.Kubernetes,
    description: 'path of the kubectl binary',
  },
  {
    name: 'kube-config',
    aliases: none,
    type: 'string',
    default: undefined,
    defaultText: '$HOME/.kube/config',
    group: FlagGroup.Kubernetes,
    description: 'kubeconfig file to use',
    deprecated: 'use the KUBECONFIG environment variable or the in-cluster configuration instead',
  },
  {
    name: 'k8s-in-cluster',
    aliases: none,
    type: 'boolean',
    default: true,
    group: FlagGroup.Kubernetes,
    description: 'no effect',
    deprecated: 'no longer used',
  },
  {
    name: 'k8s-namespace',
    aliases: none,
    type: 'string',
    default: '',
    defaultText: 'the service account namespace, else default',
    group: FlagGroup.Kubernetes,
    description: "namespace of fluxd's own Secret (SSH key and secret sync state)",
  },
  {
    name: 'k8s-secret-name',
    aliases: none,
    type: 'string',
    default: 'flux-git-deploy',
    group: FlagGroup.Kubernetes,
    description: 'Secret holding the SSH key (and the sync state with --sync-state=secret)',
  },
  {
    name: 'k8s-secret-volume-mount-path',
    aliases: none,
    type: 'string',
    default: '/etc/fluxd/ssh',
    group: FlagGroup.Kubernetes,
    description: 'where the SSH key Secret is mounted',
  },
  {
    name: 'k8s-secret-data-key',
    aliases: none,
    type: 'string',
    default: 'identity',
    group: FlagGroup.Kubernetes,
    description: 'data key of the private SSH key in the Secret',
  },
  {
    name: 'k8s-allow-namespace',
    aliases: [{ name: 'k8s-namespace-whitelist', deprecated: 'use --k8s-allow-namespace instead' }],
    type: 'string-list',
    default: [],
    defaultText: 'all namespaces',
    group: FlagGroup.Kubernetes,
    description: 'restrict every operation to these namespaces',
  },
  {
    name: 'k8s-default-namespace',
    aliases: none,
    type: 'string',
    default: '',
    group: FlagGroup.Kubernetes,
    description: 'namespace for namespaced manifests that do not name one',
  },
  {
    name: 'k8s-unsafe-exclude-resource',
    aliases: none,
    type: 'string-list',
    default: ['*metrics.k8s.io/*', 'webhook.certmanager.k8s.io/*', 'v1/Event'],
    group: FlagGroup.Kubernetes,
    description: 'never list cluster resources whose group/version/kind matches these globs (unsafe)',
  },
  {
    name: 'k8s-verbosity',
    aliases: none,
    type: 'number',
    default: 0,
    integer: true,
    min: 0,
    group: FlagGroup.Kubernetes,
    description: 'Kubernetes client log level',
  },

  // SSH key
  {
    name: 'ssh-keygen-bits',
    aliases: none,
    type: 'number',
    default: undefined,
    integer: true,
    min: 1,
    group: FlagGroup.SshKey,
    description: 'ssh-keygen -b: key size (unset: ssh-keygen decides)',
  },
  {
    name: 'ssh-keygen-type',
    aliases: none,
    type: 'string',
    default: undefined,
    choices: ['dsa', 'ecdsa', 'ecdsa-sk', 'ed25519', 'ed25519-sk', 'rsa'],
    group: FlagGroup.SshKey,
    description: 'ssh-keygen -t: key type (unset: ssh-keygen decides)',
  },
  {
    name: 'ssh-keygen-format',
    aliases: none,
    type: 'string',
    default: undefined,
    choices: ['RFC4716', 'PKCS8', 'PEM'],
    group: FlagGroup.SshKey,
    description: 'ssh-keygen -m: key format (unset: ssh-keygen decides)',
  },
  {
    name: 'ssh-keygen-dir',
    aliases: none,
    type: 'string',
    default: '',
    defaultText: '--k8s-secret-volume-mount-path',
    group: FlagGroup.SshKey,
    description: 'directory (ideally tmpfs) to generate new SSH keys in',
  },

  // Upstream
  {
    name: 'connect',
    aliases: none,
    type: 'string',
    default: '',
    group: FlagGroup.Upstream,
    description: 'base URL of an upstream service to connect to',
  },
  {
    name: 'token',
    aliases: none,
    type: 'string',
    default: '',
    group: FlagGroup.Upstream,
    description: 'token to authenticate to the upstream service',
  },
  {
    name: 'rpc-timeout',
    aliases: none,
    type: 'duration',
    default: '10s',
    group: FlagGroup.Upstream,
    description: 'time limit for each operation the upstream requests',
  },
];

/** Every spelling (long names and shorthands, without dashes) mapped to its definition. */
const bySpelling: ReadonlyMap<string, FlagDefinition> = new Map(
  FLAG_DEFINITIONS.flatMap((def) => [
    [def.name, def] as const,
    ...def.aliases.map((alias) => [alias.name, def] as const),
  ]),
);

/** The definition a spelling (`git-url`, `l`, `registry-poll-interval`) belongs to, if any. */
export function findFlag(spelling: string): FlagDefinition | undefined {
  return bySpelling.get(spelling);
}

/** All long spellings (names and long aliases), for suggestions. */
export function longFlagSpellings(): string[] {
  return [...bySpelling.keys()].filter((spelling) => spelling.length > 1);
}
