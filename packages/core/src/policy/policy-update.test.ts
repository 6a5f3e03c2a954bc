import { describe, expect, it } from 'vitest';
import { ErrorKind } from '../errors.ts';
import {
  InvalidPolicyError,
  type PolicyUpdate,
  planPolicyUpdate,
  QuoteStyle,
  quoteStyleFor,
  requestsAutomation,
} from './policy-update.ts';
import { InvalidTagPatternError } from './tag-pattern.ts';

const containers = ['app', 'sidecar'];

describe('planPolicyUpdate', () => {
  it.each`
    case                                           | current                                                                                      | update                                                                                 | changes
    ${'automate'}                                  | ${{}}                                                                                        | ${{ add: { automated: 'true' } }}                                                      | ${[['fluxcd.io/automated', 'true']]}
    ${'already automated'}                         | ${{ 'fluxcd.io/automated': 'true' }}                                                         | ${{ add: { automated: 'true' } }}                                                      | ${[]}
    ${'automated "false" becomes "true"'}          | ${{ 'fluxcd.io/automated': 'false' }}                                                        | ${{ add: { automated: 'true' } }}                                                      | ${[['fluxcd.io/automated', 'true']]}
    ${'deautomate'}                                | ${{ 'fluxcd.io/automated': 'true', other: 'x' }}                                             | ${{ remove: { automated: 'true' } }}                                                   | ${[['fluxcd.io/automated', null]]}
    ${'deautomate, not automated'}                 | ${{ other: 'x' }}                                                                            | ${{ remove: { automated: 'true' } }}                                                   | ${[]}
    ${'deautomate under both prefixes'}            | ${{ 'fluxcd.io/automated': 'true', 'flux.weave.works/automated': 'true' }}                   | ${{ remove: { automated: '' } }}                                                       | ${[['flux.weave.works/automated', null], ['fluxcd.io/automated', null]]}
    ${'reuse the legacy key'}                      | ${{ 'flux.weave.works/locked': 'false' }}                                                    | ${{ add: { locked: 'true' } }}                                                         | ${[['flux.weave.works/locked', 'true']]}
    ${'reuse fluxcd.io/ over the legacy key'}      | ${{ 'flux.weave.works/locked': 'false', 'fluxcd.io/locked': 'false' }}                       | ${{ add: { locked: 'true' } }}                                                         | ${[['fluxcd.io/locked', 'true']]}
    ${'reuse the filter key'}                      | ${{ 'filter.fluxcd.io/app': 'glob:3.*' }}                                                    | ${{ add: { 'tag.app': 'semver:~3.1' } }}                                               | ${[['filter.fluxcd.io/app', 'semver:~3.1']]}
    ${'remove a filter under every key'}           | ${{ 'filter.fluxcd.io/app': 'glob:3.*', 'fluxcd.io/tag.app': 'glob:4.*' }}                   | ${{ remove: { 'tag.app': '' } }}                                                       | ${[['filter.fluxcd.io/app', null], ['fluxcd.io/tag.app', null]]}
    ${'lock with user and message'}                | ${{}}                                                                                        | ${{ add: { locked: 'true', locked_user: 'Jane', locked_msg: 'hold: 42' } }}            | ${[['fluxcd.io/locked', 'true'], ['fluxcd.io/locked_msg', 'hold: 42'], ['fluxcd.io/locked_user', 'Jane']]}
    ${'unlock'}                                    | ${{ 'fluxcd.io/locked': 'true', 'fluxcd.io/locked_msg': 'x', 'fluxcd.io/locked_user': 'y' }} | ${{ remove: { locked: '', locked_msg: '', locked_user: '' } }}                         | ${[['fluxcd.io/locked', null], ['fluxcd.io/locked_msg', null], ['fluxcd.io/locked_user', null]]}
    ${'remove wins over add'}                      | ${{ 'fluxcd.io/automated': 'true' }}                                                         | ${{ add: { automated: 'true' }, remove: { automated: 'true' } }}                       | ${[['fluxcd.io/automated', null]]}
    ${'an empty add value removes'}                | ${{ 'fluxcd.io/locked_msg': 'x' }}                                                           | ${{ add: { locked_msg: '' } }}                                                         | ${[['fluxcd.io/locked_msg', null]]}
    ${'ignore sync_only'}                          | ${{}}                                                                                        | ${{ add: { ignore: 'sync_only' } }}                                                    | ${[['fluxcd.io/ignore', 'sync_only']]}
    ${'tag_all sets every container'}              | ${{}}                                                                                        | ${{ add: { tag_all: 'semver:~3' } }}                                                   | ${[['fluxcd.io/tag.app', 'semver:~3'], ['fluxcd.io/tag.sidecar', 'semver:~3']]}
    ${'tag_all reuses keys'}                       | ${{ 'filter.fluxcd.io/sidecar': 'glob:1.*' }}                                                | ${{ add: { tag_all: 'semver:~3' } }}                                                   | ${[['filter.fluxcd.io/sidecar', 'semver:~3'], ['fluxcd.io/tag.app', 'semver:~3']]}
    ${'tag_all glob:* removes every filter'}       | ${{ 'fluxcd.io/tag.app': 'semver:~3', 'filter.fluxcd.io/sidecar': 'glob:v1.*' }}             | ${{ add: { tag_all: 'glob:*' } }}                                                      | ${[['filter.fluxcd.io/sidecar', null], ['fluxcd.io/tag.app', null]]}
    ${'tag_all * removes every filter'}            | ${{ 'fluxcd.io/tag.app': 'semver:~3' }}                                                      | ${{ add: { tag_all: '*' } }}                                                           | ${[['fluxcd.io/tag.app', null]]}
    ${'per-container tag wins over tag_all'}       | ${{}}                                                                                        | ${{ add: { tag_all: 'semver:~3', 'tag.sidecar': 'glob:v1.*' } }}                       | ${[['fluxcd.io/tag.app', 'semver:~3'], ['fluxcd.io/tag.sidecar', 'glob:v1.*']]}
    ${'per-container tag wins over glob:*'}        | ${{ 'fluxcd.io/tag.app': 'semver:~3' }}                                                      | ${{ add: { tag_all: 'glob:*', 'tag.sidecar': 'glob:v1.*' } }}                          | ${[['fluxcd.io/tag.app', null], ['fluxcd.io/tag.sidecar', 'glob:v1.*']]}
    ${'removal wins over tag_all'}                 | ${{ 'fluxcd.io/tag.app': 'glob:1.*' }}                                                       | ${{ add: { tag_all: 'semver:~3' }, remove: { 'tag.app': '' } }}                        | ${[['fluxcd.io/tag.app', null], ['fluxcd.io/tag.sidecar', 'semver:~3']]}
    ${'tag_all in remove removes every filter'}    | ${{ 'fluxcd.io/tag.app': 'glob:1.*' }}                                                       | ${{ remove: { tag_all: '' } }}                                                         | ${[['fluxcd.io/tag.app', null]]}
    ${'tag filters are written normalised'}        | ${{}}                                                                                        | ${{ add: { 'tag.app': 'regex:^3\\.[0-9]+$', 'tag.sidecar': '*' } }}                    | ${[['fluxcd.io/tag.app', 'regexp:^3\\.[0-9]+$'], ['fluxcd.io/tag.sidecar', 'glob:*']]}
    ${'the same filter, normalised, is no change'} | ${{ 'fluxcd.io/tag.app': 'regexp:^v' }}                                                      | ${{ add: { 'tag.app': 'regex:^v' } }}                                                  | ${[]}
    ${'values with = < > , and spaces'}            | ${{}}                                                                                        | ${{ add: { 'tag.app': 'semver:>=1.0 <2.0', 'tag.sidecar': 'semver:>=1.2.3-0,<1.3' } }} | ${[['fluxcd.io/tag.app', 'semver:>=1.0 <2.0'], ['fluxcd.io/tag.sidecar', 'semver:>=1.2.3-0, <1.3']]}
    ${'a juxtaposed range gets a space'}           | ${{}}                                                                                        | ${{ add: { 'tag.app': 'semver:>=1.0<2.0' } }}                                          | ${[['fluxcd.io/tag.app', 'semver:>=1.0 <2.0']]}
    ${'a filter for a container not (yet) there'}  | ${{}}                                                                                        | ${{ add: { 'tag.other': 'glob:*' } }}                                                  | ${[['fluxcd.io/tag.other', 'glob:*']]}
    ${'an empty update'}                           | ${{ 'fluxcd.io/automated': 'true' }}                                                         | ${{}}                                                                                  | ${[]}
  `('$case', ({ current, update, changes }) => {
    const result = planPolicyUpdate(current, containers, update);

    expect(result.map((c) => [c.key, c.value])).toEqual(changes);
  });

  it('writes a filter under filter.fluxcd.io/ when fluxcd.io/tag.<c> would be too long a key', () => {
    const long = 'c'.repeat(62);

    const result = planPolicyUpdate({}, [long], { add: { tag_all: 'semver:^1' } });

    expect(result).toEqual([{ key: `filter.fluxcd.io/${long}`, value: 'semver:^1' }]);
  });

  it.each`
    update                                                      | message
    ${{ add: { 'tag.app': 'semver:>=banana' } }}                | ${'annotation fluxcd.io/tag.app: invalid tag pattern: "semver:>=banana": "banana" is not a version constraint'}
    ${{ add: { 'tag.sidecar': 'regexp:(unclosed' } }}           | ${'annotation filter.fluxcd.io/sidecar: invalid tag pattern: "regexp:(unclosed": Unterminated group'}
    ${{ add: { tag_all: 'semver:~1 ||' } }}                     | ${'policy tag_all: invalid tag pattern: "semver:~1 ||": empty constraint (nothing before, between or after "||")'}
    ${{ add: { tag_all: 'semver:~1', 'tag.app': 'regexp:(' } }} | ${'annotation fluxcd.io/tag.app: invalid tag pattern: "regexp:(": Unterminated group'}
  `('refuses an invalid pattern, naming the annotation: $message', ({ update, message }) => {
    const plan = (): unknown =>
      planPolicyUpdate({ 'filter.fluxcd.io/sidecar': 'glob:*' }, containers, update);

    expect(plan).toThrow(InvalidTagPatternError);
    expect(plan).toThrow(message);
  });

  it.each`
    update                                      | message
    ${{ add: { '': 'x' } }}                     | ${'invalid policy "": the name is empty'}
    ${{ add: { 'bad name': 'x' } }}             | ${'invalid policy "bad name": it cannot be the name part of an annotation key'}
    ${{ remove: { 'a/b': '' } }}                | ${'invalid policy "a/b": it cannot be the name part of an annotation key'}
    ${{ add: { 'tag.': 'glob:*' } }}            | ${'invalid policy "tag.": it cannot be the name part of an annotation key'}
    ${{ add: { [`x${'y'.repeat(63)}`]: 'z' } }} | ${`invalid policy "x${'y'.repeat(63)}": it cannot be the name part of an annotation key`}
  `('refuses a policy that cannot be an annotation key: $message', ({ update, message }) => {
    let error: unknown;

    try {
      planPolicyUpdate({}, containers, update as PolicyUpdate);
    } catch (err) {
      error = err;
    }

    expect(error).toBeInstanceOf(InvalidPolicyError);
    expect({
      message: (error as InvalidPolicyError).message,
      kind: (error as InvalidPolicyError).kind,
    }).toEqual({
      message,
      kind: ErrorKind.User,
    });
  });
});

describe('requestsAutomation', () => {
  it.each`
    update                                                           | expected
    ${{ add: { automated: 'true' } }}                                | ${true}
    ${{ add: { automated: 'false' } }}                               | ${false}
    ${{ add: { automated: 'true' }, remove: { automated: 'true' } }} | ${false}
    ${{ add: { locked: 'true' } }}                                   | ${false}
    ${{}}                                                            | ${false}
  `('$update requests an automation run: $expected', ({ update, expected }) => {
    const result = requestsAutomation(update);

    expect(result).toBe(expected);
  });
});

describe('quoteStyleFor', () => {
  it.each`
    value                        | style
    ${'true'}                    | ${QuoteStyle.Single}
    ${'True'}                    | ${QuoteStyle.Single}
    ${'FALSE'}                   | ${QuoteStyle.Single}
    ${'yes'}                     | ${QuoteStyle.Single}
    ${'No'}                      | ${QuoteStyle.Single}
    ${'on'}                      | ${QuoteStyle.Single}
    ${'OFF'}                     | ${QuoteStyle.Single}
    ${'y'}                       | ${QuoteStyle.Single}
    ${'null'}                    | ${QuoteStyle.Single}
    ${'~'}                       | ${QuoteStyle.Single}
    ${''}                        | ${QuoteStyle.Single}
    ${'1'}                       | ${QuoteStyle.Single}
    ${'-1'}                      | ${QuoteStyle.Single}
    ${'1.0'}                     | ${QuoteStyle.Single}
    ${'.5'}                      | ${QuoteStyle.Single}
    ${'1e3'}                     | ${QuoteStyle.Single}
    ${'0x1F'}                    | ${QuoteStyle.Single}
    ${'0o17'}                    | ${QuoteStyle.Single}
    ${'017'}                     | ${QuoteStyle.Single}
    ${'1_000'}                   | ${QuoteStyle.Single}
    ${'1:30'}                    | ${QuoteStyle.Single}
    ${'.inf'}                    | ${QuoteStyle.Single}
    ${'.NaN'}                    | ${QuoteStyle.Single}
    ${'2024-01-31'}              | ${QuoteStyle.Single}
    ${'*'}                       | ${QuoteStyle.Single}
    ${'&anchor'}                 | ${QuoteStyle.Single}
    ${'!tag'}                    | ${QuoteStyle.Single}
    ${"'quoted'"}                | ${QuoteStyle.Single}
    ${'- item'}                  | ${QuoteStyle.Single}
    ${' padded'}                 | ${QuoteStyle.Single}
    ${'padded '}                 | ${QuoteStyle.Single}
    ${'Incident 42: hold'}       | ${QuoteStyle.Single}
    ${'see #42'}                 | ${QuoteStyle.Single}
    ${'trailing:'}               | ${QuoteStyle.Single}
    ${'a\tb'}                    | ${QuoteStyle.Single}
    ${'two\nlines'}              | ${QuoteStyle.Double}
    ${'bell\u0007'}              | ${QuoteStyle.Double}
    ${'sync_only'}               | ${QuoteStyle.Plain}
    ${'glob:3.5.*'}              | ${QuoteStyle.Plain}
    ${'semver:~1.2'}             | ${QuoteStyle.Plain}
    ${'semver:>=1.0 <2.0'}       | ${QuoteStyle.Plain}
    ${'semver:>=1.2.3-0, <1.3'}  | ${QuoteStyle.Plain}
    ${'regexp:^v[0-9]+$'}        | ${QuoteStyle.Plain}
    ${'Jane <jane@example.com>'} | ${QuoteStyle.Plain}
    ${'1.2.3'}                   | ${QuoteStyle.Plain}
    ${'v1'}                      | ${QuoteStyle.Plain}
    ${'truely'}                  | ${QuoteStyle.Plain}
    ${'sha256:abc'}              | ${QuoteStyle.Plain}
  `('writes "$value" $style', ({ value, style }) => {
    const result = quoteStyleFor(value);

    expect(result).toBe(style);
  });

  it.each`
    value                       | block               | flow
    ${'semver:>=1.2.3-0, <1.3'} | ${QuoteStyle.Plain} | ${QuoteStyle.Single}
    ${'regexp:^v[0-9]{2}$'}     | ${QuoteStyle.Plain} | ${QuoteStyle.Single}
    ${'glob:3.*'}               | ${QuoteStyle.Plain} | ${QuoteStyle.Plain}
  `('in a flow map, quotes "$value" ($flow)', ({ value, block, flow }) => {
    const result = [quoteStyleFor(value), quoteStyleFor(value, 'flow')];

    expect(result).toEqual([block, flow]);
  });
});
