import { SemVer } from 'semver';

// Masterminds/semver v3 (the library Flux v1 used for `semver:` tag filters), ported onto node-semver's
// SemVer class. node-semver's own ranges differ (comma is not AND, `~1.2.3-beta` admits other patch
// pre-releases only in Masterminds, `^0.0`, `<=1.2` and `>1` mean different things, `v1.2` and `1` do
// not parse), so constraints are parsed and checked here, operator by operator, the way Masterminds'
// constraints.go does; node-semver only represents and orders the versions.

const LENIENT_VERSION =
  /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;
const STRICT_VERSION =
  /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

/** A numeric pre-release identifier with a leading zero (`01`): invalid in SemVer and in Masterminds. */
const leadingZeroIdentifier = (id: string): boolean => /^0[0-9]+$/.test(id);

function toSemVer(
  major: string,
  minor: string,
  patch: string,
  pre: string,
  build: string,
): SemVer | undefined {
  const numbers = [major, minor, patch].map(Number);
  if (numbers.some((n) => !Number.isSafeInteger(n))) return undefined;
  if (pre !== '' && pre.split('.').some(leadingZeroIdentifier)) return undefined;
  try {
    return new SemVer(`${numbers.join('.')}${pre ? `-${pre}` : ''}${build ? `+${build}` : ''}`);
  } catch {
    return undefined;
  }
}

/**
 * Reads a tag as a version. Lenient (Masterminds' `NewVersion`, what Flux v1 used): an optional `v`,
 * one to three numbers (`1`, `v1.2`, `1.2.3`; missing parts are 0), then `-pre` and `+build`. Strict:
 * exactly `MAJOR.MINOR.PATCH[-pre][+build]` (SemVer 2.0.0: no `v`, no leading zeros). Returns
 * undefined when the tag is not a version.
 */
export function parseVersion(tag: string, strict = false): SemVer | undefined {
  const m = (strict ? STRICT_VERSION : LENIENT_VERSION).exec(tag);
  if (!m) return undefined;
  const part = (s: string | undefined): string => (s ?? '0').replace(/^\./, '');
  return toSemVer(part(m[1]), part(m[2]), part(m[3]), m[4] ?? '', m[5] ?? '');
}

type Operator = '' | '=' | '!=' | '>' | '<' | '>=' | '=>' | '<=' | '=<' | '~' | '~>' | '^';

interface Constraint {
  readonly op: Operator;
  /** As written (operator and version), for explanations. */
  readonly text: string;
  /** The version compared against, with wildcard parts set to 0. */
  readonly con: SemVer;
  /** Some part is a wildcard or missing (`*`, `1`, `1.x`, `1.2`). */
  readonly dirty: boolean;
  /** The minor part is a wildcard or missing (`1`, `1.x`). */
  readonly minorDirty: boolean;
  /** The patch part is a wildcard or missing (`1.2`, `1.2.x`). */
  readonly patchDirty: boolean;
}

const WS = '[\\t\\n\\f\\r ]'; // Go's \s
const NUM = '[0-9|xX*]+'; // Masterminds' (sloppy) class: digits, x, X, * — and a literal '|'
const PRE = '[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*';
const CV = `v?(${NUM})(\\.${NUM})?(\\.${NUM})?(-${PRE})?(\\+${PRE})?`;
const CV_PLAIN = `v?${NUM}(?:\\.${NUM})?(?:\\.${NUM})?(?:-${PRE})?(?:\\+${PRE})?`;

const opAt = /(!=|>=|=>|<=|=<|~>|[=><~^])?/y;
const versionAt = new RegExp(CV, 'y');
const wholeVersion = new RegExp(`^${CV}$`);
const spacesAt = new RegExp(`${WS}*`, 'y');
const rangeAt = new RegExp(`(${CV_PLAIN})${WS}+-${WS}+(${CV_PLAIN})`, 'y');

const isWildcard = (s: string): boolean => s === 'x' || s === 'X' || s === '*';

function makeConstraint(op: Operator, m: RegExpExecArray): Constraint | string {
  const [text, major = '', minor, patch, pre = ''] = m;
  let version = text;
  let dirty = false;
  let minorDirty = false;
  let patchDirty = false;
  if (isWildcard(major)) {
    version = `0.0.0${pre}`;
    dirty = true;
  } else if (minor === undefined || isWildcard(minor.slice(1))) {
    version = `${major}.0.0${pre}`;
    dirty = minorDirty = true;
  } else if (patch === undefined || isWildcard(patch.slice(1))) {
    version = `${major}${minor}.0${pre}`;
    dirty = patchDirty = true;
  }
  const con = parseVersion(version);
  if (!con) return `"${text}" is not a version`;
  return { op, text: `${op}${text}`, con, dirty, minorDirty, patchDirty };
}

/** `a - b`, Masterminds' hyphen range, is `>= a, <= b`. */
function makeRange(low: string, high: string): Constraint[] | string {
  const out: Constraint[] = [];
  for (const [op, text] of [
    ['>=', low],
    ['<=', high],
  ] as const) {
    const m = wholeVersion.exec(text);
    const c = m ? makeConstraint(op, m) : `"${text}" is not a version`;
    if (typeof c === 'string') return c;
    out.push(c);
  }
  return out;
}

interface Alternative {
  readonly constraints: readonly Constraint[];
  /** Normalised text: constraints as written without inner spaces, separated by " " or ", ". */
  readonly text: string;
}

/** Parses one `||` alternative: constraints separated by spaces and/or a comma (all must hold). */
function parseAlternative(part: string): Alternative | string {
  const constraints: Constraint[] = [];
  let text = '';
  let i = 0;
  const skipSpaces = (): void => {
    spacesAt.lastIndex = i;
    spacesAt.exec(part);
    i = spacesAt.lastIndex;
  };
  skipSpaces();
  if (i === part.length) return 'empty constraint (nothing before, between or after "||")';
  let separator = '';
  while (i < part.length) {
    rangeAt.lastIndex = i;
    const range = rangeAt.exec(part);
    if (range) {
      i = rangeAt.lastIndex;
      const cs = makeRange(range[1] ?? '', range[2] ?? '');
      if (typeof cs === 'string') return cs;
      constraints.push(...cs);
      text += `${separator}${range[1]} - ${range[2]}`;
    } else {
      opAt.lastIndex = i;
      const op = (opAt.exec(part)?.[1] ?? '') as Operator;
      i = opAt.lastIndex;
      skipSpaces();
      versionAt.lastIndex = i;
      const m = versionAt.exec(part);
      if (!m) return `"${part.slice(i).trim() || part.trim()}" is not a version constraint`;
      i = versionAt.lastIndex;
      const c = makeConstraint(op, m);
      if (typeof c === 'string') return c;
      constraints.push(c);
      text += `${separator}${c.text}`;
    }
    skipSpaces();
    separator = ' ';
    if (part[i] === ',') {
      separator = ', ';
      i++;
      skipSpaces();
    }
  }
  return { constraints, text };
}

const hasPre = (v: SemVer): boolean => v.prerelease.length > 0;
const preString = (v: SemVer): string => v.prerelease.join('.');

function tilde(v: SemVer, c: Constraint): boolean {
  if (v.compare(c.con) < 0) return false;
  // ~0.0.0 and ~* admit everything.
  if (c.con.major === 0 && c.con.minor === 0 && c.con.patch === 0 && !c.minorDirty && !c.patchDirty)
    return true;
  if (v.major !== c.con.major) return false;
  return v.minor === c.con.minor || c.minorDirty;
}

function notEqual(v: SemVer, c: Constraint): boolean {
  if (c.dirty) {
    if (hasPre(v) && !hasPre(c.con)) return false;
    if (c.con.major !== v.major) return true;
    if (c.con.minor !== v.minor && !c.minorDirty) return true;
    if (c.minorDirty) return false;
    if (c.con.patch !== v.patch && !c.patchDirty) return true;
    if (c.patchDirty) return (hasPre(v) || hasPre(c.con)) && preString(v) !== preString(c.con);
  }
  return v.compare(c.con) !== 0;
}

function caret(v: SemVer, c: Constraint): boolean {
  if (v.compare(c.con) < 0) return false;
  // `^*` admits everything, as Masterminds documents (its code admits only 0.0.x).
  if (c.dirty && !c.minorDirty && !c.patchDirty) return true;
  if (c.con.major > 0 || c.minorDirty) return v.major === c.con.major;
  if (v.major > 0) return false;
  if (c.con.minor > 0 || c.patchDirty) return v.minor === c.con.minor;
  // ^0.0.z is =0.0.z (fixed in Masterminds 3.2.0; Flux v1's 3.1.1 also admitted 0.y.z).
  if (v.minor > 0) return false;
  return v.patch === c.con.patch;
}

function check(v: SemVer, c: Constraint): boolean {
  // Pre-release versions pass only constraints that have a pre-release part themselves, except
  // exact inequality (`!=1.2.3`), which Masterminds never gates.
  if (hasPre(v) && !hasPre(c.con) && !(c.op === '!=' && !c.dirty)) return false;
  const cmp = v.compare(c.con);
  switch (c.op) {
    case '':
    case '=':
      return c.dirty ? tilde(v, c) : cmp === 0;
    case '!=':
      return notEqual(v, c);
    case '>':
      if (!c.dirty) return cmp > 0;
      if (v.major !== c.con.major) return v.major > c.con.major;
      if (c.minorDirty) return false; // >1 needs 2.0.0 or more
      if (c.patchDirty) return v.minor > c.con.minor; // >1.2 needs 1.3.0 or more
      return cmp > 0;
    case '<':
      return cmp < 0;
    case '>=':
    case '=>':
      return cmp >= 0;
    case '<=':
    case '=<':
      if (!c.dirty) return cmp <= 0;
      if (v.major > c.con.major) return false;
      return !(v.major === c.con.major && v.minor > c.con.minor && !c.minorDirty);
    case '~':
    case '~>':
      return tilde(v, c);
    case '^':
      return caret(v, c);
  }
}

/** A parsed Masterminds/semver v3 constraint: `||` alternatives of constraints that must all hold. */
export interface SemverConstraint {
  /** The constraint as written. */
  readonly source: string;
  /**
   * The constraint normalised: no spaces inside a constraint, one space (or ", " where a comma was)
   * between constraints, " || " between alternatives — `>=1.0<2.0` is `>=1.0 <2.0`, a form every
   * Masterminds version (and Flux v2) accepts.
   */
  readonly normalised: string;
  /** True when some constraint has a pre-release part (so pre-release versions can match at all). */
  readonly admitsPrereleases: boolean;
  /** True when `version` satisfies the constraint. */
  check(version: SemVer): boolean;
  /** Why `version` does not satisfy the constraint, or undefined when it does. */
  explain(version: SemVer): string | undefined;
}

/**
 * Parses a Masterminds/semver v3 constraint (`~1.2`, `^2`, `>=1.2.3-0, <1.3`, `1.x || 2.x`,
 * `1.2 - 1.4.5`, `!=1.2.3`, `*`). Returns the reason as a string when it is not a valid constraint.
 * The accepted syntax is Masterminds 3.1.1's (the version Flux v1 shipped): constraints in one
 * alternative are separated by whitespace and/or a comma, or not at all (`>=1.0<2.0`).
 */
export function parseSemverConstraint(source: string): SemverConstraint | string {
  const alternatives: Alternative[] = [];
  for (const part of source.split('||')) {
    const alternative = parseAlternative(part);
    if (typeof alternative === 'string') return alternative;
    alternatives.push(alternative);
  }
  const admitsPrereleases = alternatives.some((a) => a.constraints.some((c) => hasPre(c.con)));
  const satisfied = (v: SemVer): boolean => alternatives.some((a) => a.constraints.every((c) => check(v, c)));
  return {
    source,
    normalised: alternatives.map((a) => a.text).join(' || '),
    admitsPrereleases,
    check: satisfied,
    explain(v: SemVer): string | undefined {
      if (satisfied(v)) return undefined;
      if (hasPre(v) && !admitsPrereleases) {
        return 'it is a pre-release, and the constraint has no pre-release part (write e.g. >=1.2.3-0 to admit them)';
      }
      const failed = alternatives.map((a) => a.constraints.find((c) => !check(v, c))?.text ?? '');
      return `it does not satisfy ${failed.join(', nor ')}`;
    },
  };
}
