import { DemoStepError } from '../errors.ts';
import { NEW_TAG } from '../seed.ts';
import { waitFor } from '../wait.ts';
import type { Step } from './types.ts';

/** The changed lines of a `git show --unified=0` diff, by file. */
export function changedLines(diff: string): { file: string; removed: string[]; added: string[] }[] {
  const files: { file: string; removed: string[]; added: string[] }[] = [];
  for (const line of diff.split('\n')) {
    const header = /^\+\+\+ b\/(.*)$/.exec(line);
    if (header) files.push({ file: header[1] ?? '', removed: [], added: [] });
    else if (line.startsWith('--- ') || line.startsWith('+++ ')) continue;
    else if (line.startsWith('-')) files.at(-1)?.removed.push(line.slice(1));
    else if (line.startsWith('+')) files.at(-1)?.added.push(line.slice(1));
  }
  return files;
}

export const automatedCommit: Step = {
  name: 'automated commit',
  title: 'fluxd commits the new tag to git',
  async run(ctx) {
    const { stack, narrate } = ctx;
    narrate.say(
      'fluxd rescans the registry, finds 1.0.1 for podinfo, edits the one image line in podinfo.yaml\n' +
        '(byte-exact: nothing else in the file changes), commits and pushes:',
    );
    const head = await waitFor(
      this.name,
      'an automated commit on main',
      async () => {
        const h = await stack.user.pull();
        return h !== ctx.headBeforePush ? h : undefined;
      },
      60_000,
    );
    const subject = (await stack.user.git('log', '-1', '--format=%h %an: %s', head)).trim();
    const diff = await stack.user.git('show', '--format=', '--unified=0', head);
    const changes = changedLines(diff);
    narrate.command('git pull && git show HEAD', subject);
    for (const c of changes) {
      narrate.block(
        [`${c.file}:`, ...c.removed.map((l) => `-${l}`), ...c.added.map((l) => `+${l}`)].join('\n'),
      );
    }
    const [only] = changes;
    if (changes.length !== 1 || only?.file !== 'podinfo.yaml') {
      throw new DemoStepError(
        this.name,
        `the commit should change podinfo.yaml only, it changes ${changes.map((c) => c.file).join(', ')}`,
      );
    }
    if (
      only.removed.length !== 1 ||
      only.added.length !== 1 ||
      !only.removed[0]?.includes('image:') ||
      !only.added[0]?.endsWith(`image: ${ctx.newImage}`)
    ) {
      throw new DemoStepError(this.name, `the commit should change exactly the image line to ${NEW_TAG.tag}`);
    }
    return 'the automated commit changes exactly the image line';
  },
};
