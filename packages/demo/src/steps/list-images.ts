import { DemoStepError } from '../errors.ts';
import { SAMPLE_IMAGES } from '../seed.ts';
import { NAMESPACE } from '../stack.ts';
import { waitFor } from '../wait.ts';
import type { Step } from './types.ts';

interface ImageStatus {
  ID: string;
  Containers: { Name: string; Current?: { ID: string }; Available?: { ID: string }[] | null }[];
}

/** How many tags the registry holds for the repository of `image` (a reference with a tag). */
function expectedTags(image: string): number {
  const repo = image.replace(/^[^/]+\//, '').replace(/:[^:/]+$/, '');
  return SAMPLE_IMAGES.filter((i) => i.repo === repo).length;
}

export const listImages: Step = {
  name: 'list-images',
  title: 'What the registry holds: fluxctl list-images',
  async run({ stack, narrate }) {
    await waitFor(this.name, 'fluxd to scan every image repository', async () => {
      const images = await stack.api<ImageStatus[]>(`/v10/images?namespace=${NAMESPACE}`);
      const containers = images.flatMap((i) => i.Containers);
      return (
        containers.length >= 3 &&
        containers.every((c) => (c.Available?.length ?? 0) === expectedTags(c.Current?.ID ?? ''))
      );
    });
    narrate.say(
      'fluxd scanned the registry: every tag with its creation time, newest first, and the one running (->).\n' +
        'nightly follows glob:main-*, ordered by creation time: main-build-17 is the newest although it sorts\n' +
        'lowest as a string. podinfo follows semver:~1.0, so 2.0.0 is not a candidate.',
    );
    const out = await stack.fluxctl('list-images', '-n', NAMESPACE);
    narrate.command(`fluxctl list-images -n ${NAMESPACE}`, out.stdout + out.stderr);
    if (out.code !== 0)
      throw new DemoStepError(this.name, `fluxctl list-images exited with code ${out.code}`);
    for (const tag of ['1.0.0', '2.0.0', 'main-build-17', 'main-build-9']) {
      if (!out.stdout.includes(tag))
        throw new DemoStepError(this.name, `list-images does not show the tag ${tag}`);
    }
    return `list-images shows the ${SAMPLE_IMAGES.length} tags of 3 repositories`;
  },
};
