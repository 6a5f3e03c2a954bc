import { describe, expect, it } from 'vitest';
import {
  annotationKeysFor,
  containerOfTagPolicy,
  IgnoreMode,
  isBooleanPolicy,
  Policy,
  PolicySet,
  policyOfAnnotation,
  readPolicies,
  tagPolicy,
} from './policy.ts';

describe('policy names and annotation keys', () => {
  it.each`
    key                             | policy
    ${'fluxcd.io/automated'}        | ${'automated'}
    ${'flux.weave.works/automated'} | ${'automated'}
    ${'fluxcd.io/tag.app'}          | ${'tag.app'}
    ${'flux.weave.works/tag.app'}   | ${'tag.app'}
    ${'filter.fluxcd.io/app'}       | ${'tag.app'}
    ${'fluxcd.io/locked_msg'}       | ${'locked_msg'}
    ${'fluxcd.io/custom'}           | ${'custom'}
    ${'fluxcd.io/'}                 | ${undefined}
    ${'fluxcd.io/tag.'}             | ${undefined}
    ${'filter.fluxcd.io/'}          | ${undefined}
    ${'fluxcd.io/sync-checksum'}    | ${undefined}
    ${'fluxcd.io/sync-gc-mark'}     | ${undefined}
    ${'helm.fluxcd.io/antecedent'}  | ${undefined}
    ${'repository.fluxcd.io/app'}   | ${undefined}
    ${'app.kubernetes.io/name'}     | ${undefined}
    ${'automated'}                  | ${undefined}
  `('$key holds $policy', ({ key, policy }) => {
    const result = policyOfAnnotation(key);

    expect(result).toBe(policy);
  });

  it.each`
    policy         | keys
    ${'automated'} | ${['fluxcd.io/automated', 'flux.weave.works/automated']}
    ${'tag.app'}   | ${['fluxcd.io/tag.app', 'flux.weave.works/tag.app', 'filter.fluxcd.io/app']}
    ${'tag_all'}   | ${['fluxcd.io/tag_all', 'flux.weave.works/tag_all']}
  `('looks for $policy under $keys', ({ policy, keys }) => {
    const result = annotationKeysFor(policy);

    expect(result).toEqual(keys);
  });

  it.each`
    policy           | container    | boolean
    ${'tag.app'}     | ${'app'}     | ${false}
    ${'tag.a.b'}     | ${'a.b'}     | ${false}
    ${'tag.'}        | ${undefined} | ${false}
    ${'tag_all'}     | ${undefined} | ${false}
    ${'automated'}   | ${undefined} | ${true}
    ${'locked'}      | ${undefined} | ${true}
    ${'ignore'}      | ${undefined} | ${true}
    ${'locked_user'} | ${undefined} | ${false}
  `('$policy: container $container, boolean $boolean', ({ policy, container, boolean }) => {
    const result = { container: containerOfTagPolicy(policy), boolean: isBooleanPolicy(policy) };

    expect(result).toEqual({ container, boolean });
  });

  it('names the tag policy of a container', () => {
    const result = [tagPolicy('app'), Policy.TagAll, IgnoreMode.SyncOnly];

    expect(result).toEqual(['tag.app', 'tag_all', 'sync_only']);
  });
});

describe('readPolicies', () => {
  it('reads every prefix, keeps values verbatim and sorts by name', () => {
    const annotations = {
      'fluxcd.io/tag.app': 'semver:~1.2',
      'flux.weave.works/locked': 'true',
      'fluxcd.io/locked_user': 'Jane <jane@example.com>',
      'fluxcd.io/locked_msg': 'Incident 42: hold',
      'filter.fluxcd.io/sidecar': 'glob:v1.*',
      'fluxcd.io/automated': 'true',
      'fluxcd.io/sync-checksum': 'abc123',
      'kubernetes.io/change-cause': 'deploy',
    };

    const policies = readPolicies(annotations);

    expect(policies.entries()).toEqual([
      ['automated', 'true'],
      ['locked', 'true'],
      ['locked_msg', 'Incident 42: hold'],
      ['locked_user', 'Jane <jane@example.com>'],
      ['tag.app', 'semver:~1.2'],
      ['tag.sidecar', 'glob:v1.*'],
    ]);
    expect(JSON.stringify(policies)).toBe(
      '{"automated":"true","locked":"true","locked_msg":"Incident 42: hold","locked_user":"Jane <jane@example.com>","tag.app":"semver:~1.2","tag.sidecar":"glob:v1.*"}',
    );
    expect({
      automated: policies.automated,
      locked: policies.locked,
      lockedUser: policies.lockedUser,
      lockedMsg: policies.lockedMsg,
      ignore: policies.ignore,
      size: policies.size,
    }).toEqual({
      automated: true,
      locked: true,
      lockedUser: 'Jane <jane@example.com>',
      lockedMsg: 'Incident 42: hold',
      ignore: undefined,
      size: 6,
    });
  });

  it.each`
    annotations                                                                       | policy         | value
    ${{ 'fluxcd.io/automated': 'false', 'flux.weave.works/automated': 'true' }}       | ${'automated'} | ${'false'}
    ${{ 'flux.weave.works/automated': 'true', 'fluxcd.io/automated': 'false' }}       | ${'automated'} | ${'false'}
    ${{ 'filter.fluxcd.io/app': 'glob:1.*', 'flux.weave.works/tag.app': 'glob:2.*' }} | ${'tag.app'}   | ${'glob:2.*'}
    ${{ 'filter.fluxcd.io/app': 'glob:1.*', 'fluxcd.io/tag.app': 'glob:3.*' }}        | ${'tag.app'}   | ${'glob:3.*'}
    ${{ 'filter.fluxcd.io/app': 'glob:1.*' }}                                         | ${'tag.app'}   | ${'glob:1.*'}
  `(
    'prefers fluxcd.io/ over flux.weave.works/ over filter.fluxcd.io/: $policy is $value',
    ({ annotations, policy, value }) => {
      const result = readPolicies(annotations).get(policy);

      expect(result).toBe(value);
    },
  );

  it.each`
    value          | automated | locked   | ignore         | hasAutomated
    ${'true'}      | ${true}   | ${true}  | ${'true'}      | ${true}
    ${'True'}      | ${false}  | ${false} | ${undefined}   | ${false}
    ${'false'}     | ${false}  | ${false} | ${undefined}   | ${false}
    ${'yes'}       | ${false}  | ${false} | ${undefined}   | ${false}
    ${''}          | ${false}  | ${false} | ${undefined}   | ${false}
    ${'sync_only'} | ${false}  | ${false} | ${'sync_only'} | ${false}
  `(
    'a boolean policy set to "$value" is on only when exactly "true"',
    ({ value, automated, locked, ignore, hasAutomated }) => {
      const policies = readPolicies({
        'fluxcd.io/automated': value,
        'flux.weave.works/locked': value,
        'fluxcd.io/ignore': value,
      });

      const result = {
        automated: policies.automated,
        locked: policies.locked,
        ignore: policies.ignore,
        hasAutomated: policies.has('automated'),
        get: policies.get('automated'),
      };

      expect(result).toEqual({ automated, locked, ignore, hasAutomated, get: value });
    },
  );

  it('has() counts any value of a non-boolean policy; get() gives it as written', () => {
    const policies = readPolicies({ 'fluxcd.io/locked_msg': '', 'fluxcd.io/tag.app': 'semver:~1' });

    const result = [
      policies.has('locked_msg'),
      policies.has('tag.app'),
      policies.has('tag.other'),
      policies.get('tag.app'),
    ];

    expect(result).toEqual([true, true, false, 'semver:~1']);
  });

  it.each`
    annotations                                   | container    | pattern
    ${{}}                                         | ${'app'}     | ${'glob:*'}
    ${{ 'fluxcd.io/tag.app': 'semver:~1.2' }}     | ${'app'}     | ${'semver:~1.2'}
    ${{ 'fluxcd.io/tag.app': 'semver:~1.2' }}     | ${'sidecar'} | ${'glob:*'}
    ${{ 'filter.fluxcd.io/app': 'regex:^v' }}     | ${'app'}     | ${'regexp:^v'}
    ${{ 'flux.weave.works/tag.app': '3.*' }}      | ${'app'}     | ${'glob:3.*'}
    ${{ 'fluxcd.io/tag.app': '' }}                | ${'app'}     | ${'glob:*'}
    ${{ 'fluxcd.io/tag.app': 'semver:>=banana' }} | ${'app'}     | ${'semver:>=banana'}
  `('reads the tag filter of $container as $pattern', ({ annotations, container, pattern }) => {
    const result = readPolicies(annotations).tagPattern(container).toString();

    expect(result).toBe(pattern);
  });

  it('reads an invalid filter leniently, as Flux v1 does', () => {
    const pattern = readPolicies({ 'fluxcd.io/tag.app': 'regexp:(oops' }).tagPattern('app');

    const result = { problem: pattern.problem, matches: pattern.matches('anything') };

    expect(result).toEqual({ problem: 'Unterminated group', matches: true });
  });

  it('passes strictSemver through', () => {
    const policies = readPolicies({ 'fluxcd.io/tag.app': 'semver:^1' });

    const result = [
      policies.tagPattern('app').matches('v1.2'),
      policies.tagPattern('app', { strictSemver: true }).matches('v1.2'),
    ];

    expect(result).toEqual([true, false]);
  });
});

describe('PolicySet', () => {
  it('is built from a record or from entries, sorted, and is empty by default', () => {
    const fromRecord = new PolicySet({ locked: 'true', automated: 'true' });
    const fromEntries = new PolicySet([
      ['locked', 'true'],
      ['automated', 'true'],
    ]);

    const result = [
      fromRecord.entries(),
      fromEntries.entries(),
      PolicySet.EMPTY.entries(),
      PolicySet.EMPTY.automated,
    ];

    expect(result).toEqual([
      [
        ['automated', 'true'],
        ['locked', 'true'],
      ],
      [
        ['automated', 'true'],
        ['locked', 'true'],
      ],
      [],
      false,
    ]);
  });

  it('does not change when the returned entries are changed', () => {
    const policies = new PolicySet({ automated: 'true' });

    policies.entries().push(['locked', 'true']);
    const first = policies.entries()[0];
    if (first) first[1] = 'false';

    expect(policies.toJSON()).toEqual({ automated: 'true' });
  });
});
