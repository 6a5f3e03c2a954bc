import type { CommandContext } from '../cli/context.ts';
import { qualifyWorkload } from '../cli/workload-id.ts';
import { formatImages, imagesJson } from '../output/images-table.ts';
import { formatWorkloads, workloadsJson } from '../output/workloads-table.ts';
import { UsageError } from './policy-update.ts';

/** `-o/--output-format`: `tab` or `json`. */
export function outputFormat(value: string): 'tab' | 'json' {
  if (value !== 'tab' && value !== 'json') throw new UsageError('invalid output format specified');
  return value;
}

/** `fluxctl list-workloads` (alias `list-controllers`). */
export async function listWorkloads(
  ctx: CommandContext,
  opts: {
    namespace?: string;
    allNamespaces: boolean;
    container?: string;
    noHeaders: boolean;
    outputFormat: string;
  },
): Promise<void> {
  const format = outputFormat(opts.outputFormat);
  const namespace = opts.allNamespaces ? '' : (opts.namespace ?? ctx.defaultNamespace());
  const api = await ctx.api();
  const workloads = await api.listServices({ namespace }, { signal: ctx.signal });
  const filter = opts.container ? { container: opts.container } : {};
  ctx.io.stdout.write(
    format === 'json'
      ? workloadsJson(workloads, filter)
      : formatWorkloads(workloads, { noHeaders: opts.noHeaders, ...filter }),
  );
}

/** `fluxctl list-images`. */
export async function listImages(
  ctx: CommandContext,
  opts: {
    namespace?: string;
    workload?: string;
    controller?: string;
    limit: number;
    noHeaders: boolean;
    outputFormat: string;
  },
): Promise<void> {
  const format = outputFormat(opts.outputFormat);
  if (opts.workload && opts.controller) throw new UsageError("can't specify both the controller and image");
  const namespace = opts.namespace ?? ctx.defaultNamespace();
  const workload = opts.workload || opts.controller;
  const service = workload ? qualifyWorkload(workload, namespace) : '<all>';
  const api = await ctx.api();
  const images = await api.listImages(
    { service, containerFields: [], namespace: workload ? '' : namespace },
    { signal: ctx.signal },
  );
  ctx.io.stdout.write(
    format === 'json'
      ? imagesJson(images, opts.limit)
      : formatImages(images, { noHeaders: opts.noHeaders, limit: opts.limit }),
  );
}
