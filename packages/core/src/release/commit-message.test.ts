import { describe, expect, it } from 'vitest';
import {
  automationMessage,
  policyMessage,
  releaseContainersMessage,
  releaseImageMessage,
} from './commit-message.ts';
import { ALL_LATEST, ALL_WORKLOADS } from './plan-release.ts';

describe('commit messages (Flux v1 templates)', () => {
  it.each`
    serviceSpecs                                        | imageSpec           | message
    ${[ALL_WORKLOADS]}                                  | ${ALL_LATEST}       | ${'Release all latest to all'}
    ${['default:deployment/foo']}                       | ${ALL_LATEST}       | ${'Release all latest to default:deployment/foo'}
    ${[ALL_WORKLOADS]}                                  | ${'quay.io/x/y:v2'} | ${'Release quay.io/x/y:v2 to all'}
    ${['default:deployment/a', 'default:deployment/b']} | ${'x:1'}            | ${'Release x:1 to default:deployment/a, default:deployment/b'}
  `('release $imageSpec to $serviceSpecs', ({ serviceSpecs, imageSpec, message }) => {
    expect(releaseImageMessage({ serviceSpecs, imageSpec, kind: 'execute' })).toBe(message);
    expect(releaseImageMessage({ serviceSpecs, imageSpec, kind: 'execute' }, { message: 'mine' })).toBe(
      'mine',
    );
  });

  it('lists the new images of a containers release', () => {
    const spec = {
      kind: 'execute' as const,
      containerSpecs: {
        'default:deployment/b': [{ container: 'c', current: '', target: 'x:2' }],
        'default:deployment/a': [{ container: 'c', current: '', target: 'y:3' }],
      },
    };
    const result = {
      'default:deployment/a': {
        status: 'success' as const,
        perContainer: [{ container: 'c', current: 'y:1', target: 'y:3' }],
      },
      'default:deployment/b': {
        status: 'success' as const,
        perContainer: [{ container: 'c', current: 'x:1', target: 'x:2' }],
      },
    };

    expect(releaseContainersMessage(spec, result)).toBe(
      'Update image refs in default:deployment/a, default:deployment/b\n\ndefault:deployment/a\n- y:3\n\ndefault:deployment/b\n- x:2\n',
    );
  });

  it.each`
    targets                  | message
    ${['a:1']}               | ${'Auto-release a:1'}
    ${['b:2', 'a:1', 'b:2']} | ${'Auto-release multiple (2) images\n\n - a:1\n - b:2\n'}
  `('automation of $targets', ({ targets, message }) => {
    expect(automationMessage(targets)).toBe(message);
  });

  it.each`
    updates                                                                                                                     | cause                 | message
    ${{ 'default:deployment/a': { add: { automated: 'true' } } }}                                                               | ${{}}                 | ${'Automated: default:deployment/a\n'}
    ${{ 'default:deployment/b': { remove: { automated: 'true' } }, 'default:deployment/a': { remove: { automated: 'true' } } }} | ${{}}                 | ${'Deautomated: default:deployment/a, default:deployment/b\n'}
    ${{ 'default:deployment/a': { add: { locked: 'true', locked_user: 'x' } } }}                                                | ${{}}                 | ${'Updated workload policies\n\n- Locked: default:deployment/a\n- Updated policies: default:deployment/a\n'}
    ${{ 'default:deployment/a': { add: { 'tag.c': 'semver:~1' } } }}                                                            | ${{ message: 'Pin' }} | ${'Pin\n\n- Updated policies: default:deployment/a\n'}
  `('policy update $updates', ({ updates, cause, message }) => {
    expect(policyMessage(updates, cause)).toBe(message);
  });
});
