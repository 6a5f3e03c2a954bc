import type { SemVer } from 'semver';
import { ErrorKind, FluxError } from '../errors.ts';
import { compileRe2 } from './re2.ts';
import { parseSemverConstraint, parseVersion, type SemverConstraint } from './semver-constraint.ts';

/** The three kinds of tag filter, by their prefix. */
export const TagPatternKind = {
  Glob: 'glob',
  Semver: 'semver',
  Regexp: 'regexp',
} as const;
export type TagPatternKind = (typeof TagPatternKind)[keyof typeof TagPatternKind];

/**
 * What ordering needs of an image: its tag and creation time. {@link ImageInfo} fits; so does
 * `{ ref: { tag: '1.2.3' }, createdAt: new Date(…) }`.
 */
export interface TaggedImage {
  readonly ref: { readonly tag: string };
  /** Creation time; undefined (or the Unix epoch or earlier) when unknown. */
  readonly createdAt?: Date | undefined;
}

/** Options of {@link parseTagPattern}. */
export interface ParseTagPatternOptions {
  /**
   * Read-time parsing, as Flux v1 reads patterns from manifests: never throw. An invalid semver
   * constraint then admits every tag that is a version, and an invalid regexp admits every tag; a
   * valid RE2 regexp that JavaScript cannot run admits none. Default false: throw
   * {@link InvalidTagPatternError} (what a policy update must do).
   */
  lenient?: boolean;
  /**
   * `semver:` patterns admit only strict SemVer 2.0.0 tags (`1.2.3`, `1.2.3-rc.1+build`), not the
   * lenient `v1.2`, `1`, `01.2.3` that Flux v1 accepts. Default false.
   */
  strictSemver?: boolean;
}

/**
 * A parsed tag filter (`fluxcd.io/tag.<container>`): which tags it admits and how it orders images,
 * newest first. Immutable.
 */
export interface TagPattern {
  readonly kind: TagPatternKind;
  /** The pattern exactly as written (`regex:^v`, `*`). */
  readonly raw: string;
  /** The same as {@link TagPattern.raw}: the name release planning's `TagFilter` uses. */
  readonly source: string;
  /** The part after the prefix (`^v`, `*`). */
  readonly expression: string;
  /** Why the pattern is not usable as written (lenient parsing only), else undefined. */
  readonly problem: string | undefined;
  /** True for time-ordered patterns (glob, regexp): they need creation times to order images. */
  readonly requiresTimestamp: boolean;
  /**
   * True when the filter admits `tag`. The tag `latest` (any case) is admitted only by exactly
   * `glob:latest` (or `latest`).
   */
  matches(tag: string): boolean;
  /** Why the filter does not admit `tag` (for `fluxctl why`), or undefined when it does. */
  mismatch(tag: string): string | undefined;
  /**
   * Sort order, newest first: negative when `a` is newer than `b`. Semver patterns order by version
   * (tags that are not versions last; equal versions by tag, descending, so `1.10.0` before `1.10`);
   * time-ordered patterns by creation time (unknown times last; equal times by tag, ascending) —
   * Flux v1's orders. A total order: use it with `Array.prototype.sort`.
   */
  compare(a: TaggedImage, b: TaggedImage): number;
  /**
   * True when `candidate` is strictly newer than `current` under this pattern: a higher version, or a
   * later creation time (false when either time is unknown). Automation moves only to newer images,
   * so it never goes backwards; ties are not newer.
   */
  isNewer(candidate: TaggedImage, current: TaggedImage): boolean;
  /**
   * The normalised form, what a policy update writes: always prefixed (`*` is `glob:*`), `regex:` as
   * `regexp:`, and a valid semver constraint with canonical spacing (`semver:>=1.0<2.0` is
   * `semver:>=1.0 <2.0`, `semver:>=1.0,<2.0` is `semver:>=1.0, <2.0`).
   */
  toString(): string;
}

/**
 * Thrown by {@link parseTagPattern} (unless lenient) when a semver constraint or regexp is not valid,
 * and by policy updates for such a `tag.*` value: an update must never write a filter that cannot be
 * applied. The message starts as Flux v1's does: `invalid tag pattern: "<pattern>"`.
 */
export class InvalidTagPatternError extends FluxError {
  /** The pattern as given. */
  readonly pattern: string;
  /** The kind of pattern its prefix says it is. */
  readonly patternKind: TagPatternKind;
  /** What is wrong with it. */
  readonly reason: string;
  /** Where the pattern was found (e.g. `annotation fluxcd.io/tag.app`), if known. */
  readonly where: string | undefined;

  constructor(pattern: string, reason: string, options: { kind: TagPatternKind; where?: string }) {
    const message = `invalid tag pattern: "${pattern}": ${reason}`;
    super(options.where ? `${options.where}: ${message}` : message, {
      code: 'tag-pattern.invalid',
      kind: ErrorKind.User,
      help: options.kind === TagPatternKind.Semver ? SEMVER_HELP : REGEXP_HELP,
    });
    this.pattern = pattern;
    this.patternKind = options.kind;
    this.reason = reason;
    this.where = options.where;
  }

  /** The same error, located: its message is prefixed with `where` (`annotation fluxcd.io/tag.app: …`). */
  at(where: string): InvalidTagPatternError {
    return new InvalidTagPatternError(this.pattern, this.reason, { kind: this.patternKind, where });
  }
}

const SEMVER_HELP =
  'Write a semver constraint after "semver:" (Masterminds/semver v3 syntax): ~1.2 (>=1.2.0 <1.3.0), ' +
  '^2 (>=2.0.0 <3.0.0), 1.x, >=1.2.3 <2.0.0 or >=1.2.3, <2.0.0 (all must hold), 1.2 - 1.4, and ' +
  '"||" between alternatives, e.g. semver:~1.2 || ^2. Pre-release tags match only when the ' +
  'constraint has a pre-release part, e.g. semver:>=1.2.3-0.';
const REGEXP_HELP =
  'Write a Go RE2 regular expression after "regexp:" (or "regex:"). It matches anywhere in the tag ' +
  'unless anchored: regexp:^v[0-9]+\\.[0-9]+\\.[0-9]+$. Lookarounds and backreferences are not RE2; ' +
  'inline flags such as (?i) are supported only at the start.';

const PREFIXES = [
  ['semver:', TagPatternKind.Semver],
  ['regexp:', TagPatternKind.Regexp],
  ['regex:', TagPatternKind.Regexp],
  ['glob:', TagPatternKind.Glob],
] as const;

/** Creation time in ms, or undefined when unknown (missing, invalid, or not after the epoch). */
function createdMs(image: TaggedImage): number | undefined {
  const ms = image.createdAt?.getTime();
  return ms !== undefined && ms > 0 ? ms : undefined;
}

/** True when the image's creation time is known (time-ordered patterns need it to decide). */
export function hasCreationTime(image: TaggedImage): boolean {
  return createdMs(image) !== undefined;
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

abstract class BasePattern implements TagPattern {
  abstract readonly kind: TagPatternKind;
  readonly raw: string;
  readonly expression: string;
  readonly problem: string | undefined;

  constructor(raw: string, expression: string, problem: string | undefined) {
    this.raw = raw;
    this.expression = expression;
    this.problem = problem;
  }

  get source(): string {
    return this.raw;
  }

  abstract get requiresTimestamp(): boolean;
  protected abstract mismatchTag(tag: string): string | undefined;
  abstract compare(a: TaggedImage, b: TaggedImage): number;
  abstract isNewer(candidate: TaggedImage, current: TaggedImage): boolean;

  matches(tag: string): boolean {
    return this.mismatch(tag) === undefined;
  }

  mismatch(tag: string): string | undefined {
    if (
      tag.toLowerCase() === 'latest' &&
      !(this.kind === TagPatternKind.Glob && this.expression === 'latest')
    ) {
      return `"${tag}" is matched only by the filter glob:latest`;
    }
    return this.mismatchTag(tag);
  }

  toString(): string {
    return `${this.kind}:${this.expression}`;
  }
}

abstract class TimeOrderedPattern extends BasePattern {
  get requiresTimestamp(): boolean {
    return true;
  }

  compare(a: TaggedImage, b: TaggedImage): number {
    const ta = createdMs(a) ?? 0;
    const tb = createdMs(b) ?? 0;
    return ta !== tb ? tb - ta : byString(a.ref.tag, b.ref.tag);
  }

  isNewer(candidate: TaggedImage, current: TaggedImage): boolean {
    const tc = createdMs(candidate);
    const tr = createdMs(current);
    return tc !== undefined && tr !== undefined && tc > tr;
  }
}

/** Go-glob semantics (github.com/ryanuber/go-glob): `*` is any run of characters; whole-string match. */
function globMatch(pattern: string, subject: string): boolean {
  if (pattern === '*') return true;
  const parts = pattern.split('*');
  if (parts.length === 1) return subject === pattern;
  const first = parts[0] ?? '';
  const last = parts[parts.length - 1] ?? '';
  if (!subject.startsWith(first)) return false;
  let rest = subject.slice(first.length);
  for (const middle of parts.slice(1, -1)) {
    const at = rest.indexOf(middle);
    if (at < 0) return false;
    rest = rest.slice(at + middle.length);
  }
  return rest.endsWith(last);
}

class GlobPattern extends TimeOrderedPattern {
  readonly kind: TagPatternKind = TagPatternKind.Glob;

  protected mismatchTag(tag: string): string | undefined {
    return globMatch(this.expression, tag) ? undefined : `"${tag}" does not match ${this}`;
  }
}

class RegexpPattern extends TimeOrderedPattern {
  readonly kind: TagPatternKind = TagPatternKind.Regexp;
  readonly #regexp: RegExp | undefined;
  readonly #admitAll: boolean;

  constructor(
    raw: string,
    expression: string,
    regexp: RegExp | undefined,
    problem?: { unsupported: boolean; reason: string },
  ) {
    super(raw, expression, problem?.reason);
    this.#regexp = regexp;
    this.#admitAll = problem !== undefined && !problem.unsupported;
  }

  protected mismatchTag(tag: string): string | undefined {
    if (this.#regexp) return this.#regexp.test(tag) ? undefined : `"${tag}" does not match ${this}`;
    if (this.#admitAll) return undefined; // Flux v1: an invalid regexp matches anything
    return `${this} cannot be evaluated: ${this.problem}`;
  }
}

const VERSION_CACHE_LIMIT = 10_000;

class SemverPattern extends BasePattern {
  readonly kind: TagPatternKind = TagPatternKind.Semver;
  readonly #constraint: SemverConstraint | undefined;
  readonly #strict: boolean;
  /** Tags already read (sorting reads each many times); per instance, and bounded. */
  readonly #versions = new Map<string, SemVer | null>();

  constructor(raw: string, expression: string, constraint: SemverConstraint | string, strict: boolean) {
    super(raw, expression, typeof constraint === 'string' ? constraint : undefined);
    this.#constraint = typeof constraint === 'string' ? undefined : constraint;
    this.#strict = strict;
  }

  get requiresTimestamp(): boolean {
    return false;
  }

  override toString(): string {
    return `semver:${this.#constraint?.normalised ?? this.expression}`;
  }

  #version(tag: string): SemVer | undefined {
    const known = this.#versions.get(tag);
    if (known !== undefined) return known ?? undefined;
    const version = parseVersion(tag, this.#strict);
    if (this.#versions.size >= VERSION_CACHE_LIMIT) this.#versions.clear();
    this.#versions.set(tag, version ?? null);
    return version;
  }

  protected mismatchTag(tag: string): string | undefined {
    const version = this.#version(tag);
    if (!version) {
      return this.#strict
        ? `"${tag}" is not a MAJOR.MINOR.PATCH version (strict semver)`
        : `"${tag}" is not a semantic version`;
    }
    // Flux v1: an invalid constraint admits every version.
    const why = this.#constraint?.explain(version);
    return why === undefined ? undefined : `"${tag}" does not match ${this}: ${why}`;
  }

  compare(a: TaggedImage, b: TaggedImage): number {
    const va = this.#version(a.ref.tag);
    const vb = this.#version(b.ref.tag);
    if (va && vb) {
      const cmp = vb.compare(va);
      if (cmp !== 0) return cmp;
    } else if (va || vb) {
      return va ? -1 : 1;
    }
    return byString(b.ref.tag, a.ref.tag);
  }

  isNewer(candidate: TaggedImage, current: TaggedImage): boolean {
    const vc = this.#version(candidate.ref.tag);
    if (!vc) return false;
    const vr = this.#version(current.ref.tag);
    return vr === undefined || vc.compare(vr) > 0;
  }
}

/**
 * Parses a tag filter: `glob:<g>` (also without prefix), `semver:<constraint>`, `regexp:<re2>` or
 * `regex:<re2>`. Prefixes are case-sensitive, as in Flux v1 (anything else is a glob).
 *
 * @throws InvalidTagPatternError for an invalid semver constraint or regexp, unless `lenient`.
 */
export function parseTagPattern(raw: string, options: ParseTagPatternOptions = {}): TagPattern {
  const [prefix, kind] = PREFIXES.find(([p]) => raw.startsWith(p)) ?? ['', TagPatternKind.Glob];
  const expression = raw.slice(prefix.length);
  const fail = (reason: string): never => {
    throw new InvalidTagPatternError(raw, reason, { kind });
  };
  if (kind === TagPatternKind.Semver) {
    const constraint = parseSemverConstraint(expression);
    if (typeof constraint === 'string' && !options.lenient) fail(constraint);
    return new SemverPattern(raw, expression, constraint, options.strictSemver ?? false);
  }
  if (kind === TagPatternKind.Regexp) {
    const compiled = compileRe2(expression);
    if (compiled instanceof RegExp) return new RegexpPattern(raw, expression, compiled);
    const unsupported = compiled.kind === 'unsupported';
    const reason = unsupported ? `unsupported: ${compiled.reason}` : compiled.reason;
    if (!options.lenient) fail(reason);
    return new RegexpPattern(raw, expression, undefined, { unsupported, reason });
  }
  return new GlobPattern(raw, expression, undefined);
}

/** The default filter, `glob:*`: every tag but `latest`, newest build first. */
export const ANY_TAG: TagPattern = parseTagPattern('glob:*');
