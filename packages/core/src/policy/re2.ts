// Go RE2 syntax (what Flux v1's `regexp:` tag filters are written in) translated to a JavaScript
// RegExp with the `u` flag. The common syntax is the same; this maps what differs and refuses what
// cannot be expressed, so a filter never silently means something else:
//
//   RE2                      JavaScript
//   (?i) (?s) (?m) at start  flags i, s, m          (?P<name>…)  (?<name>…)
//   \A  \z                   (?<![\s\S])  (?![\s\S])
//   \Q…\E                    the text, escaped      \x{263a}     \u{263a}
//   [[:alpha:]] …            [A-Za-z] …             \pL \p{Greek} \p{L} \p{Script=Greek}
//   \s (no \v in RE2)        [\t\n\f\r ]            \a \123      \x07 \x53
//   \- \_ \# … (escaped punctuation is always literal in RE2) → \xHH
//   a{ } ] (literal when not a repetition / class)   \{ \} \]
//
// RE2 rejects lookarounds, backreferences, \Z and possessive quantifiers, so they are invalid here
// too. RE2 constructs with no JavaScript equivalent in Node 20 (flags in the middle of a pattern,
// the ungreedy flag U, \C, negated POSIX classes) are "unsupported": valid for Flux v1, but refused.
//
// JavaScript's engine backtracks (RE2 does not): a pathological pattern such as `(a+)+$` can be slow
// on long tags. Tags are at most 128 characters, and the patterns come from the repository.

/** Why a pattern cannot be used: RE2 rejects it too (`invalid`), or only we cannot run it (`unsupported`). */
export type Re2Problem = { readonly kind: 'invalid' | 'unsupported'; readonly reason: string };

const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const MAX_REPEAT = 1000; // RE2's limit

class Problem extends Error {
  readonly kind: Re2Problem['kind'];
  constructor(kind: Re2Problem['kind'], reason: string) {
    super(reason);
    this.kind = kind;
  }
}

const invalid = (reason: string): Problem => new Problem('invalid', reason);
const unsupported = (reason: string): Problem => new Problem('unsupported', reason);

const hex = (code: number): string =>
  code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
const isAsciiAlnum = (c: string): boolean => /^[0-9A-Za-z]$/.test(c);
const escapeLiteral = (text: string): string =>
  Array.from(text, (c) => (isAsciiAlnum(c) ? c : hex(c.codePointAt(0) ?? 0))).join('');

/** Parses a run of leading `(?flags)` groups; returns the JS flags and where the pattern proper starts. */
function leadingFlags(source: string): { flags: Set<string>; start: number } {
  const flags = new Set<string>();
  let start = 0;
  for (;;) {
    const m = /^\(\?([A-Za-z]*)(?:-([A-Za-z]*))?\)/.exec(source.slice(start));
    if (!m) return { flags, start };
    if ((m[1] ?? '') === '' && !m[2]) throw invalid(`missing flags in ${m[0]}`);
    if (m[2] === '') throw invalid(`missing flags after "-" in ${m[0]}`);
    for (const [letters, on] of [
      [m[1] ?? '', true],
      [m[2] ?? '', false],
    ] as const) {
      for (const f of letters) {
        if (f === 'U')
          throw unsupported(
            'the ungreedy flag (?U) has no JavaScript equivalent; write lazy quantifiers (*?, +?) instead',
          );
        if (!'ims'.includes(f))
          throw invalid(`unknown flag "${f}" in (?${m[1] ?? ''}${m[2] === undefined ? '' : `-${m[2]}`})`);
        if (on) flags.add(f);
        else flags.delete(f);
      }
    }
    start += m[0].length;
  }
}

interface Scan {
  readonly s: string;
  i: number;
}

/** An escape outside or inside a character class; `s.i` is at the backslash. Returns the JS text. */
function translateEscape(scan: Scan, inClass: boolean): string {
  const { s } = scan;
  const c = s[scan.i + 1];
  if (c === undefined) throw invalid('trailing backslash at end of pattern');
  scan.i += 2;
  if (c >= '0' && c <= '7') {
    // RE2 reads \0, \0NN and \[1-7]NN as octal; a lone \1..\7 would be a backreference.
    const m = /^[0-7]{0,2}/.exec(s.slice(scan.i))?.[0] ?? '';
    if (c !== '0' && m === '') throw invalid(`backreferences (\\${c}) are not supported by Go's RE2 syntax`);
    scan.i += m.length;
    return hex(Number.parseInt(c + m, 8));
  }
  if (c === '8' || c === '9') throw invalid(`backreferences (\\${c}) are not supported by Go's RE2 syntax`);
  switch (c) {
    case 'd':
    case 'D':
    case 'w':
    case 'W':
      return `\\${c}`;
    case 's':
      return inClass ? '\\t\\n\\f\\r ' : '[\\t\\n\\f\\r ]';
    case 'S':
      return inClass ? '\\S' : '[^\\t\\n\\f\\r ]';
    case 'b':
    case 'B':
      if (inClass) throw invalid(`\\${c} is not allowed in a character class`);
      return `\\${c}`;
    case 'A':
      if (inClass) throw invalid('\\A is not allowed in a character class');
      return '(?<![\\s\\S])';
    case 'z':
      if (inClass) throw invalid('\\z is not allowed in a character class');
      return '(?![\\s\\S])';
    case 'Z':
      throw invalid("\\Z is not supported by Go's RE2 syntax; use \\z or $");
    case 'C':
      throw unsupported('\\C (any byte) has no JavaScript equivalent');
    case 'a':
      return '\\x07';
    case 'f':
    case 'n':
    case 'r':
    case 't':
    case 'v':
      return `\\${c}`;
    case 'x': {
      const braced = /^\{([0-9A-Fa-f]{1,8})\}/.exec(s.slice(scan.i));
      if (braced) {
        scan.i += braced[0].length;
        const code = Number.parseInt(braced[1] ?? '', 16);
        if (code > 0x10ffff) throw invalid(`\\x{${braced[1]}} is beyond the last Unicode code point`);
        return hex(code);
      }
      const two = /^[0-9A-Fa-f]{2}/.exec(s.slice(scan.i));
      if (!two) throw invalid('\\x must be followed by two hex digits or {hex}');
      scan.i += 2;
      return `\\x${two[0]}`;
    }
    case 'p':
    case 'P': {
      const m = /^(?:\{(\^?)([A-Za-z_]+)\}|([A-Za-z]))/.exec(s.slice(scan.i));
      if (!m) throw invalid(`\\${c} must be followed by a class name, e.g. \\pL or \\p{Greek}`);
      scan.i += m[0].length;
      const negated = (m[1] === '^') !== (c === 'P');
      const name = m[2] ?? m[3] ?? '';
      // One- and two-letter names are general categories; longer ones (except Any) are scripts.
      const js = name.length <= 2 || name === 'Any' ? name : `Script=${name}`;
      return `\\${negated ? 'P' : 'p'}{${js}}`;
    }
    case 'Q': {
      const end = s.indexOf('\\E', scan.i);
      const text = s.slice(scan.i, end < 0 ? s.length : end);
      scan.i = end < 0 ? s.length : end + 2;
      return escapeLiteral(text);
    }
  }
  if (c.charCodeAt(0) < 0x80 && !isAsciiAlnum(c)) return hex(c.charCodeAt(0)); // \- \. \# … are literal
  throw invalid(`unknown escape sequence \\${c}`);
}

/** A character class; `s.i` is at the `[`. Returns the JS class. */
function charClass(scan: Scan): string {
  const { s } = scan;
  let out = '[';
  scan.i++;
  if (s[scan.i] === '^') {
    out += '^';
    scan.i++;
  }
  let first = true;
  let afterSet = false; // the previous item was a set (\d, [:alpha:]), so a following '-' is literal
  for (;;) {
    const c = s[scan.i];
    if (c === undefined) throw invalid('missing closing ] of a character class');
    if (c === ']' && !first) {
      scan.i++;
      return `${out}]`;
    }
    first = false;
    if (c === '[' && s[scan.i + 1] === ':') {
      const m = /^\[:(\^?)([a-z]+):\]/.exec(s.slice(scan.i));
      if (m) {
        const ranges = POSIX_CLASSES[m[2] ?? ''];
        if (ranges === undefined) throw invalid(`unknown POSIX class [:${m[1]}${m[2]}:]`);
        if (m[1] === '^')
          throw unsupported(`the negated POSIX class [:^${m[2]}:] cannot be translated; write [^${ranges}]`);
        out += ranges;
        scan.i += m[0].length;
        afterSet = true;
        continue;
      }
    }
    if (c === '-' && afterSet && s[scan.i + 1] !== ']') {
      out += '\\-';
      scan.i++;
      afterSet = false;
      continue;
    }
    if (c === '\\') {
      const next = s[scan.i + 1] ?? '';
      out += translateEscape(scan, true);
      afterSet = 'dDwWsSpP'.includes(next);
      continue;
    }
    out += c === '[' || c === ']' ? `\\${c}` : c;
    afterSet = false;
    scan.i++;
  }
}

function translateBody(s: string): string {
  const scan: Scan = { s, i: 0 };
  let out = '';
  while (scan.i < s.length) {
    const c = s[scan.i] ?? '';
    const rest = s.slice(scan.i);
    if (c === '\\') {
      out += translateEscape(scan, false);
    } else if (c === '[') {
      out += charClass(scan);
    } else if (c === '(' && rest.startsWith('(?')) {
      const named = /^\(\?P?<([A-Za-z0-9_]+)>/.exec(rest);
      if (named) {
        out += `(?<${named[1]}>`;
        scan.i += named[0].length;
      } else if (rest.startsWith('(?:')) {
        out += '(?:';
        scan.i += 3;
      } else if (/^\(\?(?:=|!|<=|<!)/.test(rest)) {
        throw invalid(
          "lookaround assertions ((?=…), (?!…), (?<=…), (?<!…)) are not supported by Go's RE2 syntax",
        );
      } else if (/^\(\?[A-Za-z-]*[:)]/.test(rest)) {
        throw unsupported(
          'inline flags are supported only at the very start of the pattern, e.g. (?i)^v[0-9]+',
        );
      } else {
        throw invalid(`unknown group syntax "${rest.slice(0, 4)}"`);
      }
    } else if (c === '{') {
      const m = /^\{([0-9]+)(,([0-9]*))?\}/.exec(rest);
      if (m) {
        if (Number(m[1]) > MAX_REPEAT || Number(m[3] || 0) > MAX_REPEAT) {
          throw invalid(`repetition count in ${m[0]} is above RE2's limit of ${MAX_REPEAT}`);
        }
        out += m[0];
        scan.i += m[0].length;
      } else {
        out += '\\{';
        scan.i++;
      }
    } else if (c === '}' || c === ']') {
      out += `\\${c}`;
      scan.i++;
    } else {
      out += c;
      scan.i++;
    }
  }
  return out;
}

/**
 * Translates a Go RE2 regular expression into an equivalent JavaScript RegExp (unanchored, like Go's
 * `MatchString`), or says why it cannot.
 */
export function compileRe2(source: string): RegExp | Re2Problem {
  try {
    const { flags, start } = leadingFlags(source);
    const body = translateBody(source.slice(start));
    try {
      return new RegExp(body, `${[...flags].sort().join('')}u`);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return { kind: 'invalid', reason: message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '') };
    }
  } catch (err) {
    if (err instanceof Problem) return { kind: err.kind, reason: err.message };
    throw err;
  }
}
