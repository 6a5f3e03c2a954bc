import { isCollection, isMap, isPair, isScalar, LineCounter, type Node, parseDocument } from 'yaml';
import { z } from 'zod';
import { FluxYamlError } from './errors.ts';

/** The name of the manifest generation config file. */
export const CONFIG_FILENAME = '.flux.yaml';

/** How a `.flux.yaml` says the manifests of its target are made and updated. */
export const ConfigMode = {
  /** Generators make the manifests; updater commands change the sources. */
  CommandUpdated: 'commandUpdated',
  /** Generators make the manifests; updates are recorded in a patch file applied on top. */
  PatchUpdated: 'patchUpdated',
  /** No generation: the target's YAML files are read as they are. */
  ScanForFiles: 'scanForFiles',
} as const;
export type ConfigMode = (typeof ConfigMode)[keyof typeof ConfigMode];

/** A command of a `.flux.yaml`, with its timeout resolved. */
export interface CommandSpec {
  /** Run with `/bin/sh -c`. */
  command: string;
  /** The command's `timeout`, or the default when it has none or it is under one second. */
  timeoutMs: number;
}

/** One entry of `commandUpdated.updaters`. */
export interface UpdaterSpec {
  containerImage?: CommandSpec;
  policy?: CommandSpec;
}

/** `commandUpdated`: generators, and updater commands for image and policy changes. */
export interface CommandUpdatedConfig {
  mode: typeof ConfigMode.CommandUpdated;
  generators: CommandSpec[];
  updaters: UpdaterSpec[];
}

/** `patchUpdated`: generators, and a patch file (relative to the target) with the updates. */
export interface PatchUpdatedConfig {
  mode: typeof ConfigMode.PatchUpdated;
  generators: CommandSpec[];
  patchFile: string;
}

/** `scanForFiles`: read the target's YAML files as if there were no `.flux.yaml`. */
export interface ScanForFilesConfig {
  mode: typeof ConfigMode.ScanForFiles;
}

/** A validated `.flux.yaml` (version 1). */
export type FluxYamlConfig = CommandUpdatedConfig | PatchUpdatedConfig | ScanForFilesConfig;

/** Options for {@link parseFluxYaml}. */
export interface ParseFluxYamlOptions {
  /** The file's path for error messages (relative to the repository root). */
  file: string;
  /** Timeout of commands without one (fluxd's `--sync-timeout`). Default 60 s. */
  defaultTimeoutMs?: number;
}

/** Commands' timeout when neither the config nor the caller give one (Flux v1's `--sync-timeout` default). */
export const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;

const unitMs: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3, // U+00B5 micro sign
  μs: 1e-3, // U+03BC Greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};
const durationPart = /([0-9]*(?:\.[0-9]*)?)([a-zµμ]+)/y;

/**
 * Parses a Go duration string (`time.ParseDuration`: `90s`, `1m30s`, `1.5h`, `300ms`, `-2s`, `0`)
 * into milliseconds; undefined when it is not one.
 */
export function parseGoDuration(input: string): number | undefined {
  let s = input;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  durationPart.lastIndex = 0;
  while (durationPart.lastIndex < s.length) {
    const at = durationPart.lastIndex;
    const m = durationPart.exec(s);
    if (!m || m.index !== at) return undefined;
    const [, number = '', unit = ''] = m;
    const perUnit = unitMs[unit];
    if (perUnit === undefined || number === '' || number === '.') return undefined;
    total += Number(number) * perUnit;
  }
  return sign * total;
}

const timeoutSchema = z
  .string({ error: 'must be a duration string such as "90s" or "2m"' })
  .refine((s) => parseGoDuration(s) !== undefined, {
    error: 'is not a duration (write e.g. "90s", "2m" or "1m30s")',
  });

const commandSchema = z.strictObject({
  command: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }),
  timeout: timeoutSchema.optional(),
});

const generatorsSchema = z.array(commandSchema, { error: 'must be a list of {command: ...}' });

const fileSchema = z
  .strictObject(
    {
      version: z.literal(1, { error: 'must be 1' }),
      commandUpdated: z
        .strictObject(
          {
            generators: generatorsSchema,
            updaters: z
              .array(
                z.strictObject(
                  { containerImage: commandSchema.optional(), policy: commandSchema.optional() },
                  { error: 'must be a map with containerImage and/or policy' },
                ),
                { error: 'must be a list' },
              )
              .optional(),
          },
          { error: 'must be a map with generators (and optionally updaters)' },
        )
        .optional(),
      patchUpdated: z
        .strictObject(
          {
            generators: generatorsSchema,
            patchFile: z.string({ error: 'must be a path' }).min(1, { error: 'must not be empty' }),
          },
          { error: 'must be a map with generators and patchFile' },
        )
        .optional(),
      // `scanForFiles:` with nothing after it (null) is accepted as well as `scanForFiles: {}`.
      scanForFiles: z.strictObject({}, { error: 'must be an empty map: {}' }).nullable().optional(),
    },
    { error: 'must be a map with version: 1 and one of commandUpdated, patchUpdated or scanForFiles' },
  )
  .superRefine((value, ctx) => {
    const modes = (['commandUpdated', 'patchUpdated', 'scanForFiles'] as const).filter((k) => k in value);
    if (modes.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message:
          modes.length === 0
            ? 'needs one of commandUpdated, patchUpdated or scanForFiles'
            : `has ${modes.join(' and ')}; use exactly one of them`,
      });
    }
  });

type FileShape = z.infer<typeof fileSchema>;
type CommandShape = z.infer<typeof commandSchema>;

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out;
}

/** Whether `path` leads to a value (possibly null) in `value`. */
function hasPath(value: unknown, path: readonly PropertyKey[]): boolean {
  let v = value;
  for (const p of path) {
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, p)) return false;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return true;
}

/**
 * The node to point an error at: the one at `path`, or the nearest existing parent when it is
 * missing; for an unknown key, the key itself.
 */
function nodeFor(root: unknown, path: readonly PropertyKey[], unknownKey?: string): Node | undefined {
  let node: unknown = root;
  for (const p of path) {
    if (!isCollection(node)) break;
    const next: unknown = node.get(p, true);
    if (next === undefined || next === null) break;
    node = next;
  }
  if (unknownKey !== undefined && isMap(node)) {
    const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && it.key.value === unknownKey);
    if (pair && isPair(pair)) return pair.key as Node;
  }
  return node as Node | undefined;
}

/**
 * Parses and validates the text of a `.flux.yaml`: `version` must be exactly 1, exactly one of
 * `commandUpdated`, `patchUpdated` and `scanForFiles` must be present, and unknown keys are
 * rejected. Command timeouts are Go durations; those under one second are ignored (the default
 * applies), as in Flux v1.
 *
 * @throws {FluxYamlError} naming the file, the line and column, and each problem.
 */
export function parseFluxYaml(text: string, options: ParseFluxYamlOptions): FluxYamlConfig {
  const { file } = options;
  const defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const { line, col } = lineCounter.linePos(yamlError.pos[0]);
    const reason = yamlError.message.startsWith('Source contains multiple documents')
      ? 'more than one YAML document (a .flux.yaml has exactly one)'
      : yamlError.message.split('\n')[0];
    throw new FluxYamlError(file, [`not valid YAML: ${reason}`], {
      line,
      column: col,
      cause: yamlError,
    });
  }
  const value: unknown = doc.toJS();
  const parsed = fileSchema.safeParse(value ?? undefined);
  if (!parsed.success) {
    const problems: string[] = [];
    let first: Node | undefined;
    for (const issue of parsed.error.issues) {
      const path = formatPath(issue.path);
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          problems.push(`unknown field "${key}"${path ? ` in ${path}` : ''}`);
          first ??= nodeFor(doc.contents, issue.path, key);
        }
        continue;
      }
      if (value === null || value === undefined) {
        problems.push(
          'the file is empty; it needs version: 1 and one of commandUpdated, patchUpdated or scanForFiles',
        );
        continue;
      }
      const missing = issue.path.length > 0 && !hasPath(value, issue.path);
      problems.push(
        path === ''
          ? `the file ${issue.message}`
          : missing
            ? `${path} is required`
            : `${path} ${issue.message}`,
      );
      if (issue.path.length > 0) first ??= nodeFor(doc.contents, issue.path);
    }
    const position = first?.range ? lineCounter.linePos(first.range[0]) : undefined;
    throw new FluxYamlError(file, problems, position ? { line: position.line, column: position.col } : {});
  }
  return toConfig(parsed.data, defaultTimeoutMs);
}

function toCommand(c: CommandShape, defaultTimeoutMs: number): CommandSpec {
  const timeout = c.timeout === undefined ? undefined : parseGoDuration(c.timeout);
  return {
    command: c.command,
    timeoutMs: timeout !== undefined && timeout >= 1000 ? timeout : defaultTimeoutMs,
  };
}

function toConfig(data: FileShape, defaultTimeoutMs: number): FluxYamlConfig {
  if (data.commandUpdated) {
    return {
      mode: ConfigMode.CommandUpdated,
      generators: data.commandUpdated.generators.map((g) => toCommand(g, defaultTimeoutMs)),
      updaters: (data.commandUpdated.updaters ?? []).map((u) => {
        const updater: UpdaterSpec = {};
        if (u.containerImage) updater.containerImage = toCommand(u.containerImage, defaultTimeoutMs);
        if (u.policy) updater.policy = toCommand(u.policy, defaultTimeoutMs);
        return updater;
      }),
    };
  }
  if (data.patchUpdated) {
    return {
      mode: ConfigMode.PatchUpdated,
      generators: data.patchUpdated.generators.map((g) => toCommand(g, defaultTimeoutMs)),
      patchFile: data.patchUpdated.patchFile,
    };
  }
  return { mode: ConfigMode.ScanForFiles };
}
