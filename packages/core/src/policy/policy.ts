import { ANY_TAG, type ParseTagPatternOptions, parseTagPattern, type TagPattern } from './tag-pattern.ts';

/** Flux's policy names: the part of an annotation key after the prefix (`fluxcd.io/automated`). */
export const Policy = {
  /** `"true"`: automation updates the workload's images. */
  Automated: 'automated',
  /** `"true"`: no releases or automation (unless a release names the workload and forces). */
  Locked: 'locked',
  /** Who locked it (free text). */
  LockedUser: 'locked_user',
  /** Why it is locked (free text). */
  LockedMsg: 'locked_msg',
  /** `"true"`: never synced, collected or automated; `"sync_only"`: synced but never collected. */
  Ignore: 'ignore',
  /** Pseudo-policy of updates only (never stored): `tag.<c>` for every container of the workload. */
  TagAll: 'tag_all',
} as const;
export type Policy = (typeof Policy)[keyof typeof Policy];

/** The name of a container's tag filter policy. */
export type TagPolicy = `tag.${string}`;

/** The values of the `ignore` policy that mean something. */
export const IgnoreMode = {
  /** Not applied by sync, never garbage-collected, not an automation candidate, skipped by releases. */
  On: 'true',
  /** Applied by sync as usual, but never garbage-collected. */
  SyncOnly: 'sync_only',
} as const;
export type IgnoreMode = (typeof IgnoreMode)[keyof typeof IgnoreMode];

/**
 * Annotation key prefixes that carry policies, in the order they are looked up (and reused when a
 * policy is written). `Filter` carries only tag filters: `filter.fluxcd.io/<c>` is `tag.<c>`.
 */
export const PolicyPrefix = {
  Current: 'fluxcd.io/',
  Legacy: 'flux.weave.works/',
  Filter: 'filter.fluxcd.io/',
} as const;
export type PolicyPrefix = (typeof PolicyPrefix)[keyof typeof PolicyPrefix];

const TAG_PREFIX = 'tag.';

/** Policies that are on only when their value is exactly `"true"`. */
const BOOLEAN_POLICIES: ReadonlySet<string> = new Set([Policy.Automated, Policy.Locked, Policy.Ignore]);

/**
 * Annotations under `fluxcd.io/` that sync writes on cluster objects: bookkeeping, not policies (Flux
 * v1 listed them as policies when it read a live object).
 */
const NOT_POLICIES: ReadonlySet<string> = new Set(['sync-checksum', 'sync-gc-mark']);

/** The policy holding a container's tag filter: `tag.<container>`. */
export function tagPolicy(container: string): TagPolicy {
  return `${TAG_PREFIX}${container}`;
}

/** The container of a `tag.<container>` policy, or undefined for any other policy. */
export function containerOfTagPolicy(policy: string): string | undefined {
  return policy.startsWith(TAG_PREFIX) && policy.length > TAG_PREFIX.length
    ? policy.slice(TAG_PREFIX.length)
    : undefined;
}

/** True for `automated`, `locked` and `ignore`, which are on only when exactly `"true"`. */
export function isBooleanPolicy(policy: string): boolean {
  return BOOLEAN_POLICIES.has(policy);
}

/**
 * Every annotation key that can hold `policy`, in lookup order: `fluxcd.io/<p>`,
 * `flux.weave.works/<p>`, then (for `tag.<c>` only) `filter.fluxcd.io/<c>`.
 */
export function annotationKeysFor(policy: string): readonly string[] {
  const keys = [`${PolicyPrefix.Current}${policy}`, `${PolicyPrefix.Legacy}${policy}`];
  const container = containerOfTagPolicy(policy);
  if (container !== undefined) keys.push(`${PolicyPrefix.Filter}${container}`);
  return keys;
}

/** The policy an annotation key holds, and its precedence (0 is highest); undefined if none. */
function policyOf(key: string): { policy: string; rank: number } | undefined {
  let policy: string;
  let rank: number;
  if (key.startsWith(PolicyPrefix.Current)) {
    policy = key.slice(PolicyPrefix.Current.length);
    rank = 0;
  } else if (key.startsWith(PolicyPrefix.Legacy)) {
    policy = key.slice(PolicyPrefix.Legacy.length);
    rank = 1;
  } else if (key.startsWith(PolicyPrefix.Filter) && key.length > PolicyPrefix.Filter.length) {
    policy = tagPolicy(key.slice(PolicyPrefix.Filter.length));
    rank = 2;
  } else {
    return undefined;
  }
  if (policy === '' || policy === TAG_PREFIX || NOT_POLICIES.has(policy)) return undefined;
  return { policy, rank };
}

/** The policy an annotation key holds (`fluxcd.io/tag.app` → `tag.app`), or undefined if none. */
export function policyOfAnnotation(key: string): string | undefined {
  return policyOf(key)?.policy;
}

const byName = ([a]: readonly [string, string], [b]: readonly [string, string]): number =>
  a < b ? -1 : a > b ? 1 : 0;

/**
 * A workload's policies, by name: immutable. Values are kept verbatim; boolean policies count as on
 * only when exactly `"true"`.
 */
export class PolicySet {
  /** No policies. */
  static readonly EMPTY: PolicySet = new PolicySet([]);

  readonly #values: ReadonlyMap<string, string>;

  /** A set of the given policies (names to values), e.g. from an API request. */
  constructor(policies: Readonly<Record<string, string>> | Iterable<readonly [string, string]>) {
    const entries: (readonly [string, string])[] =
      Symbol.iterator in policies
        ? [...(policies as Iterable<readonly [string, string]>)]
        : Object.entries(policies as Readonly<Record<string, string>>);
    this.#values = new Map(entries.sort(byName));
  }

  /** How many policies there are. */
  get size(): number {
    return this.#values.size;
  }

  /** `automated: "true"`. */
  get automated(): boolean {
    return this.#values.get(Policy.Automated) === 'true';
  }

  /** `locked: "true"`. */
  get locked(): boolean {
    return this.#values.get(Policy.Locked) === 'true';
  }

  /** `"true"` or `"sync_only"`; undefined when absent or any other value. */
  get ignore(): IgnoreMode | undefined {
    const value = this.#values.get(Policy.Ignore);
    return value === IgnoreMode.On || value === IgnoreMode.SyncOnly ? value : undefined;
  }

  /** Who locked the workload, if recorded. */
  get lockedUser(): string | undefined {
    return this.#values.get(Policy.LockedUser);
  }

  /** Why the workload is locked, if recorded. */
  get lockedMsg(): string | undefined {
    return this.#values.get(Policy.LockedMsg);
  }

  /**
   * Flux v1's `Has`: a boolean policy is present only when exactly `"true"`; any other policy when it
   * has a value at all.
   */
  has(policy: string): boolean {
    const value = this.#values.get(policy);
    if (value === undefined) return false;
    return isBooleanPolicy(policy) ? value === 'true' : true;
  }

  /** The value of `policy` as written, or undefined. */
  get(policy: string): string | undefined {
    return this.#values.get(policy);
  }

  /**
   * The tag filter of `container` (`tag.<container>`), parsed leniently as Flux v1 reads it (an
   * invalid pattern never throws). `glob:*` when there is none, or when its value is empty.
   */
  tagPattern(container: string, options: Omit<ParseTagPatternOptions, 'lenient'> = {}): TagPattern {
    const value = this.#values.get(tagPolicy(container));
    if (value === undefined || value === '') return ANY_TAG;
    return parseTagPattern(value, { ...options, lenient: true });
  }

  /** `[name, value]` pairs, sorted by name. */
  entries(): [string, string][] {
    return [...this.#values.entries()];
  }

  /** Names to values, keys sorted: the `Policies` object of Flux v1's API. */
  toJSON(): Record<string, string> {
    return Object.fromEntries(this.#values);
  }
}

/**
 * Reads a workload's policies from its `metadata.annotations` (in git or on the cluster): keys under
 * `fluxcd.io/` and `flux.weave.works/` (both count everywhere), and `filter.fluxcd.io/<c>` as
 * `tag.<c>`. When several keys hold the same policy, `fluxcd.io/` wins over `flux.weave.works/`,
 * which wins over `filter.fluxcd.io/` (Flux v1 picked one at random).
 */
export function readPolicies(annotations: Readonly<Record<string, string>>): PolicySet {
  const found = new Map<string, { value: string; rank: number }>();
  for (const [key, value] of Object.entries(annotations)) {
    const of = policyOf(key);
    if (!of) continue;
    const seen = found.get(of.policy);
    if (!seen || of.rank < seen.rank) found.set(of.policy, { value, rank: of.rank });
  }
  return new PolicySet([...found].map(([policy, { value }]) => [policy, value] as const));
}
