import { describe, expect, it } from 'vitest';
import { qualifyWorkload } from '../cli/workload-id.ts';
import { buildPolicyUpdate, normaliseTagPattern } from './policy-update.ts';

describe('buildPolicyUpdate', () => {
  it('builds Flux v1 policy updates', () => {
    expect(buildPolicyUpdate({ automate: true })).toEqual({ add: { automated: 'true' }, remove: {} });
    expect(buildPolicyUpdate({ deautomate: true })).toEqual({ add: {}, remove: { automated: 'true' } });
    expect(buildPolicyUpdate({ lock: true, user: 'Jane', message: 'hold' })).toEqual({
      add: { locked: 'true', locked_user: 'Jane', locked_msg: 'hold' },
      remove: {},
    });
    expect(buildPolicyUpdate({ lock: true, user: 'Jane' })).toEqual({
      add: { locked: 'true', locked_user: 'Jane' },
      remove: { locked_msg: 'true' },
    });
    expect(buildPolicyUpdate({ unlock: true })).toEqual({
      add: {},
      remove: { locked: 'true', locked_msg: 'true', locked_user: 'true' },
    });
    expect(buildPolicyUpdate({ tagAll: '1.*', tags: ['web=semver:>=1.0, <2', 'side=*'] })).toEqual({
      add: { tag_all: 'glob:1.*', 'tag.web': 'semver:>=1.0, <2' },
      remove: { 'tag.side': 'true' },
    });
  });

  it('refuses contradictions and malformed pairs with Flux v1 messages', () => {
    expect(() => buildPolicyUpdate({ automate: true, deautomate: true })).toThrow(
      'automate and deautomate both specified',
    );
    expect(() => buildPolicyUpdate({ lock: true, unlock: true })).toThrow('lock and unlock both specified');
    expect(() => buildPolicyUpdate({ tags: ['web'] })).toThrow(
      `invalid container/tag pair: "web". Expected format is 'container=filter'`,
    );
  });

  it('normalises patterns', () => {
    expect(normaliseTagPattern('1.*')).toBe('glob:1.*');
    expect(normaliseTagPattern('regex:^v1')).toBe('regexp:^v1');
    expect(normaliseTagPattern('semver:~1')).toBe('semver:~1');
  });
});

describe('qualifyWorkload', () => {
  it('fills in the namespace and lower-cases the kind', () => {
    expect(qualifyWorkload('deployment/web', 'demo')).toBe('demo:deployment/web');
    expect(qualifyWorkload('Deployment/web', 'demo')).toBe('demo:deployment/web');
    expect(qualifyWorkload('prod:deployment/web', 'demo')).toBe('prod:deployment/web');
    expect(() => qualifyWorkload('web', 'demo')).toThrow('invalid workload ID "web"');
  });
});
