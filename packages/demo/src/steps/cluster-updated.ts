import { DemoStepError } from '../errors.ts';
import { NAMESPACE } from '../stack.ts';
import { waitFor } from '../wait.ts';
import { liveImage, liveWorkloads, workloadTable } from '../workloads.ts';
import type { Step } from './types.ts';

export const clusterUpdated: Step = {
  name: 'cluster updated',
  title: 'The cluster follows git',
  async run(ctx) {
    const { stack, narrate } = ctx;
    narrate.say('fluxd syncs its own commit; the Deployment in the API server now has the new image:');
    const id = `${NAMESPACE}:deployment/podinfo`;
    await waitFor(
      this.name,
      `${id} running ${ctx.newImage}`,
      async () => (await liveImage(stack, id)) === ctx.newImage,
      60_000,
    );
    const live = await liveWorkloads(stack);
    narrate.block(workloadTable(live.filter((w) => w.id.includes(':deployment/'))));
    const frozen = live.find((w) => w.id === `${NAMESPACE}:deployment/frozen`);
    if (frozen?.images[0]?.endsWith(':1.0.0') !== true) {
      throw new DemoStepError(
        this.name,
        `the locked ${NAMESPACE}:deployment/frozen moved to ${frozen?.images[0]}`,
      );
    }
    narrate.say('frozen stays on 1.0.0: it is locked.');
    return 'cluster updated to the new tag';
  },
};
