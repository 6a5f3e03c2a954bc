import { describe, expect, it } from 'vitest';
import { parseSemverConstraint, parseVersion, type SemverConstraint } from './semver-constraint.ts';

function constraint(source: string): SemverConstraint {
  const parsed = parseSemverConstraint(source);
  if (typeof parsed === 'string') throw new Error(`test constraint ${source} is invalid: ${parsed}`);
  return parsed;
}

function admits(source: string, version: string): boolean {
  const v = parseVersion(version);
  if (!v) throw new Error(`test version ${version} is invalid`);
  return constraint(source).check(v);
}

describe('parseVersion', () => {
  it.each`
    tag                       | lenient              | strict
    ${'1.2.3'}                | ${'1.2.3'}           | ${'1.2.3'}
    ${'v1.2.3'}               | ${'1.2.3'}           | ${undefined}
    ${'v1.2'}                 | ${'1.2.0'}           | ${undefined}
    ${'1'}                    | ${'1.0.0'}           | ${undefined}
    ${'01.2.3'}               | ${'1.2.3'}           | ${undefined}
    ${'1.2.3-rc.1'}           | ${'1.2.3-rc.1'}      | ${'1.2.3-rc.1'}
    ${'1.2-rc.1'}             | ${'1.2.0-rc.1'}      | ${undefined}
    ${'1.2.3+build.5'}        | ${'1.2.3'}           | ${'1.2.3'}
    ${'1.2.3-beta.1+sha.e8f'} | ${'1.2.3-beta.1'}    | ${'1.2.3-beta.1'}
    ${'1.2.3-01'}             | ${undefined}         | ${undefined}
    ${'1.2.3-'}               | ${undefined}         | ${undefined}
    ${'1.2.3.4'}              | ${undefined}         | ${undefined}
    ${'latest'}               | ${undefined}         | ${undefined}
    ${''}                     | ${undefined}         | ${undefined}
    ${'V1.2.3'}               | ${undefined}         | ${undefined}
    ${'master-1a2b3c'}        | ${undefined}         | ${undefined}
    ${'20240101.1'}           | ${'20240101.1.0'}    | ${undefined}
    ${'99999999999999999999'} | ${undefined}         | ${undefined}
    ${'1.2.3-alpha-1.x'}      | ${'1.2.3-alpha-1.x'} | ${'1.2.3-alpha-1.x'}
  `('$tag reads as $lenient (lenient) and $strict (strict)', ({ tag, lenient, strict }) => {
    const asLenient = parseVersion(tag)?.version;
    const asStrict = parseVersion(tag, true)?.version;

    expect({ asLenient, asStrict }).toEqual({ asLenient: lenient, asStrict: strict });
  });
});

// The rows of Masterminds/semver's TestConstraintCheck and TestConstraintsCheck (constraints.go is
// what Flux v1 ran), plus the ones that pin Flux-relevant behaviour.
describe('Masterminds constraint semantics', () => {
  it.each`
    constraint                      | version            | expected
    ${'=2.0.0'}                     | ${'1.2.3'}         | ${false}
    ${'=2.0.0'}                     | ${'2.0.0'}         | ${true}
    ${'=2.0'}                       | ${'1.2.3'}         | ${false}
    ${'=2.0'}                       | ${'2.0.0'}         | ${true}
    ${'=2.0'}                       | ${'2.0.1'}         | ${true}
    ${'4.1'}                        | ${'4.1.0'}         | ${true}
    ${'!=4.1.0'}                    | ${'4.1.0'}         | ${false}
    ${'!=4.1.0'}                    | ${'4.1.1'}         | ${true}
    ${'!=4.1'}                      | ${'4.1.0'}         | ${false}
    ${'!=4.1'}                      | ${'4.1.1'}         | ${false}
    ${'!=4.1'}                      | ${'5.1.0-alpha.1'} | ${false}
    ${'!=4.1-alpha'}                | ${'4.1.0'}         | ${true}
    ${'!=4.1'}                      | ${'5.1.0'}         | ${true}
    ${'!=4.1-alpha'}                | ${'4.1.0-alpha'}   | ${false}
    ${'!=4.1-alpha'}                | ${'4.1.1-alpha'}   | ${false}
    ${'!=4.x'}                      | ${'5.1.0'}         | ${true}
    ${'!=4.x'}                      | ${'4.1.0'}         | ${false}
    ${'!=4.1.x'}                    | ${'4.2.0'}         | ${true}
    ${'!=4.2.x'}                    | ${'4.2.3'}         | ${false}
    ${'!=1.2.3'}                    | ${'2.0.0-beta'}    | ${true}
    ${'<11'}                        | ${'0.1.0'}         | ${true}
    ${'<11'}                        | ${'11.1.0'}        | ${false}
    ${'<1.1'}                       | ${'0.1.0'}         | ${true}
    ${'<1.1'}                       | ${'1.1.0'}         | ${false}
    ${'<1.1'}                       | ${'1.1.1'}         | ${false}
    ${'<1.x'}                       | ${'1.1.1'}         | ${false}
    ${'<1.x'}                       | ${'0.1.1'}         | ${true}
    ${'<1.x'}                       | ${'2.0.0'}         | ${false}
    ${'<1.1.x'}                     | ${'1.2.1'}         | ${false}
    ${'<1.1.x'}                     | ${'1.1.500'}       | ${false}
    ${'<1.1.x'}                     | ${'1.0.500'}       | ${true}
    ${'<1.2.x'}                     | ${'1.1.1'}         | ${true}
    ${'<=11'}                       | ${'1.2.3'}         | ${true}
    ${'<=11'}                       | ${'12.2.3'}        | ${false}
    ${'<=11'}                       | ${'11.2.3'}        | ${true}
    ${'<=1.1'}                      | ${'1.2.3'}         | ${false}
    ${'<=1.1'}                      | ${'0.1.0'}         | ${true}
    ${'<=1.1'}                      | ${'1.1.0'}         | ${true}
    ${'<=1.1'}                      | ${'1.1.1'}         | ${true}
    ${'<=1.1'}                      | ${'0.1.0-alpha'}   | ${false}
    ${'<=1.1-a'}                    | ${'0.1.0-alpha'}   | ${true}
    ${'<=1.x'}                      | ${'1.1.0'}         | ${true}
    ${'<=2.x'}                      | ${'3.0.0'}         | ${false}
    ${'<=1.1.x'}                    | ${'1.2.500'}       | ${false}
    ${'<=4.5'}                      | ${'3.4.0'}         | ${true}
    ${'<=4.5'}                      | ${'3.7.0'}         | ${true}
    ${'<=4.5'}                      | ${'4.6.3'}         | ${false}
    ${'>1.1'}                       | ${'4.1.0'}         | ${true}
    ${'>1.1'}                       | ${'1.1.0'}         | ${false}
    ${'>0'}                         | ${'0'}             | ${false}
    ${'>0'}                         | ${'1'}             | ${true}
    ${'>0'}                         | ${'0.0.1-alpha'}   | ${false}
    ${'>0.0'}                       | ${'0.0.1-alpha'}   | ${false}
    ${'>0-0'}                       | ${'0.0.1-alpha'}   | ${false}
    ${'>0.0-0'}                     | ${'0.0.1-alpha'}   | ${false}
    ${'>0'}                         | ${'0.0.0-alpha'}   | ${false}
    ${'>0-0'}                       | ${'0.0.0-alpha'}   | ${false}
    ${'>0.0.0-0'}                   | ${'0.0.0-alpha'}   | ${true}
    ${'>1.2.3-alpha.1'}             | ${'1.2.3-alpha.2'} | ${true}
    ${'>1.2.3-alpha.1'}             | ${'1.3.3-alpha.2'} | ${true}
    ${'>11'}                        | ${'11.1.0'}        | ${false}
    ${'>11.1'}                      | ${'11.1.0'}        | ${false}
    ${'>11.1'}                      | ${'11.1.1'}        | ${false}
    ${'>11.1'}                      | ${'11.2.1'}        | ${true}
    ${'>=11'}                       | ${'11.1.2'}        | ${true}
    ${'>=11.1'}                     | ${'11.1.2'}        | ${true}
    ${'>=11.1'}                     | ${'11.0.2'}        | ${false}
    ${'>=1.1'}                      | ${'4.1.0'}         | ${true}
    ${'>=1.1'}                      | ${'4.1.0-beta'}    | ${false}
    ${'>=1.1'}                      | ${'1.1.0'}         | ${true}
    ${'>=1.1'}                      | ${'0.0.9'}         | ${false}
    ${'>=0'}                        | ${'0.0.1-alpha'}   | ${false}
    ${'>=0.0'}                      | ${'0.0.1-alpha'}   | ${false}
    ${'>=0-0'}                      | ${'0.0.1-alpha'}   | ${true}
    ${'>=0.0-0'}                    | ${'0.0.1-alpha'}   | ${true}
    ${'>=0'}                        | ${'0.0.0-alpha'}   | ${false}
    ${'>=0-0'}                      | ${'0.0.0-alpha'}   | ${true}
    ${'>=0.0.0-0'}                  | ${'0.0.0-alpha'}   | ${true}
    ${'>=0.0.0-0'}                  | ${'1.2.3'}         | ${true}
    ${'>=0.0.0-0'}                  | ${'3.4.5-beta.1'}  | ${true}
    ${'=>1.2'}                      | ${'1.2.0'}         | ${true}
    ${'=<1.2'}                      | ${'1.2.9'}         | ${true}
    ${'<0'}                         | ${'0.0.0-alpha'}   | ${false}
    ${'<0-z'}                       | ${'0.0.0-alpha'}   | ${true}
    ${'>=0'}                        | ${'0'}             | ${true}
    ${'=0'}                         | ${'1'}             | ${false}
    ${'*'}                          | ${'1'}             | ${true}
    ${'*'}                          | ${'4.5.6'}         | ${true}
    ${'*'}                          | ${'1.2.3-alpha.1'} | ${false}
    ${'*-0'}                        | ${'1.2.3-alpha.1'} | ${true}
    ${'x'}                          | ${'1.2.3'}         | ${true}
    ${'2.*'}                        | ${'1'}             | ${false}
    ${'2.*'}                        | ${'3.4.5'}         | ${false}
    ${'2.*'}                        | ${'2.1.1'}         | ${true}
    ${'2.1.*'}                      | ${'2.1.1'}         | ${true}
    ${'2.1.*'}                      | ${'2.2.1'}         | ${false}
    ${'2'}                          | ${'1'}             | ${false}
    ${'2'}                          | ${'3.4.5'}         | ${false}
    ${'2'}                          | ${'2.1.1'}         | ${true}
    ${'2.1'}                        | ${'2.1.1'}         | ${true}
    ${'2.1'}                        | ${'2.2.1'}         | ${false}
    ${'1.x'}                        | ${'1.4'}           | ${true}
    ${'4.1.x'}                      | ${'4.1.3'}         | ${true}
    ${'0.x.x'}                      | ${'1.2.3'}         | ${false}
    ${'0.0.x'}                      | ${'1.2.3'}         | ${false}
    ${'0.0.0'}                      | ${'1.2.3'}         | ${false}
    ${'v1.2.3'}                     | ${'1.2.3'}         | ${true}
    ${'~1.2.3'}                     | ${'1.2.4'}         | ${true}
    ${'~1.2.3'}                     | ${'1.3.4'}         | ${false}
    ${'~1.2'}                       | ${'1.2.4'}         | ${true}
    ${'~1.2'}                       | ${'1.3.4'}         | ${false}
    ${'~1'}                         | ${'1.2.4'}         | ${true}
    ${'~1'}                         | ${'2.3.4'}         | ${false}
    ${'~0.2.3'}                     | ${'0.2.5'}         | ${true}
    ${'~0.2.3'}                     | ${'0.3.5'}         | ${false}
    ${'~1.2.3-beta.2'}              | ${'1.2.3-beta.4'}  | ${true}
    ${'~1.2.3-beta.2'}              | ${'1.2.4-beta.2'}  | ${true}
    ${'~1.2.3-beta.2'}              | ${'1.3.4-beta.2'}  | ${false}
    ${'~*'}                         | ${'2.1.1'}         | ${true}
    ${'~0.0.0'}                     | ${'1.2.3'}         | ${true}
    ${'~1.x'}                       | ${'2.1.1'}         | ${false}
    ${'~1.x'}                       | ${'1.3.5'}         | ${true}
    ${'~1.x'}                       | ${'1.3.5-beta'}    | ${false}
    ${'~1.1'}                       | ${'1.1.1-alpha'}   | ${false}
    ${'~1.1-alpha'}                 | ${'1.1.1-beta'}    | ${true}
    ${'~1.1.1-beta'}                | ${'1.1.1-alpha'}   | ${false}
    ${'~1.1.1-beta'}                | ${'1.1.1'}         | ${true}
    ${'~1.2.3'}                     | ${'1.2.2'}         | ${false}
    ${'~>1.2'}                      | ${'1.2.9'}         | ${true}
    ${'^1.2.3'}                     | ${'1.8.9'}         | ${true}
    ${'^1.2.3'}                     | ${'2.8.9'}         | ${false}
    ${'^1.2.3'}                     | ${'1.2.1'}         | ${false}
    ${'^1.1.0'}                     | ${'2.1.0'}         | ${false}
    ${'^1.2.0'}                     | ${'2.2.1'}         | ${false}
    ${'^1.2.0'}                     | ${'1.2.1-alpha.1'} | ${false}
    ${'^1.2.0-alpha.0'}             | ${'1.2.1-alpha.1'} | ${true}
    ${'^1.2.0-alpha.0'}             | ${'1.2.1-alpha.0'} | ${true}
    ${'^1.2.0-alpha.2'}             | ${'1.2.0-alpha.1'} | ${false}
    ${'^1.2'}                       | ${'1.8.9'}         | ${true}
    ${'^1'}                         | ${'2.8.9'}         | ${false}
    ${'^0.2.3'}                     | ${'0.2.5'}         | ${true}
    ${'^0.2.3'}                     | ${'0.5.6'}         | ${false}
    ${'^0.2'}                       | ${'0.2.5'}         | ${true}
    ${'^0.0.3'}                     | ${'0.0.3'}         | ${true}
    ${'^0.0.3'}                     | ${'0.0.4'}         | ${false}
    ${'^0.0.1'}                     | ${'0.3.1'}         | ${false}
    ${'^0.0'}                       | ${'0.0.3'}         | ${true}
    ${'^0.0'}                       | ${'0.1.4'}         | ${false}
    ${'^0.0'}                       | ${'1.0.4'}         | ${false}
    ${'^0'}                         | ${'0.2.3'}         | ${true}
    ${'^0'}                         | ${'1.1.4'}         | ${false}
    ${'^0.0.0'}                     | ${'1.2.3'}         | ${false}
    ${'^0.2.3-beta.2'}              | ${'0.2.4-beta.2'}  | ${true}
    ${'^0.2.3-beta.2'}              | ${'0.3.4-beta.2'}  | ${false}
    ${'^1.x'}                       | ${'1.1.1-beta1'}   | ${false}
    ${'^1.1.2-alpha'}               | ${'1.2.1-beta1'}   | ${true}
    ${'^1.2.x-alpha'}               | ${'1.1.1-beta1'}   | ${false}
    ${'^*'}                         | ${'3.1.4'}         | ${true}
    ${'>1.1, <2'}                   | ${'1.1.1'}         | ${false}
    ${'>1.1, <2'}                   | ${'1.2.1'}         | ${true}
    ${'>1.1 <3'}                    | ${'4.3.2'}         | ${false}
    ${'>=1.1, <2, !=1.2.3'}         | ${'1.2.3'}         | ${false}
    ${'>=1.1    <2    !=1.2.3'}     | ${'1.2.3'}         | ${false}
    ${'>= 1.1, <     2, !=1.2.3'}   | ${'1.2.3'}         | ${false}
    ${'>=1.1, <2, !=1.2.3 || > 3'}  | ${'4.1.2'}         | ${true}
    ${'>=1.1, <2, !=1.2.3 || > 3'}  | ${'3.1.2'}         | ${false}
    ${'>=1.1, <2, !=1.2.3 || >= 3'} | ${'3.0.0'}         | ${true}
    ${'>=1.1 <2 !=1.2.3 || > 3'}    | ${'1.2.3'}         | ${false}
    ${'>=1.0<2.0'}                  | ${'1.5.0'}         | ${true}
    ${'>=1.0<2.0'}                  | ${'2.0.0'}         | ${false}
    ${'1.1 - 2'}                    | ${'1.1.1'}         | ${true}
    ${'1.5.0 - 4.5'}                | ${'3.7.0'}         | ${true}
    ${'1.5.0 - 4.5'}                | ${'4.5.9'}         | ${true}
    ${'1.5.0 - 4.5'}                | ${'4.6.0'}         | ${false}
    ${'1.1-3'}                      | ${'4.3.2'}         | ${false}
    ${'>=1.2.3-0, <1.3'}            | ${'1.2.5'}         | ${true}
    ${'>=1.2.3-0, <1.3'}            | ${'1.2.5-rc.1'}    | ${false}
    ${'>=1.2.3-0, <1.3.0-0'}        | ${'1.2.5-rc.1'}    | ${true}
    ${'~1.3 || ^2'}                 | ${'2.9.0'}         | ${true}
    ${'~1.3 || ^2'}                 | ${'1.4.0'}         | ${false}
  `('$constraint admits $version: $expected', ({ constraint, version, expected }) => {
    const result = admits(constraint, version);

    expect(result).toBe(expected);
  });
});

describe('parseSemverConstraint', () => {
  it.each`
    source                                 | normalised
    ${'~1.2'}                              | ${'~1.2'}
    ${'>= 1.2.3'}                          | ${'>=1.2.3'}
    ${'>=1.0<2.0'}                         | ${'>=1.0 <2.0'}
    ${'>=1.2.3-0,<1.3'}                    | ${'>=1.2.3-0, <1.3'}
    ${' >= 1.2.3 ,  < 2.0 '}               | ${'>=1.2.3, <2.0'}
    ${'>40.50.60, < 50.70'}                | ${'>40.50.60, <50.70'}
    ${'>= 1.2.3 < 2.0 || => 3.0 < 4'}      | ${'>=1.2.3 <2.0 || =>3.0 <4'}
    ${'3 - 4 || => 3.0, < 4'}              | ${'3 - 4 || =>3.0, <4'}
    ${'v2.3.5-20161202202307-sha.e8fc5e5'} | ${'v2.3.5-20161202202307-sha.e8fc5e5'}
    ${'12.3.34 ~1.2.3'}                    | ${'12.3.34 ~1.2.3'}
    ${'>=1.0,'}                            | ${'>=1.0'}
  `('accepts "$source" as "$normalised"', ({ source, normalised }) => {
    const parsed = constraint(source);

    expect(parsed.normalised).toBe(normalised);
  });

  it.each`
    source            | reason
    ${''}             | ${'empty constraint (nothing before, between or after "||")'}
    ${'~1.2 ||'}      | ${'empty constraint (nothing before, between or after "||")'}
    ${'foo'}          | ${'"foo" is not a version constraint'}
    ${'>= bar'}       | ${'"bar" is not a version constraint'}
    ${'BAR >= 1.2.3'} | ${'"BAR >= 1.2.3" is not a version constraint'}
    ${'12.3.4.1234'}  | ${'".1234" is not a version constraint'}
    ${'>=1.0,,<2'}    | ${'",<2" is not a version constraint'}
    ${'1x'}           | ${'"1x" is not a version'}
    ${'>=1.2.3-01'}   | ${'"1.2.3-01" is not a version'}
    ${'>=1.0 - 2.0'}  | ${'"- 2.0" is not a version constraint'}
    ${'>=1.0 | <2.0'} | ${'"|" is not a version'}
  `('rejects "$source": $reason', ({ source, reason }) => {
    const parsed = parseSemverConstraint(source);

    expect(parsed).toBe(reason);
  });

  it.each`
    source          | version         | explanation
    ${'~1.2'}       | ${'1.2.3'}      | ${undefined}
    ${'~1.2'}       | ${'1.3.0'}      | ${'it does not satisfy ~1.2'}
    ${'>=1.0 <2.0'} | ${'2.1.0'}      | ${'it does not satisfy <2.0'}
    ${'~1.2 || ^3'} | ${'2.0.0'}      | ${'it does not satisfy ~1.2, nor ^3'}
    ${'~1.2'}       | ${'1.2.3-rc.1'} | ${'it is a pre-release, and the constraint has no pre-release part (write e.g. >=1.2.3-0 to admit them)'}
    ${'~1.2.0-0'}   | ${'1.3.0-rc.1'} | ${'it does not satisfy ~1.2.0-0'}
  `('explains why $version does not satisfy $source', ({ source, version, explanation }) => {
    const v = parseVersion(version);

    const result = v && constraint(source).explain(v);

    expect(result).toBe(explanation);
  });
});
