import { NEW_TAG } from '../seed.ts';
import type { Step } from './types.ts';

export const pushTag: Step = {
  name: 'push a new tag',
  title: 'Push a new tag to the registry',
  async run(ctx) {
    const { stack, narrate } = ctx;
    ctx.headBeforePush = await stack.user.pull();
    const ref = `${stack.registry.host}/${NEW_TAG.repo}:${NEW_TAG.tag}`;
    ctx.newImage = ref;
    narrate.say(
      `CI built podinfo ${NEW_TAG.tag} (created ${NEW_TAG.created}). podinfo and frozen both follow\n` +
        'semver:~1.0, so 1.0.1 is a candidate for both; frozen is locked.',
    );
    await stack.push(NEW_TAG);
    narrate.command(`node packages/demo/dist/bin/demo.js push-tag ${ref}`, `pushed ${ref}`);
    return `pushed ${ref}`;
  },
};
