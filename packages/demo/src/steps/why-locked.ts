import { DemoStepError } from '../errors.ts';
import { NAMESPACE } from '../stack.ts';
import type { Step } from './types.ts';

export const whyLocked: Step = {
  name: 'why',
  title: 'Why did frozen not move? fluxctl why',
  async run({ stack, narrate }) {
    narrate.say('For each candidate tag, why it was or was not chosen:');
    const args = ['why', '-n', NAMESPACE, '-w', 'deployment/frozen'];
    const out = await stack.fluxctl(...args);
    narrate.command(`fluxctl ${args.join(' ')}`, out.stdout + out.stderr);
    if (out.code !== 0) throw new DemoStepError(this.name, `fluxctl why exited with code ${out.code}`);
    if (!/locked/.test(out.stdout))
      throw new DemoStepError(this.name, 'fluxctl why does not mention the lock');
    return 'why names the lock';
  },
};
