import type { FluxError } from '../errors.ts';
import { parseImageRef } from '../image/ref.ts';
import type { PolicyUpdate } from '../policy/policy-update.ts';
import type { ResourceId } from '../resource/id.ts';
import type { Resource } from '../resource/types.ts';
import { type CommandRunner, runChecked } from './command-runner.ts';
import type { CommandSpec, CommandUpdatedConfig } from './config.ts';
import { NoUpdaterCommandsError } from './errors.ts';

/** Options of the manifest parser, as the daemon configures it. */
export interface ManifestParseOptions {
  /** Namespace of namespaced resources that name none. */
  defaultNamespace?: string;
  /** API discovery: whether a kind is namespaced (undefined when unknown). */
  isNamespaced?: (apiVersion: string, kind: string) => boolean | undefined;
}

/** What parsing a YAML stream gives: resources, and the problems found (each naming file and line). */
export interface ManifestParseResult {
  resources: Resource[];
  errors: FluxError[];
}

/**
 * Parses a multi-document YAML stream into resources (`parseManifests` of `../manifests/parse.ts`).
 * Injected so this module does not depend on the manifest parser's internals.
 */
export type ParseManifestsFn = (
  text: string,
  file: string,
  options?: ManifestParseOptions,
) => ManifestParseResult;

/** Where one output sits in a concatenated stream (1-based lines). */
export interface StreamSegment {
  /** First line of the output in the stream. */
  startLine: number;
  /** Number of lines of the output. */
  lineCount: number;
}

/** Where one generator's output sits in the concatenated stream. */
export interface GeneratorSegment extends StreamSegment {
  command: string;
}

/** The generators' concatenated output. */
export interface GeneratorOutput {
  /** All outputs, each ending with a newline, joined by `---\n`. */
  text: string;
  segments: GeneratorSegment[];
}

/** Options for {@link runGenerators}. */
export interface RunGeneratorsOptions {
  runner: CommandRunner;
  /** The target path: commands run here (not in the directory of the `.flux.yaml`). */
  cwd: string;
  /** The generators' environment: fluxd's own. */
  env: Record<string, string>;
  /** The config's source label for errors, e.g. `staging/../.flux.yaml`. */
  source: string;
  signal?: AbortSignal;
}

const countLines = (s: string): number => {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
};

/**
 * Joins YAML streams into one: each gets a final newline if it lacks one, and a `---` line goes
 * between them, so the last document of one never runs into the first of the next.
 */
export function concatStreams(outputs: readonly string[]): { text: string; segments: StreamSegment[] } {
  let text = '';
  const segments: StreamSegment[] = [];
  outputs.forEach((out, i) => {
    if (i > 0) text += '---\n';
    const body = out === '' || out.endsWith('\n') ? out : `${out}\n`;
    segments.push({ startLine: countLines(text) + 1, lineCount: countLines(body) });
    text += body;
  });
  return { text, segments };
}

/**
 * Runs the generators in order in the target directory and concatenates their stdout (see
 * {@link concatStreams}). The first failing generator stops the rest.
 *
 * @throws {CommandError} for the first generator that fails, with its stderr.
 */
export async function runGenerators(
  generators: readonly CommandSpec[],
  options: RunGeneratorsOptions,
): Promise<GeneratorOutput> {
  const outputs: string[] = [];
  for (const g of generators) {
    const result = await runChecked(
      options.runner,
      g.command,
      {
        cwd: options.cwd,
        env: options.env,
        timeoutMs: g.timeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
      },
      { role: 'generator command', source: options.source },
    );
    outputs.push(result.stdout);
  }
  const joined = concatStreams(outputs);
  return {
    text: joined.text,
    segments: joined.segments.map((s, i) => ({ ...s, command: (generators[i] as CommandSpec).command })),
  };
}

/** The generator whose output holds `line` of the concatenated stream, if any. */
export function generatorAtLine(
  segments: readonly GeneratorSegment[],
  line: number,
): GeneratorSegment | undefined {
  return segments.find((s) => line >= s.startLine && line < s.startLine + Math.max(1, s.lineCount));
}

/** The variables every updater gets, naming the workload. */
export function workloadEnv(id: ResourceId): Record<string, string> {
  return {
    FLUX_WORKLOAD: id.toString(),
    FLUX_WL_NS: id.namespace,
    FLUX_WL_KIND: id.kind,
    FLUX_WL_NAME: id.name,
  };
}

/** An image change for updaters. */
export interface ImageUpdate {
  id: ResourceId;
  container: string;
  /** The new image reference in the manifest's form, e.g. `nginx:1.20` or `localhost:5000/app:v2`. */
  image: string;
}

/**
 * The exact environment of a `containerImage` updater: `PATH`, the workload variables,
 * `FLUX_CONTAINER`, `FLUX_IMG` (the image name without tag, as written) and `FLUX_TAG`.
 */
export function imageUpdaterEnv(update: ImageUpdate, path: string): Record<string, string> {
  const ref = parseImageRef(update.image);
  return {
    PATH: path,
    ...workloadEnv(update.id),
    FLUX_CONTAINER: update.container,
    FLUX_IMG: ref.name,
    FLUX_TAG: ref.tag,
  };
}

/** One policy to set (`value`) or remove (`value` undefined), e.g. `automated`, `tag.app`, `locked_msg`. */
export interface PolicyChange {
  policy: string;
  value: string | undefined;
}

/**
 * The exact environment of a `policy` updater: `PATH`, the workload variables, `FLUX_POLICY` and,
 * unless the policy is being removed, `FLUX_POLICY_VALUE`.
 */
export function policyUpdaterEnv(id: ResourceId, change: PolicyChange, path: string): Record<string, string> {
  const env: Record<string, string> = { PATH: path, ...workloadEnv(id), FLUX_POLICY: change.policy };
  if (change.value !== undefined) env.FLUX_POLICY_VALUE = change.value;
  return env;
}

/** The pseudo-policy that sets a tag filter on every container. */
export const TAG_ALL = 'tag_all';
const GLOB_ALL = 'glob:*';

/**
 * Turns a policy update into one change per key, sorted by key: `tag_all` becomes `tag.<container>`
 * for every container (`glob:*` removes the filters instead), and a removal wins over an addition of
 * the same key. Pattern validation is the caller's.
 */
export function policyChanges(update: PolicyUpdate, containers: readonly string[]): PolicyChange[] {
  const changes = new Map<string, string | undefined>();
  const removes = new Set(Object.keys(update.remove ?? {}));
  for (const [key, value] of Object.entries(update.add ?? {})) {
    if (key === TAG_ALL) {
      for (const c of containers) {
        if (value === GLOB_ALL) removes.add(`tag.${c}`);
        else changes.set(`tag.${c}`, value);
      }
      continue;
    }
    changes.set(key, value);
  }
  for (const key of removes) changes.set(key, undefined);
  return [...changes.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([policy, value]) => ({ policy, value }));
}

/** Options for the updater runners. */
export interface RunUpdatersOptions {
  runner: CommandRunner;
  /** The target path: commands run here. */
  cwd: string;
  /** `PATH` for the updaters (fluxd's own). */
  path: string;
  /** The config relative to the target (for "no commands" errors), e.g. `../.flux.yaml`. */
  configFile: string;
  /** The target as given (for "no commands" errors), e.g. `staging`. */
  target: string;
  /** The config's source label for command errors, e.g. `staging/../.flux.yaml`. */
  source: string;
  signal?: AbortSignal;
}

/**
 * Runs every `containerImage` command of every updater, in order, with {@link imageUpdaterEnv}.
 *
 * @throws {NoUpdaterCommandsError} when the config has none.
 * @throws {CommandError} for the first command that fails.
 */
export async function runImageUpdaters(
  config: CommandUpdatedConfig,
  update: ImageUpdate,
  options: RunUpdatersOptions,
): Promise<void> {
  const commands = config.updaters.flatMap((u) => (u.containerImage ? [u.containerImage] : []));
  if (commands.length === 0) {
    throw new NoUpdaterCommandsError('update.containerImage', options.configFile, options.target);
  }
  await runInOrder(commands, imageUpdaterEnv(update, options.path), 'image updater command', options);
}

/**
 * Runs every `policy` command of every updater, in order, once per change, with
 * {@link policyUpdaterEnv}. No changes → nothing runs.
 *
 * @throws {NoUpdaterCommandsError} when there are changes and the config has no policy commands.
 * @throws {CommandError} for the first command that fails.
 */
export async function runPolicyUpdaters(
  config: CommandUpdatedConfig,
  id: ResourceId,
  changes: readonly PolicyChange[],
  options: RunUpdatersOptions,
): Promise<void> {
  if (changes.length === 0) return;
  const commands = config.updaters.flatMap((u) => (u.policy ? [u.policy] : []));
  if (commands.length === 0) {
    throw new NoUpdaterCommandsError('updaters.policy', options.configFile, options.target);
  }
  for (const change of changes) {
    await runInOrder(commands, policyUpdaterEnv(id, change, options.path), 'policy updater command', options);
  }
}

/** Runs updater commands one after the other with the same environment; the first failure stops them. */
async function runInOrder(
  commands: readonly { command: string; timeoutMs: number }[],
  env: Record<string, string>,
  role: string,
  options: RunUpdatersOptions,
): Promise<void> {
  for (const c of commands) {
    await runChecked(
      options.runner,
      c.command,
      {
        cwd: options.cwd,
        env,
        timeoutMs: c.timeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
      },
      { role, source: options.source },
    );
  }
}
