import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CommandContext } from '../cli/context.ts';
import { cleanExported, savePath, saveToStdout } from '../output/save.ts';
import { UsageError } from './policy-update.ts';

/** `fluxctl save`: the cluster's workloads as clean manifests, on stdout or one file each under `--out`. */
export async function save(ctx: CommandContext, opts: { out: string }): Promise<void> {
  const api = await ctx.api();
  const objects = cleanExported(await api.export({ signal: ctx.signal }));
  if (opts.out === '-') {
    ctx.io.stdout.write(saveToStdout(objects));
    return;
  }
  const info = await stat(opts.out).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`output directory ${opts.out} does not exist`);
  for (const obj of objects) {
    const path = savePath(obj, opts.out);
    ctx.io.stderr.write(`Saving ${obj.kind} '${obj.name}' to ${path}\n`);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, obj.text);
  }
}
