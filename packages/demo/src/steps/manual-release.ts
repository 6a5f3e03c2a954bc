import { DemoStepError } from '../errors.ts';
import { MANUAL_RELEASE } from '../seed.ts';
import { NAMESPACE } from '../stack.ts';
import { waitFor } from '../wait.ts';
import { liveImage } from '../workloads.ts';
import { changedLines } from './automated-commit.ts';
import type { Step } from './types.ts';

export const manualRelease: Step = {
  name: 'manual release',
  title: 'A manual release: fluxctl release',
  async run({ stack, narrate }) {
    const image = `${stack.registry.host}/${MANUAL_RELEASE.repo}:${MANUAL_RELEASE.tag}`;
    narrate.say(
      'redis is a HelmRelease and is not automated. Release a new tag by hand: fluxd edits the tag in the\n' +
        "chart values, commits, pushes and applies; fluxctl waits until it's applied.",
    );
    const before = await stack.user.pull();
    const args = ['release', '-n', NAMESPACE, '--workload', 'helmrelease/redis', '--update-image', image];
    const out = await stack.fluxctl(...args);
    // As on a terminal: the "Submitting" line (stderr), the result table (stdout), then the commit lines.
    const [submitting = '', ...rest] = out.stderr.split(/(?<=\n)/);
    narrate.command(`fluxctl ${args.join(' ')}`, `${submitting}${out.stdout}${rest.join('')}`);
    if (out.code !== 0) throw new DemoStepError(this.name, `fluxctl release exited with code ${out.code}`);
    if (!out.stderr.includes('Commit applied')) {
      throw new DemoStepError(this.name, 'fluxctl release did not report the commit applied');
    }
    const head = await stack.user.pull();
    if (head === before) throw new DemoStepError(this.name, 'no new commit on main after the release');
    const changes = changedLines(await stack.user.git('show', '--format=', '--unified=0', head));
    narrate.command(
      'git pull && git show HEAD',
      (await stack.user.git('log', '-1', '--format=%h %an: %s')).trim(),
    );
    for (const c of changes) {
      narrate.block(
        [`${c.file}:`, ...c.removed.map((l) => `-${l}`), ...c.added.map((l) => `+${l}`)].join('\n'),
      );
    }
    if (changes.length !== 1 || changes[0]?.file !== 'redis.yaml') {
      throw new DemoStepError(this.name, 'the release commit should change redis.yaml only');
    }
    await waitFor(
      this.name,
      `${NAMESPACE}:helmrelease/redis at ${image} in the cluster`,
      async () => (await liveImage(stack, `${NAMESPACE}:helmrelease/redis`)) === image,
    );
    return `release committed and applied: ${NAMESPACE}:helmrelease/redis runs ${MANUAL_RELEASE.tag}`;
  },
};
