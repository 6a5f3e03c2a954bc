import { DemoStepError } from '../errors.ts';
import { NAMESPACE } from '../stack.ts';
import { waitFor } from '../wait.ts';
import { liveWorkloads, workloadTable } from '../workloads.ts';
import type { Step } from './types.ts';

/** The workloads of examples/getting-started. */
export const SEED_WORKLOADS: readonly string[] = [
  `${NAMESPACE}:deployment/frozen`,
  `${NAMESPACE}:deployment/nightly`,
  `${NAMESPACE}:deployment/podinfo`,
  `${NAMESPACE}:helmrelease/redis`,
];

export const firstSync: Step = {
  name: 'first sync',
  title: 'First sync: git → cluster',
  async run({ stack, narrate }) {
    narrate.say(
      'fluxd clones the repository and applies every manifest with server-side apply.\n' +
        '`fluxctl sync` asks it to sync now and waits until the head commit is applied.',
    );
    const out = await stack.fluxctl('sync');
    narrate.command('fluxctl sync', `${out.stderr}${out.stdout}`);
    if (out.code !== 0) throw new DemoStepError(this.name, `fluxctl sync exited with code ${out.code}`);
    const live = await waitFor(this.name, 'every seed workload in the API server', async () => {
      const workloads = await liveWorkloads(stack);
      return SEED_WORKLOADS.every((id) => workloads.some((w) => w.id === id)) ? workloads : undefined;
    });
    narrate.say('In the API server now:');
    narrate.block(workloadTable(live));
    return `first sync applied all ${SEED_WORKLOADS.length} workloads (and the namespace and the HelmRelease CRD)`;
  },
};
