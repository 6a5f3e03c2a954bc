import { describe, expect, it } from 'vitest';
import { rolloutStatus } from './rollout.ts';

describe('rolloutStatus', () => {
  it.each`
    case                         | kind             | object                                                                                                                                                                         | status        | desired | updated | outdated
    ${'new generation'}          | ${'Deployment'}  | ${{ metadata: { generation: 2 }, spec: { replicas: 2 }, status: { observedGeneration: 1 } }}                                                                                   | ${'started'}  | ${2}    | ${0}    | ${0}
    ${'rolling'}                 | ${'Deployment'}  | ${{ metadata: { generation: 1 }, spec: { replicas: 3 }, status: { observedGeneration: 1, replicas: 4, updatedReplicas: 2, availableReplicas: 2 } }}                            | ${'updating'} | ${3}    | ${2}    | ${2}
    ${'done'}                    | ${'Deployment'}  | ${{ metadata: { generation: 1 }, spec: { replicas: 3 }, status: { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 } }}          | ${'ready'}    | ${3}    | ${3}    | ${0}
    ${'daemonset done'}          | ${'DaemonSet'}   | ${{ status: { desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 2, currentNumberScheduled: 2 } }}                                                         | ${'ready'}    | ${2}    | ${2}    | ${0}
    ${'statefulset partitioned'} | ${'StatefulSet'} | ${{ spec: { replicas: 3, updateStrategy: { rollingUpdate: { partition: 1 } } }, status: { currentRevision: 'a', updateRevision: 'b', updatedReplicas: 1, readyReplicas: 3 } }} | ${'updating'} | ${2}    | ${1}    | ${1}
    ${'cronjob'}                 | ${'CronJob'}     | ${{}}                                                                                                                                                                          | ${'ready'}    | ${0}    | ${0}    | ${0}
    ${'helmrelease'}             | ${'HelmRelease'} | ${{ status: { releaseStatus: 'DEPLOYED' } }}                                                                                                                                   | ${'DEPLOYED'} | ${0}    | ${0}    | ${0}
  `('$case', ({ kind, object, status, desired, updated, outdated }) => {
    const r = rolloutStatus(kind, object);

    expect(r.status).toBe(status);
    expect([r.rollout.desired, r.rollout.updated, r.rollout.outdated]).toEqual([desired, updated, outdated]);
  });

  it('reports failing conditions as messages and the status as error', () => {
    const r = rolloutStatus('Deployment', {
      metadata: { generation: 1 },
      spec: { replicas: 1 },
      status: {
        observedGeneration: 1,
        conditions: [{ type: 'Progressing', status: 'False', message: 'ProgressDeadlineExceeded' }],
      },
    });

    expect(r).toMatchObject({ status: 'error', rollout: { messages: ['ProgressDeadlineExceeded'] } });
  });
});
