import { describe, expect, it } from 'vitest';
import { compileRe2 } from './re2.ts';

function matches(pattern: string, tag: string): boolean {
  const re = compileRe2(pattern);
  if (!(re instanceof RegExp)) throw new Error(`test pattern ${pattern} does not compile: ${re.reason}`);
  return re.test(tag);
}

describe('compileRe2', () => {
  it.each`
    pattern                          | tag               | expected
    ${''}                            | ${'anything'}     | ${true}
    ${'(.*?)'}                       | ${''}             | ${true}
    ${'^([a-zA-Z]+)$'}               | ${'fooBAR'}       | ${true}
    ${'^([a-zA-Z]+)$'}               | ${'foo-1'}        | ${false}
    ${'^\\w{7}(?:\\w)?$'}            | ${'af14eb2'}      | ${true}
    ${'^\\w{7}(?:\\w)?$'}            | ${'946427ff-foo'} | ${false}
    ${'rc'}                          | ${'1.2.3-rc.1'}   | ${true}
    ${'^rc'}                         | ${'1.2.3-rc.1'}   | ${false}
    ${'(?i)^MASTER-'}                | ${'master-1a2b'}  | ${true}
    ${'(?i)(?s)^a.b$'}               | ${'A\nB'}         | ${true}
    ${'(?i-s)^a.b$'}                 | ${'A\nB'}         | ${false}
    ${'^(?P<major>[0-9]+)\\.'}       | ${'12.3'}         | ${true}
    ${'^(?<major>[0-9]+)\\.'}        | ${'12.3'}         | ${true}
    ${'\\Av1\\z'}                    | ${'v1'}           | ${true}
    ${'\\Av1\\z'}                    | ${'v1.0'}         | ${false}
    ${'^\\Q1.2+\\E$'}                | ${'1.2+'}         | ${true}
    ${'^\\Q1.2+\\E$'}                | ${'112+'}         | ${false}
    ${'^\\Q1.2'}                     | ${'1.2'}          | ${true}
    ${'^[[:alpha:]]+-[[:digit:]]+$'} | ${'main-42'}      | ${true}
    ${'^[[:xdigit:]]{6}$'}           | ${'0a1B2c'}       | ${true}
    ${'^[[:word:]-]+$'}              | ${'feature_x-1'}  | ${true}
    ${'^[[:punct:]]+$'}              | ${'-_./[`{~'}     | ${true}
    ${'^[[:punct:]]+$'}              | ${'a'}            | ${false}
    ${'^[^[:space:][:cntrl:]]+$'}    | ${'v1.2'}         | ${true}
    ${'^[\\d-]+$'}                   | ${'2024-01-01'}   | ${true}
    ${'^[\\d-z]+$'}                  | ${'1-z'}          | ${true}
    ${'^[\\d-z]+$'}                  | ${'y'}            | ${false}
    ${'^\\pL+$'}                     | ${'état'}         | ${true}
    ${'^\\p{Greek}+$'}               | ${'αβγ'}          | ${true}
    ${'^\\PL+$'}                     | ${'123'}          | ${true}
    ${'^\\p{^L}+$'}                  | ${'123'}          | ${true}
    ${'^\\x{263a}$'}                 | ${'☺'}            | ${true}
    ${'^\\x41$'}                     | ${'A'}            | ${true}
    ${'^\\101$'}                     | ${'A'}            | ${true}
    ${'^a\\-b\\_c\\#d$'}             | ${'a-b_c#d'}      | ${true}
    ${'^[\\-\\.]+$'}                 | ${'-.-'}          | ${true}
    ${'^a{2}$'}                      | ${'aa'}           | ${true}
    ${'^a{2,}$'}                     | ${'aaa'}          | ${true}
    ${'^a{,2}$'}                     | ${'a{,2}'}        | ${true}
    ${'^a{$'}                        | ${'a{'}           | ${true}
    ${'^a}]$'}                       | ${'a}]'}          | ${true}
    ${'^[]a]+$'}                     | ${']a'}           | ${true}
    ${'^[^]a]+$'}                    | ${'bc'}           | ${true}
    ${'^\\s$'}                       | ${' '}            | ${true}
    ${'^\\s$'}                       | ${'\u000b'}       | ${false}
    ${'^\\S+$'}                      | ${'v1'}           | ${true}
    ${'^v\\d+\\.\\d+$'}              | ${'v1.25'}        | ${true}
    ${'\\bbeta\\b'}                  | ${'1.0-beta'}     | ${true}
    ${'^[a\\sb]+$'}                  | ${'a b'}          | ${true}
  `('/$pattern/ on "$tag": $expected', ({ pattern, tag, expected }) => {
    const result = matches(pattern, tag);

    expect(result).toBe(expected);
  });

  it.each`
    pattern           | kind             | reason
    ${'(unclosed'}    | ${'invalid'}     | ${'Unterminated group'}
    ${'[a-'}          | ${'invalid'}     | ${'missing closing ] of a character class'}
    ${'a**'}          | ${'invalid'}     | ${'Nothing to repeat'}
    ${'x(?=y)'}       | ${'invalid'}     | ${"lookaround assertions ((?=…), (?!…), (?<=…), (?<!…)) are not supported by Go's RE2 syntax"}
    ${'(?<!x)y'}      | ${'invalid'}     | ${"lookaround assertions ((?=…), (?!…), (?<=…), (?<!…)) are not supported by Go's RE2 syntax"}
    ${'(a)\\1'}       | ${'invalid'}     | ${"backreferences (\\1) are not supported by Go's RE2 syntax"}
    ${'a\\Z'}         | ${'invalid'}     | ${"\\Z is not supported by Go's RE2 syntax; use \\z or $"}
    ${'\\k<x>'}       | ${'invalid'}     | ${'unknown escape sequence \\k'}
    ${'a\\'}          | ${'invalid'}     | ${'trailing backslash at end of pattern'}
    ${'a{1001}'}      | ${'invalid'}     | ${"repetition count in {1001} is above RE2's limit of 1000"}
    ${'(?x)a'}        | ${'invalid'}     | ${'unknown flag "x" in (?x)'}
    ${'(?)a'}         | ${'invalid'}     | ${'missing flags in (?)'}
    ${'[[:foo:]]'}    | ${'invalid'}     | ${'unknown POSIX class [:foo:]'}
    ${'(?P=name)'}    | ${'invalid'}     | ${'unknown group syntax "(?P="'}
    ${'[\\b]'}        | ${'invalid'}     | ${'\\b is not allowed in a character class'}
    ${'(?U)a+'}       | ${'unsupported'} | ${'the ungreedy flag (?U) has no JavaScript equivalent; write lazy quantifiers (*?, +?) instead'}
    ${'a(?i)b'}       | ${'unsupported'} | ${'inline flags are supported only at the very start of the pattern, e.g. (?i)^v[0-9]+'}
    ${'(?i:a)b'}      | ${'unsupported'} | ${'inline flags are supported only at the very start of the pattern, e.g. (?i)^v[0-9]+'}
    ${'a\\C'}         | ${'unsupported'} | ${'\\C (any byte) has no JavaScript equivalent'}
    ${'[[:^alpha:]]'} | ${'unsupported'} | ${'the negated POSIX class [:^alpha:] cannot be translated; write [^A-Za-z]'}
  `('refuses /$pattern/ as $kind', ({ pattern, kind, reason }) => {
    const result = compileRe2(pattern);

    expect(result).toEqual({ kind, reason });
  });
});
