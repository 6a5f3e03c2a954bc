import { DemoStepError } from '../errors.ts';
import { NAMESPACE } from '../stack.ts';
import { waitFor } from '../wait.ts';
import { SEED_WORKLOADS } from './first-sync.ts';
import type { Step } from './types.ts';

interface ControllerStatus {
  ID: string;
  Status: string;
}

export const listWorkloads: Step = {
  name: 'list-workloads',
  title: 'What fluxd sees: fluxctl list-workloads',
  async run({ stack, narrate }) {
    // The controllers roll each Deployment out on kube-testenv's node stand-in (its pods run);
    // wait for that, so the table shows the settled state.
    await waitFor(this.name, 'the workloads to be rolled out', async () => {
      const s = await stack.api<ControllerStatus[]>(`/v6/services?namespace=${NAMESPACE}`);
      return (
        s.length === SEED_WORKLOADS.length &&
        s.filter((w) => w.ID.includes(':deployment/')).every((w) => w.Status === 'ready')
      );
    });
    narrate.say('Each workload, its containers and images, and the policies from its annotations:');
    const out = await stack.fluxctl('list-workloads', '-n', NAMESPACE);
    narrate.command(`fluxctl list-workloads -n ${NAMESPACE}`, out.stdout + out.stderr);
    if (out.code !== 0)
      throw new DemoStepError(this.name, `fluxctl list-workloads exited with code ${out.code}`);
    const missing = SEED_WORKLOADS.filter((id) => !out.stdout.includes(id));
    if (missing.length > 0)
      throw new DemoStepError(this.name, `list-workloads does not show ${missing.join(', ')}`);
    if (!/deployment\/frozen\s.*locked/.test(out.stdout)) {
      throw new DemoStepError(this.name, 'list-workloads does not show demo:deployment/frozen as locked');
    }
    return `list-workloads shows all ${SEED_WORKLOADS.length} workloads, with their policies`;
  },
};
