import { describe, expect, it } from 'vitest';
import { ErrorKind } from '../errors.ts';
import {
  ANY_TAG,
  hasCreationTime,
  InvalidTagPatternError,
  parseTagPattern,
  type TaggedImage,
} from './tag-pattern.ts';

const image = (tag: string, created?: string): TaggedImage => ({
  ref: { tag },
  createdAt: created === undefined ? undefined : new Date(created),
});

describe('parseTagPattern', () => {
  it.each`
    raw                        | kind        | expression          | normalised                  | requiresTimestamp
    ${'*'}                     | ${'glob'}   | ${'*'}              | ${'glob:*'}                 | ${true}
    ${'glob:*'}                | ${'glob'}   | ${'*'}              | ${'glob:*'}                 | ${true}
    ${'master-*'}              | ${'glob'}   | ${'master-*'}       | ${'glob:master-*'}          | ${true}
    ${''}                      | ${'glob'}   | ${''}               | ${'glob:'}                  | ${true}
    ${'Semver:~1'}             | ${'glob'}   | ${'Semver:~1'}      | ${'glob:Semver:~1'}         | ${true}
    ${'semver:~1.2'}           | ${'semver'} | ${'~1.2'}           | ${'semver:~1.2'}            | ${false}
    ${'semver:>=1.0<2.0'}      | ${'semver'} | ${'>=1.0<2.0'}      | ${'semver:>=1.0 <2.0'}      | ${false}
    ${'semver:>=1.2.3-0,<1.3'} | ${'semver'} | ${'>=1.2.3-0,<1.3'} | ${'semver:>=1.2.3-0, <1.3'} | ${false}
    ${'semver:~1.3 ||   ^2'}   | ${'semver'} | ${'~1.3 ||   ^2'}   | ${'semver:~1.3 || ^2'}      | ${false}
    ${'regexp:^v\\d+$'}        | ${'regexp'} | ${'^v\\d+$'}        | ${'regexp:^v\\d+$'}         | ${true}
    ${'regex:^v\\d+$'}         | ${'regexp'} | ${'^v\\d+$'}        | ${'regexp:^v\\d+$'}         | ${true}
  `(
    'reads "$raw" as $kind "$expression", written "$normalised"',
    ({ raw, kind, expression, normalised, requiresTimestamp }) => {
      const pattern = parseTagPattern(raw);

      expect({
        kind: pattern.kind,
        raw: pattern.raw,
        source: pattern.source,
        expression: pattern.expression,
        normalised: pattern.toString(),
        requiresTimestamp: pattern.requiresTimestamp,
        problem: pattern.problem,
      }).toEqual({ kind, raw, source: raw, expression, normalised, requiresTimestamp, problem: undefined });
    },
  );
});

describe('TagPattern.matches', () => {
  it.each`
    pattern                     | tag                | expected
    ${'*'}                      | ${''}              | ${true}
    ${'*'}                      | ${'foo'}           | ${true}
    ${'glob:*'}                 | ${'1'}             | ${true}
    ${'master-*'}               | ${'master-'}       | ${true}
    ${'master-*'}               | ${'master-foo'}    | ${true}
    ${'master-*'}               | ${''}              | ${false}
    ${'master-*'}               | ${'foo-master'}    | ${false}
    ${'glob:*-rc'}              | ${'1.0-rc'}        | ${true}
    ${'glob:*-rc'}              | ${'1.0-rc.1'}      | ${false}
    ${'glob:a*b*c'}             | ${'abc'}           | ${true}
    ${'glob:a*b*c'}             | ${'a-b-b-c'}       | ${true}
    ${'glob:a*a'}               | ${'a'}             | ${false}
    ${'glob:3.5.*'}             | ${'3.5.1'}         | ${true}
    ${'glob:3.5.*'}             | ${'3.50'}          | ${false}
    ${'glob:v?'}                | ${'v1'}            | ${false}
    ${'glob:v?'}                | ${'v?'}            | ${true}
    ${'glob:[ab]'}              | ${'a'}             | ${false}
    ${'glob:'}                  | ${'x'}             | ${false}
    ${'semver:*'}               | ${'1'}             | ${true}
    ${'semver:*'}               | ${'1.0'}           | ${true}
    ${'semver:*'}               | ${'v1.0.3'}        | ${true}
    ${'semver:*'}               | ${''}              | ${false}
    ${'semver:*'}               | ${'2.0.1-alpha.1'} | ${false}
    ${'semver:~1'}              | ${'v1'}            | ${true}
    ${'semver:~1'}              | ${'1.2.3'}         | ${true}
    ${'semver:~1'}              | ${'2.0.0'}         | ${false}
    ${'semver:2.0.1-alpha.1'}   | ${'2.0.1-alpha.1'} | ${true}
    ${'semver:2.0.1-alpha.1'}   | ${'2.0.1'}         | ${false}
    ${'semver:>=1.0 <2.0'}      | ${'1.9.9'}         | ${true}
    ${'semver:>=1.2.3-0, <1.3'} | ${'1.2.4'}         | ${true}
    ${'semver:>=1.2.3-0, <1.3'} | ${'1.2.4-rc.1'}    | ${false}
    ${'semver:~1.3 || ^2'}      | ${'2.5.0'}         | ${true}
    ${'semver:~1.3 || ^2'}      | ${'1.4.0'}         | ${false}
    ${'semver:1.x'}             | ${'master-1a2b3c'} | ${false}
    ${'regexp:(.*?)'}           | ${''}              | ${true}
    ${'regexp:^([a-zA-Z]+)$'}   | ${'fooBAR'}        | ${true}
    ${'regexp:^([a-zA-Z]+)$'}   | ${'foo-1'}         | ${false}
    ${'regex:^\\w{7}(?:\\w)?$'} | ${'946427ff'}      | ${true}
    ${'regex:^\\w{7}(?:\\w)?$'} | ${'946427ff-foo'}  | ${false}
    ${'regexp:rc'}              | ${'1.2.3-rc.1'}    | ${true}
    ${'regexp:(?i)^main-'}      | ${'MAIN-42'}       | ${true}
  `('$pattern admits "$tag": $expected', ({ pattern, tag, expected }) => {
    const result = parseTagPattern(pattern).matches(tag);

    expect(result).toBe(expected);
  });

  it.each`
    pattern            | tag          | expected
    ${'glob:latest'}   | ${'latest'}  | ${true}
    ${'latest'}        | ${'latest'}  | ${true}
    ${'glob:latest'}   | ${'Latest'}  | ${false}
    ${'glob:*'}        | ${'latest'}  | ${false}
    ${'glob:*'}        | ${'LATEST'}  | ${false}
    ${'glob:lat*'}     | ${'latest'}  | ${false}
    ${'regexp:latest'} | ${'latest'}  | ${false}
    ${'regexp:.*'}     | ${'Latest'}  | ${false}
    ${'regexp:(oops'}  | ${'latest'}  | ${false}
    ${'semver:*'}      | ${'latest'}  | ${false}
    ${'glob:*'}        | ${'latest2'} | ${true}
  `('admits the special tag "$tag" under $pattern: $expected', ({ pattern, tag, expected }) => {
    const result = parseTagPattern(pattern, { lenient: true }).matches(tag);

    expect(result).toBe(expected);
  });

  it.each`
    pattern         | tag             | lenient | strict
    ${'semver:*'}   | ${'1.2.3'}      | ${true} | ${true}
    ${'semver:*'}   | ${'v1.2.3'}     | ${true} | ${false}
    ${'semver:*'}   | ${'1.2'}        | ${true} | ${false}
    ${'semver:*'}   | ${'1'}          | ${true} | ${false}
    ${'semver:*'}   | ${'01.2.3'}     | ${true} | ${false}
    ${'semver:*-0'} | ${'1.2.3-rc.1'} | ${true} | ${true}
    ${'semver:^1'}  | ${'1.2.3+b.7'}  | ${true} | ${true}
  `(
    'with strictSemver, $pattern admits "$tag": $strict (lenient: $lenient)',
    ({ pattern, tag, lenient, strict }) => {
      const asLenient = parseTagPattern(pattern).matches(tag);
      const asStrict = parseTagPattern(pattern, { strictSemver: true }).matches(tag);

      expect({ asLenient, asStrict }).toEqual({ asLenient: lenient, asStrict: strict });
    },
  );
});

describe('invalid patterns', () => {
  it.each`
    pattern              | tag           | expected | problem
    ${'semver:>=banana'} | ${'1.2.3'}    | ${true}  | ${'"banana" is not a version constraint'}
    ${'semver:>=banana'} | ${'v2'}       | ${true}  | ${'"banana" is not a version constraint'}
    ${'semver:>=banana'} | ${'master'}   | ${false} | ${'"banana" is not a version constraint'}
    ${'semver:'}         | ${'1.0.0'}    | ${true}  | ${'empty constraint (nothing before, between or after "||")'}
    ${'regexp:(oops'}    | ${'anything'} | ${true}  | ${'Unterminated group'}
    ${'regexp:x(?=y)'}   | ${'anything'} | ${true}  | ${"lookaround assertions ((?=…), (?!…), (?<=…), (?<!…)) are not supported by Go's RE2 syntax"}
    ${'regexp:a(?i)b'}   | ${'ab'}       | ${false} | ${'unsupported: inline flags are supported only at the very start of the pattern, e.g. (?i)^v[0-9]+'}
  `('read leniently, $pattern admits "$tag": $expected', ({ pattern, tag, expected, problem }) => {
    const parsed = parseTagPattern(pattern, { lenient: true });

    expect({ matches: parsed.matches(tag), problem: parsed.problem }).toEqual({ matches: expected, problem });
  });

  it.each`
    pattern              | message                                                                                              | help
    ${'semver:>=banana'} | ${'invalid tag pattern: "semver:>=banana": "banana" is not a version constraint'}                    | ${/Masterminds\/semver v3 syntax/}
    ${'semver:~1.2 ||'}  | ${'invalid tag pattern: "semver:~1.2 ||": empty constraint (nothing before, between or after "||")'} | ${/semver:~1.2 \|\| \^2/}
    ${'regexp:(oops'}    | ${'invalid tag pattern: "regexp:(oops": Unterminated group'}                                         | ${/Go RE2 regular expression/}
    ${'regex:(a)\\1'}    | ${'invalid tag pattern: "regex:(a)\\1": backreferences (\\1) are not supported by Go\'s RE2 syntax'} | ${/Lookarounds and backreferences/}
    ${'regexp:a\\C'}     | ${'invalid tag pattern: "regexp:a\\C": unsupported: \\C (any byte) has no JavaScript equivalent'}    | ${/only at the start/}
  `('refuses $pattern when validating', ({ pattern, message, help }) => {
    let error: unknown;

    try {
      parseTagPattern(pattern);
    } catch (err) {
      error = err;
    }

    expect(error).toBeInstanceOf(InvalidTagPatternError);
    const e = error as InvalidTagPatternError;
    expect({ message: e.message, code: e.code, kind: e.kind, pattern: e.pattern }).toEqual({
      message,
      code: 'tag-pattern.invalid',
      kind: ErrorKind.User,
      pattern,
    });
    expect(e.help).toMatch(help);
  });

  it('locates an error with at()', () => {
    const error = new InvalidTagPatternError('semver:>=banana', '"banana" is not a version constraint', {
      kind: 'semver',
    });

    const located = error.at('annotation fluxcd.io/tag.app');

    expect({ message: located.message, where: located.where, reason: located.reason }).toEqual({
      message:
        'annotation fluxcd.io/tag.app: invalid tag pattern: "semver:>=banana": "banana" is not a version constraint',
      where: 'annotation fluxcd.io/tag.app',
      reason: '"banana" is not a version constraint',
    });
  });

  it('never throws for globs, and the normalised form of an invalid pattern is as written', () => {
    const lenient = parseTagPattern('semver:>=banana', { lenient: true });

    expect([parseTagPattern('glob:[').toString(), lenient.toString()]).toEqual(['glob:[', 'semver:>=banana']);
  });
});

describe('TagPattern.mismatch', () => {
  it.each`
    pattern          | tag             | reason
    ${'glob:3.*'}    | ${'3.1'}        | ${undefined}
    ${'glob:3.*'}    | ${'4.1'}        | ${'"4.1" does not match glob:3.*'}
    ${'*'}           | ${'latest'}     | ${'"latest" is matched only by the filter glob:latest'}
    ${'regex:^v'}    | ${'1.0'}        | ${'"1.0" does not match regexp:^v'}
    ${'semver:~1.2'} | ${'main'}       | ${'"main" is not a semantic version'}
    ${'semver:~1.2'} | ${'1.3.0'}      | ${'"1.3.0" does not match semver:~1.2: it does not satisfy ~1.2'}
    ${'semver:~1.2'} | ${'1.2.5-rc.1'} | ${'"1.2.5-rc.1" does not match semver:~1.2: it is a pre-release, and the constraint has no pre-release part (write e.g. >=1.2.3-0 to admit them)'}
  `('says why $pattern does not admit "$tag"', ({ pattern, tag, reason }) => {
    const result = parseTagPattern(pattern).mismatch(tag);

    expect(result).toBe(reason);
  });

  it('says so when a tag is not strict semver, and when a regexp cannot run', () => {
    const strict = parseTagPattern('semver:*', { strictSemver: true }).mismatch('v1.2.3');
    const unsupported = parseTagPattern('regexp:[[:^alpha:]]', { lenient: true }).mismatch('1');

    expect([strict, unsupported]).toEqual([
      '"v1.2.3" is not a MAJOR.MINOR.PATCH version (strict semver)',
      'regexp:[[:^alpha:]] cannot be evaluated: unsupported: the negated POSIX class [:^alpha:] cannot be translated; write [^A-Za-z]',
    ]);
  });
});

describe('ordering', () => {
  it('sorts semver tags by version, newest first, non-versions last', () => {
    const pattern = parseTagPattern('semver:*');
    const images = [
      '1.2.3',
      'master',
      '1.10.0',
      'v1.10.0',
      '1.10',
      '2.0.0-rc.1',
      '1.9.9',
      'dev',
      '2.0.0',
    ].map((t) => image(t));

    const sorted = [...images].sort((a, b) => pattern.compare(a, b)).map((i) => i.ref.tag);

    expect(sorted).toEqual([
      '2.0.0',
      '2.0.0-rc.1',
      'v1.10.0',
      '1.10.0',
      '1.10',
      '1.9.9',
      '1.2.3',
      'master',
      'dev',
    ]);
  });

  it('sorts time-ordered tags by creation, newest first, ties by tag, unknown times last', () => {
    const pattern = parseTagPattern('glob:*');
    const images = [
      image('b', '2024-01-01T00:00:00Z'),
      image('unknown-2'),
      image('c', '2024-03-01T00:00:00Z'),
      image('a', '2024-01-01T00:00:00Z'),
      image('epoch', '1970-01-01T00:00:00Z'),
      image('unknown-1'),
    ];

    const sorted = [...images].sort((a, b) => pattern.compare(a, b)).map((i) => i.ref.tag);

    expect(sorted).toEqual(['c', 'a', 'b', 'epoch', 'unknown-1', 'unknown-2']);
  });

  it('orders a regexp by time, even when its tags are versions', () => {
    const pattern = parseTagPattern('regexp:^\\d');

    const result = pattern.compare(
      image('2.0.0', '2024-01-01T00:00:00Z'),
      image('1.0.0', '2024-02-01T00:00:00Z'),
    );

    expect(result).toBeGreaterThan(0);
  });

  it.each`
    pattern       | candidate                            | current                              | expected
    ${'semver:*'} | ${['1.2.4']}                         | ${['1.2.3']}                         | ${true}
    ${'semver:*'} | ${['1.2.3']}                         | ${['1.2.4']}                         | ${false}
    ${'semver:*'} | ${['1.2.3']}                         | ${['1.2.3']}                         | ${false}
    ${'semver:*'} | ${['1.10.0']}                        | ${['1.10']}                          | ${false}
    ${'semver:*'} | ${['1.2.3']}                         | ${['1.2.3-rc.1']}                    | ${true}
    ${'semver:*'} | ${['1.0.0']}                         | ${['latest']}                        | ${true}
    ${'semver:*'} | ${['master']}                        | ${['1.0.0']}                         | ${false}
    ${'semver:*'} | ${['1.0.1', '2020-01-01T00:00:00Z']} | ${['1.0.0', '2024-01-01T00:00:00Z']} | ${true}
    ${'glob:*'}   | ${['a', '2024-02-01T00:00:00Z']}     | ${['b', '2024-01-01T00:00:00Z']}     | ${true}
    ${'glob:*'}   | ${['a', '2024-01-01T00:00:00Z']}     | ${['b', '2024-02-01T00:00:00Z']}     | ${false}
    ${'glob:*'}   | ${['a', '2024-01-01T00:00:00Z']}     | ${['b', '2024-01-01T00:00:00Z']}     | ${false}
    ${'glob:*'}   | ${['a', '2024-01-01T00:00:00Z']}     | ${['b']}                             | ${false}
    ${'glob:*'}   | ${['a']}                             | ${['b', '2024-01-01T00:00:00Z']}     | ${false}
    ${'regexp:.'} | ${['2.0', '2024-02-01T00:00:00Z']}   | ${['1.0', '2024-01-01T00:00:00Z']}   | ${true}
  `(
    'under $pattern, $candidate is newer than $current: $expected',
    ({ pattern, candidate, current, expected }) => {
      const parsed = parseTagPattern(pattern);

      const result = parsed.isNewer(image(candidate[0], candidate[1]), image(current[0], current[1]));

      expect(result).toBe(expected);
    },
  );

  it('knows which images have a creation time', () => {
    const result = [
      image('a', '2024-01-01T00:00:00Z'),
      image('b'),
      image('c', '1970-01-01T00:00:00Z'),
      image('d', 'nope'),
    ].map(hasCreationTime);

    expect(result).toEqual([true, false, false, false]);
  });
});

describe('ANY_TAG', () => {
  it('is glob:*', () => {
    const result = { text: ANY_TAG.toString(), v1: ANY_TAG.matches('v1'), latest: ANY_TAG.matches('latest') };

    expect(result).toEqual({ text: 'glob:*', v1: true, latest: false });
  });
});
