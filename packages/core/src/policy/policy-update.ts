import { ErrorKind, FluxError } from '../errors.ts';
import { annotationKeysFor, containerOfTagPolicy, Policy, PolicyPrefix, tagPolicy } from './policy.ts';
import { InvalidTagPatternError, parseTagPattern, type TagPattern, TagPatternKind } from './tag-pattern.ts';

/** A policy update for one workload, Flux v1's `{ add, remove }` (the values of `remove` are ignored). */
export interface PolicyUpdate {
  readonly add?: Readonly<Record<string, string>>;
  readonly remove?: Readonly<Record<string, string>>;
}

/** One annotation edit: set `key` to `value`, or delete it (`value` null). */
export interface PolicyAnnotationChange {
  /** The full annotation key, e.g. `fluxcd.io/automated`. */
  readonly key: string;
  readonly value: string | null;
}

/**
 * Thrown when a policy update names a policy that cannot be stored as an annotation key (empty, or
 * characters Kubernetes does not allow in a key's name part).
 */
export class InvalidPolicyError extends FluxError {
  /** The policy name as given. */
  readonly policy: string;

  constructor(policy: string, reason: string) {
    super(`invalid policy "${policy}": ${reason}`, {
      code: 'policy.invalid',
      kind: ErrorKind.User,
      help:
        'Policies are automated, locked, locked_user, locked_msg, ignore, tag.<container> and tag_all; a ' +
        'name must be at most 63 characters of letters, digits, "-", "_" and ".", starting and ending ' +
        'with a letter or digit.',
    });
    this.policy = policy;
  }
}

/** The name part of an annotation key (after the `/`), as Kubernetes validates it. */
const ANNOTATION_NAME = /^[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const isValidKey = (key: string): boolean => ANNOTATION_NAME.test(key.slice(key.indexOf('/') + 1));

function checkName(policy: string): void {
  if (policy === '') throw new InvalidPolicyError(policy, 'the name is empty');
  // A tag filter can always fall back to filter.fluxcd.io/<container>, whose name part is shorter.
  if (!annotationKeysFor(policy).some(isValidKey)) {
    throw new InvalidPolicyError(policy, 'it cannot be the name part of an annotation key');
  }
}

function validPattern(value: string, where: string): TagPattern {
  try {
    return parseTagPattern(value);
  } catch (err) {
    throw err instanceof InvalidTagPatternError ? err.at(where) : err;
  }
}

/** The key to write `policy` under: an existing one (`fluxcd.io/`, `flux.weave.works/`, `filter.fluxcd.io/`), else `fluxcd.io/`. */
function keyFor(current: Readonly<Record<string, string>>, policy: string): string {
  const keys = annotationKeysFor(policy);
  return (
    keys.find((k) => Object.hasOwn(current, k)) ?? keys.find(isValidKey) ?? `${PolicyPrefix.Current}${policy}`
  );
}

const byKey = (a: PolicyAnnotationChange, b: PolicyAnnotationChange): number =>
  a.key < b.key ? -1 : a.key > b.key ? 1 : 0;

/**
 * Plans the annotation edits of a policy update against one manifest's current annotations, purely
 * (spec §3.4; decisions 3 and 14):
 * - `tag_all: <pattern>` sets `tag.<c>` for every container, and `tag_all: glob:*` removes them all,
 *   but a `tag.<c>` given in the same update wins for that container (Flux v1 let `tag_all` win);
 *   `tag_all` in `remove` removes every `tag.<c>`;
 * - a removal wins over an addition of the same policy; an addition with an empty value is a removal
 *   (as in Flux v1, which deleted on `key=`);
 * - every `tag.*` (and `tag_all`) value must be a valid pattern, and is written normalised
 *   (`regex:` as `regexp:`, `*` as `glob:*`, canonical semver spacing); values with `=`, `<`, `>`,
 *   `,` or spaces are fine;
 * - a policy is written under the key the manifest already uses for it (`fluxcd.io/<p>`, then
 *   `flux.weave.works/<p>`, then `filter.fluxcd.io/<c>` for `tag.<c>`), else `fluxcd.io/<p>`; a
 *   removal deletes it under every one of them.
 *
 * Returns only the edits that change something, sorted by key: empty means the manifest already
 * agrees (report `skipped`; otherwise `success`).
 *
 * @throws InvalidTagPatternError naming the annotation (`annotation fluxcd.io/tag.app: invalid tag
 *   pattern: "semver:>=banana": …`) when a `tag.*` value is not a valid pattern.
 * @throws InvalidPolicyError when a policy name cannot be an annotation key.
 */
export function planPolicyUpdate(
  current: Readonly<Record<string, string>>,
  containers: readonly string[],
  update: PolicyUpdate,
): PolicyAnnotationChange[] {
  const add = new Map<string, string>();
  const remove = new Set<string>();
  for (const policy of Object.keys(update.remove ?? {})) {
    checkName(policy);
    remove.add(policy);
  }
  for (const [policy, value] of Object.entries(update.add ?? {})) {
    checkName(policy);
    if (value === '') remove.add(policy);
    else add.set(policy, value);
  }

  const tagAll = add.get(Policy.TagAll);
  add.delete(Policy.TagAll);
  if (tagAll !== undefined) {
    const pattern = validPattern(tagAll, `policy ${Policy.TagAll}`);
    const removeAll = pattern.kind === TagPatternKind.Glob && pattern.expression === '*';
    for (const policy of new Set(containers.map(tagPolicy))) {
      if (add.has(policy)) continue; // a per-container filter in the same update wins
      if (removeAll) remove.add(policy);
      else add.set(policy, tagAll);
    }
  }
  if (remove.delete(Policy.TagAll)) for (const c of containers) remove.add(tagPolicy(c));

  const changes: PolicyAnnotationChange[] = [];
  for (const policy of remove) {
    for (const key of annotationKeysFor(policy)) {
      if (Object.hasOwn(current, key)) changes.push({ key, value: null });
    }
  }
  for (const [policy, raw] of add) {
    if (remove.has(policy)) continue;
    const key = keyFor(current, policy);
    const value =
      containerOfTagPolicy(policy) === undefined ? raw : validPattern(raw, `annotation ${key}`).toString();
    if (current[key] !== value) changes.push({ key, value });
  }
  return changes.sort(byKey);
}

/**
 * True when the update turns automation on (`add: { automated: "true" }`, not also removed): Flux v1
 * then requests an automation run right away.
 */
export function requestsAutomation(update: PolicyUpdate): boolean {
  return update.add?.[Policy.Automated] === 'true' && !Object.hasOwn(update.remove ?? {}, Policy.Automated);
}

/** How a YAML scalar must be written to read back as the same string. */
export const QuoteStyle = {
  /** As is: `glob:3.5.*`. */
  Plain: 'plain',
  /** Single-quoted (`'` doubled): `'true'`, `'1.0'`, `'*'`. */
  Single: 'single',
  /** Double-quoted with escapes: values with line breaks or control characters. */
  Double: 'double',
} as const;
export type QuoteStyle = (typeof QuoteStyle)[keyof typeof QuoteStyle];

// Plain scalars that a YAML 1.1 or 1.2 reader (Go's yaml.v2 included) would not read as a string.
const YAML_WORDS = /^(?:y|n|yes|no|true|false|on|off|null|~|=|<<)$/i;
const YAML_NUMBERS = [
  /^[-+]?(?:[0-9][0-9_]*)?\.?[0-9_]*(?:[eE][-+]?[0-9]+)?$/, // 1, 1.0, .5, 1e3, 1_000 (a digit is required, below)
  /^[-+]?0x[0-9A-Fa-f_]+$/,
  /^[-+]?0o?[0-7_]+$/,
  /^[-+]?0b[01_]+$/,
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/, // YAML 1.1 base 60: 1:30
];
const YAML_SPECIAL_FLOATS = /^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const YAML_TIMESTAMP =
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?$/;

/** Line breaks and C0/C1 controls (tab aside), the Unicode line/paragraph separators and BOM. */
function needsEscapes(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (
      (c < 0x20 && c !== 0x09) ||
      (c >= 0x7f && c <= 0x9f) ||
      c === 0x2028 ||
      c === 0x2029 ||
      c === 0xfeff
    ) {
      return true;
    }
  }
  return false;
}

function readsAsNonString(value: string): boolean {
  if (
    value === '' ||
    YAML_WORDS.test(value) ||
    YAML_SPECIAL_FLOATS.test(value) ||
    YAML_TIMESTAMP.test(value)
  ) {
    return true;
  }
  return /[0-9]/.test(value) && YAML_NUMBERS.some((re) => re.test(value));
}

/**
 * How an annotation value must be quoted in a YAML manifest. Values that would read as something
 * other than a string — booleans (`true`, `no`, `on`…, any case), null (`null`, `~`, empty),
 * numbers (`1`, `1.0`, `0x1f`, `1e3`, `1:30`), timestamps — are single-quoted, as Flux v1 writes
 * `fluxcd.io/automated: 'true'`; so are values a plain scalar cannot hold (leading indicator such as
 * `*` or `&`, `: ` or ` #` inside, surrounding spaces; in a flow map `{…}` also `,[]{}`). Values with
 * line breaks or control characters need double quotes. Everything else stays plain:
 * `fluxcd.io/tag.app: glob:3.5.*`, `semver:>=1.0 <2.0`.
 */
export function quoteStyleFor(value: string, context: 'block' | 'flow' = 'block'): QuoteStyle {
  if (needsEscapes(value)) return QuoteStyle.Double;
  if (readsAsNonString(value)) return QuoteStyle.Single;
  if (/^[\s]|[\s]$/.test(value) || value.includes('\t')) return QuoteStyle.Single;
  if (/^[-?:,[\]{}#&*!|>'"%@`]/.test(value)) return QuoteStyle.Single;
  if (value.includes(': ') || value.includes(' #') || value.endsWith(':')) return QuoteStyle.Single;
  if (context === 'flow' && /[,[\]{}]/.test(value)) return QuoteStyle.Single;
  return QuoteStyle.Plain;
}
