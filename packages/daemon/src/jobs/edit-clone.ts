import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type ContainerUpdate,
  ErrorKind,
  FluxError,
  type FluxError as FluxErrorType,
  type ManifestGeneration,
  manifestGeneration,
  noopLogger,
  type PolicyUpdate,
  type Resource,
  setContainerImage,
  updateWorkloadPolicies,
} from '@flux-ts/core';
import type { Checkout } from '@flux-ts/git';
import { loadRepoResources } from '../repo/load-resources.ts';
import type { JobContext } from './context.ts';

/** The manifests of a working clone could not be read: a job refuses to write on top of them. */
export class UnparsableManifestsError extends FluxError {
  constructor(errors: readonly FluxErrorType[]) {
    super(errors.map((e) => e.message).join('; '), {
      code: 'job.unparsable-manifests',
      kind: ErrorKind.User,
      help: 'Unable to parse files as manifests. Fix the files named above in git, then retry.',
    });
  }
}

/** A working clone with its resources, and editors that change only the bytes that must change. */
export interface EditableClone {
  checkout: Checkout;
  resources: Map<string, Resource>;
  /** Writes container images into the resource's file (or through `.flux.yaml` updaters). */
  setImages(id: string, updates: readonly ContainerUpdate[], signal?: AbortSignal): Promise<void>;
  /** Writes a policy change into the resource's annotations. */
  updatePolicies(id: string, update: PolicyUpdate, signal?: AbortSignal): Promise<boolean>;
  /** Re-reads the resources after edits (for verification). */
  reload(signal?: AbortSignal): Promise<Map<string, Resource>>;
}

async function load(
  ctx: JobContext,
  checkout: Checkout,
  signal?: AbortSignal,
): Promise<{ resources: Map<string, Resource>; generated: Set<string> }> {
  const loaded = await loadRepoResources({
    dir: checkout.dir,
    manifestDirs: checkout.manifestDirs(),
    gitPaths: ctx.gitPaths,
    manifestGeneration: ctx.manifestGeneration,
    defaultNamespace: ctx.defaultNamespace,
    logger: ctx.logger,
    ...(ctx.commandTimeoutMs ? { commandTimeoutMs: ctx.commandTimeoutMs } : {}),
    ...(signal ? { signal } : {}),
  });
  // Flux v1 refuses to change a repo it cannot fully read; so do we (except for duplicates, which
  // name both files and would make edits ambiguous: also refused).
  if (loaded.errors.length > 0) throw new UnparsableManifestsError(loaded.errors);
  return {
    resources: new Map(loaded.resources.map((r) => [r.id.toString(), r])),
    generated: loaded.generated,
  };
}

/** Opens a working clone at the head for a job that edits manifests. */
export async function editableClone(ctx: JobContext, signal?: AbortSignal): Promise<EditableClone> {
  const checkout = await ctx.mirror.clone(undefined, signal);
  try {
    let { resources, generated: fromGenerators } = await load(ctx, checkout, signal);
    const edit = ctx.defaultNamespace ? { defaultNamespace: ctx.defaultNamespace } : {};
    let generation: ManifestGeneration | undefined;
    if (ctx.manifestGeneration) {
      generation = manifestGeneration({
        repoRoot: checkout.dir,
        paths: ctx.gitPaths,
        parseOptions: edit,
        logger: ctx.logger ?? noopLogger,
        ...(ctx.commandTimeoutMs ? { defaultTimeoutMs: ctx.commandTimeoutMs } : {}),
      });
    }
    const fileOf = (id: string): string => {
      const r = resources.get(id);
      if (!r) throw new Error(`${id} is not defined in the repository`);
      return join(checkout.dir, r.file);
    };
    return {
      checkout,
      get resources() {
        return resources;
      },
      async setImages(id, updates, sig) {
        if (generation && fromGenerators.has(id)) {
          for (const u of updates)
            await generation.updateImage({ id, container: u.container, image: u.target }, sig);
          return;
        }
        const file = fileOf(id);
        let text = await readFile(file, 'utf8');
        for (const u of updates) text = setContainerImage(text, id, u.container, u.target, edit);
        await writeFile(file, text);
      },
      async updatePolicies(id, update, sig) {
        if (generation && fromGenerators.has(id)) {
          return (await generation.updatePolicies({ id, update }, sig)).changed;
        }
        const file = fileOf(id);
        const before = await readFile(file, 'utf8');
        const after = updateWorkloadPolicies(before, id, update, edit);
        if (after !== before) await writeFile(file, after);
        return after !== before;
      },
      async reload(sig) {
        generation?.invalidate();
        ({ resources, generated: fromGenerators } = await load(ctx, checkout, sig));
        return resources;
      },
    };
  } catch (err) {
    await checkout.clean();
    throw err;
  }
}
