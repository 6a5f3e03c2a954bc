import { chmod, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { ErrorKind, FluxError, isFluxError } from '../errors.ts';
import { type Logger, noopLogger } from '../logger.ts';
import type { PolicyUpdate } from '../policy/policy-update.ts';
import { parseResourceId, type ResourceId } from '../resource/id.ts';
import type { Resource } from '../resource/types.ts';
import { type CommandRunner, createShellRunner } from './command-runner.ts';
import {
  type CommandUpdatedConfig,
  ConfigMode,
  DEFAULT_COMMAND_TIMEOUT_MS,
  type PatchUpdatedConfig,
} from './config.ts';
import { GeneratedResourceNotFoundError, GitPathError, PatchError } from './errors.ts';
import {
  type FluxYamlFs,
  type LoadedConfig,
  loadConfigFile,
  nodeFluxYamlFs,
  resolveGitPath,
} from './find-config.ts';
import {
  type ManifestParseOptions,
  type ParseManifestsFn,
  policyChanges,
  runGenerators,
  runImageUpdaters,
  runPolicyUpdaters,
} from './generate.ts';
import { applyPatchFile, createPatchFile, type IsStrategic, renderStream } from './patch.ts';

/**
 * Sets a container's image in a YAML stream's text, byte-exactly (`setContainerImage` of
 * `../manifests/update-image.ts`, bound to the daemon's default namespace).
 *
 * @throws when the resource or container is not in the text.
 */
export type SetContainerImageFn = (text: string, id: string, container: string, image: string) => string;

/**
 * Adds and removes policies of a workload in a YAML stream's text, byte-exactly
 * (`updateWorkloadPolicies` of `../manifests/update-policies.ts`, bound to the default namespace).
 *
 * @throws when the resource is not in the text.
 */
export type UpdatePoliciesFn = (text: string, id: string, update: PolicyUpdate) => string;

/** The file system manifest generation needs: {@link FluxYamlFs} plus writing the patch file. */
export interface GenerationFs extends FluxYamlFs {
  /** Writes `text` to `path`, leaving the file with permissions `mode`. */
  writeFile(path: string, text: string, mode: number): Promise<void>;
}

/** {@link GenerationFs} on node:fs. */
export const nodeGenerationFs: GenerationFs = {
  ...nodeFluxYamlFs,
  async writeFile(path, text, mode) {
    await writeFile(path, text, { mode });
    await chmod(path, mode);
  },
};

/** Options for {@link createManifestGeneration}. */
export interface ManifestGenerationOptions {
  /** Absolute path of the repository checkout (one revision). */
  repoRoot: string;
  /** `--git-path` values relative to the root; empty or absent: the root. */
  paths?: readonly string[];
  /** The manifest parser (`parseManifests`). */
  parse: ParseManifestsFn;
  /** Options for `parse`, and for matching patches to resources. */
  parseOptions?: ManifestParseOptions;
  /** The byte-exact image editor, used for patchUpdated targets. */
  setContainerImage: SetContainerImageFn;
  /** The byte-exact policy editor, used for patchUpdated targets. */
  updatePolicies: UpdatePoliciesFn;
  /** Runs the commands. Default: `/bin/sh -c` ({@link createShellRunner}). */
  runner?: CommandRunner;
  fs?: GenerationFs;
  /** fluxd's environment: generators get all of it, updaters only its PATH. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Timeout of commands that set none: `--sync-timeout`. Default 1 minute. */
  defaultTimeoutMs?: number;
  /** Which kinds get a strategic merge patch (default: built-in Kubernetes kinds). */
  isStrategic?: IsStrategic;
  logger?: Logger;
}

/** What a git path turned out to be. */
export const TargetKind = {
  /** No `.flux.yaml` (or `scanForFiles`): read the YAML files under `path`. */
  Raw: 'raw',
  /** Manifests made by a `.flux.yaml`'s generators. */
  Generated: 'generated',
  /** Nothing could be read: a bad `.flux.yaml`, a failing generator, a patch that does not apply. */
  Failed: 'failed',
} as const;
export type TargetKind = (typeof TargetKind)[keyof typeof TargetKind];

/** A git path whose YAML files are read as they are. */
export interface RawTarget {
  kind: typeof TargetKind.Raw;
  /** The git path as given. */
  target: string;
  /** Absolute path to load (a directory, or a single file). */
  path: string;
  /** The `.flux.yaml` that said `scanForFiles`, relative to the repository root. */
  configFile?: string;
}

/** A git path whose manifests a `.flux.yaml` generates. */
export interface GeneratedTarget {
  kind: typeof TargetKind.Generated;
  target: string;
  config: LoadedConfig;
  /**
   * The generated (and patched) resources. Their `file` is the config's label, e.g.
   * `staging/../.flux.yaml`: they cannot be edited as files, only through {@link ManifestGeneration}.
   */
  resources: Resource[];
  /** Documents of the generated output that did not parse; the other resources are still there. */
  errors: FluxError[];
}

/** A git path that gave no manifests because of an error. */
export interface FailedTarget {
  kind: typeof TargetKind.Failed;
  target: string;
  errors: FluxError[];
}

/** What {@link ManifestGeneration.load} gives for one git path. */
export type TargetManifests = RawTarget | GeneratedTarget | FailedTarget;

/** What an update did. */
export interface UpdateResult {
  /** The git path whose `.flux.yaml` handled it. */
  target: string;
  /** The file written (the patch file) or the config whose updaters ran, relative to the repository root. */
  file: string;
  /**
   * Whether anything changed. Command updaters always count as a change (Flux v1); for a patch
   * file, whether the edit changed the manifests.
   */
  changed: boolean;
}

/** An image change. */
export interface ImageUpdateRequest {
  id: ResourceId | string;
  container: string;
  /** The new image reference, in the manifest's form. */
  image: string;
}

/** A policy change. */
export interface PolicyUpdateRequest {
  id: ResourceId | string;
  update: PolicyUpdate;
}

/**
 * Manifest generation for one checkout: finds each git path's `.flux.yaml`, runs generators
 * (output cached for the life of the instance, which should be one revision), applies patch files,
 * and carries out image and policy updates through updaters or the patch file.
 */
export interface ManifestGeneration {
  /** Every git path's manifests, or what to read instead, or why there are none. Never throws for a target's errors. */
  load(signal?: AbortSignal): Promise<TargetManifests[]>;
  /**
   * Changes a container's image of a generated workload: runs the `containerImage` updaters
   * (commandUpdated) or edits the patched manifests and rewrites the patch file (patchUpdated).
   *
   * @throws {GeneratedResourceNotFoundError} when no `.flux.yaml` target generates the resource.
   */
  updateImage(request: ImageUpdateRequest, signal?: AbortSignal): Promise<UpdateResult>;
  /**
   * Adds/removes policies of a generated workload, through the `policy` updaters (one run per
   * changed key) or the patch file.
   *
   * @throws {GeneratedResourceNotFoundError} when no `.flux.yaml` target generates the resource.
   */
  updatePolicies(request: PolicyUpdateRequest, signal?: AbortSignal): Promise<UpdateResult>;
  /** Forgets cached generator output (e.g. after the checkout changed). */
  invalidate(): void;
}

interface ConfiguredTarget {
  target: string;
  config: LoadedConfig & { config: CommandUpdatedConfig | PatchUpdatedConfig };
}

type ResolvedTarget = RawTarget | FailedTarget | ({ kind: typeof TargetKind.Generated } & ConfiguredTarget);

interface Generated {
  text: string;
  resources: Resource[];
  errors: FluxError[];
}

const PATCH_FILE_MODE = 0o600;

const toPosix = (p: string): string => (sep === '/' ? p : p.split(sep).join('/'));

/** Errors of one target as data; a foreign error (e.g. an I/O failure) is wrapped, keeping it as the cause. */
function asFluxErrors(err: unknown, target: string): FluxError[] {
  if (isFluxError(err)) return [err];
  return [
    new FluxError(
      `manifest generation for git path "${target}" failed: ${(err as Error)?.message ?? String(err)}`,
      {
        code: 'flux-yaml.failed',
        kind: ErrorKind.Server,
        help: 'Check that fluxd can read and write the repository checkout.',
        cause: err,
      },
    ),
  ];
}

/** Creates the manifest generation of one checkout. See {@link ManifestGeneration}. */
export function createManifestGeneration(options: ManifestGenerationOptions): ManifestGeneration {
  const fs = options.fs ?? nodeGenerationFs;
  const runner = options.runner ?? createShellRunner();
  const logger = options.logger ?? noopLogger;
  const parseOptions = options.parseOptions ?? {};
  const defaultNamespace = parseOptions.defaultNamespace ?? 'default';
  const sourceEnv = options.env ?? process.env;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(sourceEnv)) if (v !== undefined) env[k] = v;
  const updaterPath = env.PATH ?? '';
  const paths = options.paths && options.paths.length > 0 ? options.paths : [''];

  let resolved: Promise<ResolvedTarget[]> | undefined;
  const generatedCache = new Map<string, Promise<Generated>>();

  async function resolveOne(target: string): Promise<ResolvedTarget> {
    try {
      const loaded = await loadConfigFile({
        repoRoot: options.repoRoot,
        target,
        fs,
        defaultTimeoutMs: options.defaultTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
      });
      const path = resolveGitPath(options.repoRoot, target);
      if (!loaded) {
        logger.debug({ path: target }, 'no .flux.yaml found for path; using raw manifests');
        return { kind: TargetKind.Raw, target, path };
      }
      const { config } = loaded;
      if (config.mode === ConfigMode.ScanForFiles) {
        return { kind: TargetKind.Raw, target, path, configFile: loaded.fileRelative };
      }
      return { kind: TargetKind.Generated, target, config: { ...loaded, config } };
    } catch (err) {
      return { kind: TargetKind.Failed, target, errors: asFluxErrors(err, target) };
    }
  }

  function resolveAll(): Promise<ResolvedTarget[]> {
    resolved ??= (async () => {
      const seen = new Set<string>();
      const unique: string[] = [];
      for (const p of paths) {
        let key: string;
        try {
          key = resolveGitPath(options.repoRoot, p);
        } catch {
          key = `invalid:${p}`;
        }
        if (!seen.has(key)) {
          seen.add(key);
          unique.push(p);
        }
      }
      return Promise.all(unique.map(resolveOne));
    })();
    return resolved;
  }

  function generate(t: ConfiguredTarget, signal: AbortSignal | undefined): Promise<Generated> {
    const cached = generatedCache.get(t.target);
    if (cached) return cached;
    const { config } = t;
    const promise = (async (): Promise<Generated> => {
      const started = performance.now();
      const output = await runGenerators(config.config.generators, {
        runner,
        cwd: config.workingDir,
        env,
        source: config.label,
        ...(signal ? { signal } : {}),
      });
      logger.debug(
        {
          path: t.target,
          config: config.fileRelative,
          ms: Math.round(performance.now() - started),
          bytes: output.text.length,
        },
        'ran .flux.yaml generators',
      );
      const parsed = options.parse(output.text, config.label, parseOptions);
      return { text: output.text, resources: parsed.resources, errors: parsed.errors };
    })();
    generatedCache.set(t.target, promise);
    // A failure is not kept: the next load runs the generators again.
    promise.catch(() => {
      if (generatedCache.get(t.target) === promise) generatedCache.delete(t.target);
    });
    return promise;
  }

  function patchFilePath(t: ConfiguredTarget & { config: { config: PatchUpdatedConfig } }): {
    abs: string;
    rel: string;
  } {
    const abs = join(t.config.workingDir, t.config.config.patchFile);
    const rel = toPosix(relative(options.repoRoot, abs));
    if (rel === '..' || rel.startsWith('../'))
      throw new GitPathError(t.config.config.patchFile, 'outside-repo');
    return { abs, rel };
  }

  /** The patch file's text; '' when it does not exist yet but its directory does. */
  async function readPatchFile(abs: string, rel: string): Promise<string> {
    const st = await fs.stat(abs);
    if (st) return fs.readFile(abs);
    const dir = await fs.stat(dirname(abs));
    if (dir?.isDirectory()) return '';
    throw new PatchError(
      rel,
      `base directory (${toPosix(dirname(rel))}) of patchFile (${rel}) does not exist`,
      {
        help: 'Create the directory of the patch file in the repository, or fix patchFile in the .flux.yaml (it is relative to the git path).',
      },
    );
  }

  const isPatchUpdated = (
    t: ConfiguredTarget,
  ): t is ConfiguredTarget & { config: { config: PatchUpdatedConfig } } =>
    t.config.config.mode === ConfigMode.PatchUpdated;

  async function patched(
    t: ConfiguredTarget & { config: { config: PatchUpdatedConfig } },
    gen: Generated,
  ): Promise<{
    stream: string;
    resources: Resource[];
    errors: FluxError[];
    patchText: string;
    patchRel: string;
    patchAbs: string;
  }> {
    const { abs, rel } = patchFilePath(t);
    const patchText = await readPatchFile(abs, rel);
    const objects = applyPatchFile(gen.resources, patchText, {
      file: rel,
      defaultNamespace,
      ...(options.isStrategic ? { isStrategic: options.isStrategic } : {}),
    });
    const stream = renderStream(objects.map((o) => o.object));
    if (!objects.some((o) => o.patched)) {
      return {
        stream,
        resources: gen.resources,
        errors: gen.errors,
        patchText,
        patchRel: rel,
        patchAbs: abs,
      };
    }
    const reparsed = options.parse(stream, t.config.label, parseOptions);
    return {
      stream,
      resources: reparsed.resources,
      errors: [...gen.errors, ...reparsed.errors],
      patchText,
      patchRel: rel,
      patchAbs: abs,
    };
  }

  async function loadOne(t: ResolvedTarget, signal: AbortSignal | undefined): Promise<TargetManifests> {
    if (t.kind !== TargetKind.Generated) return t;
    try {
      const gen = await generate(t, signal);
      if (!isPatchUpdated(t)) {
        return {
          kind: TargetKind.Generated,
          target: t.target,
          config: t.config,
          resources: gen.resources,
          errors: gen.errors,
        };
      }
      const p = await patched(t, gen);
      return {
        kind: TargetKind.Generated,
        target: t.target,
        config: t.config,
        resources: p.resources,
        errors: p.errors,
      };
    } catch (err) {
      if (signal?.aborted) throw err;
      return { kind: TargetKind.Failed, target: t.target, errors: asFluxErrors(err, t.target) };
    }
  }

  async function load(signal?: AbortSignal): Promise<TargetManifests[]> {
    const targets = await resolveAll();
    return Promise.all(targets.map((t) => loadOne(t, signal)));
  }

  /** The generated target that makes `id`, with the resource. */
  async function owner(
    id: ResourceId,
    signal: AbortSignal | undefined,
  ): Promise<{ target: ConfiguredTarget; resource: Resource }> {
    const targets = await resolveAll();
    let failure: FluxError | undefined;
    for (const t of targets) {
      if (t.kind !== TargetKind.Generated) continue;
      const loaded = await loadOne(t, signal);
      if (loaded.kind === TargetKind.Failed) failure ??= loaded.errors[0];
      if (loaded.kind !== TargetKind.Generated) continue;
      const resource = loaded.resources.find((r) => r.id.equals(id));
      if (resource) return { target: t, resource };
    }
    // The resource may be in the output of a target that failed: say why that failed.
    throw failure ?? new GeneratedResourceNotFoundError(id.toString());
  }

  async function editPatchFile(
    t: ConfiguredTarget & { config: { config: PatchUpdatedConfig } },
    edit: (stream: string) => string,
    signal: AbortSignal | undefined,
  ): Promise<UpdateResult> {
    const gen = await generate(t, signal);
    const p = await patched(t, gen);
    const edited = edit(p.stream);
    if (edited === p.stream) return { target: t.target, file: p.patchRel, changed: false };
    const reparsed = options.parse(edited, t.config.label, parseOptions);
    const [firstError] = reparsed.errors;
    if (firstError) throw firstError;
    const patchText = createPatchFile(gen.resources, reparsed.resources, {
      defaultNamespace,
      ...(options.isStrategic ? { isStrategic: options.isStrategic } : {}),
    });
    if (patchText !== p.patchText) await fs.writeFile(p.patchAbs, patchText, PATCH_FILE_MODE);
    return { target: t.target, file: p.patchRel, changed: true };
  }

  const updaterOptions = (t: ConfiguredTarget, signal: AbortSignal | undefined) => ({
    runner,
    cwd: t.config.workingDir,
    path: updaterPath,
    configFile: t.config.fileRelativeToWorkingDir,
    target: t.config.workingDirRelative,
    source: t.config.label,
    ...(signal ? { signal } : {}),
  });

  const toId = (id: ResourceId | string): ResourceId => (typeof id === 'string' ? parseResourceId(id) : id);

  return {
    load,

    async updateImage(request, signal) {
      const id = toId(request.id);
      const { target } = await owner(id, signal);
      if (isPatchUpdated(target)) {
        return editPatchFile(
          target,
          (stream) => options.setContainerImage(stream, id.toString(), request.container, request.image),
          signal,
        );
      }
      try {
        await runImageUpdaters(
          target.config.config as CommandUpdatedConfig,
          { id, container: request.container, image: request.image },
          updaterOptions(target, signal),
        );
      } finally {
        generatedCache.delete(target.target);
      }
      return { target: target.target, file: target.config.fileRelative, changed: true };
    },

    async updatePolicies(request, signal) {
      const id = toId(request.id);
      const { target, resource } = await owner(id, signal);
      if (isPatchUpdated(target)) {
        return editPatchFile(
          target,
          (stream) => options.updatePolicies(stream, id.toString(), request.update),
          signal,
        );
      }
      const changes = policyChanges(
        request.update,
        (resource.containers ?? []).map((c) => c.name),
      );
      try {
        await runPolicyUpdaters(
          target.config.config as CommandUpdatedConfig,
          id,
          changes,
          updaterOptions(target, signal),
        );
      } finally {
        generatedCache.delete(target.target);
      }
      return { target: target.target, file: target.config.fileRelative, changed: true };
    },

    invalidate() {
      resolved = undefined;
      generatedCache.clear();
    },
  };
}
