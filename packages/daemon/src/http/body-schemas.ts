import type { ChangeJson, PolicyUpdateJson, PolicyUpdatesJson, UpdateSpecJson } from '@flux-ts/core';
import { ErrorKind, FluxError, parseImageRef, parseResourceId } from '@flux-ts/core';
import { z } from 'zod';
import { badRequestError, genericHelp } from './errors.ts';

// Go decodes `null` into a string or bool as the zero value, and missing fields as zero values.
const str = z
  .string()
  .nullish()
  .transform((v) => v ?? '');
const bool = z
  .boolean()
  .nullish()
  .transform((v) => v ?? false);

function isResourceId(s: string): boolean {
  try {
    parseResourceId(s);
    return true;
  } catch {
    return false;
  }
}

function isImageRef(s: string): boolean {
  try {
    parseImageRef(s);
    return true;
  } catch {
    return false;
  }
}

/** A resource ID, normalised (kind lower-cased) as Go's `resource.ParseID` does on decode. */
const resourceId = z
  .string()
  .refine(isResourceId, { message: 'invalid resource ID' })
  .transform((s) => parseResourceId(s).toString());

const imageRef = z.string().refine(isImageRef, { message: 'invalid image reference' });

const causeSchema = z
  .object({ Message: str, User: str })
  .nullish()
  .transform((c) => ({ Message: c?.Message ?? '', User: c?.User ?? '' }));

const releaseKind = z.enum(['plan', 'execute']);

const imageSpecSchema = z.object({
  ServiceSpecs: z
    .array(z.string())
    .nullish()
    .transform((v) => v ?? []),
  ImageSpec: str,
  Kind: releaseKind,
  Excludes: z
    .array(resourceId)
    .nullish()
    .transform((v) => v ?? null),
  Force: bool,
});

const containerUpdateSchema = z.object({
  Container: str,
  // An empty Current skips the precondition check (`flux-v1.md` §1.4.5).
  Current: z
    .union([z.literal(''), imageRef])
    .nullish()
    .transform((v) => v ?? ''),
  Target: imageRef,
});

const containersSpecSchema = z.object({
  Kind: releaseKind,
  ContainerSpecs: z
    .record(
      z.string(),
      z
        .array(containerUpdateSchema)
        .nullish()
        .transform((v) => v ?? []),
    )
    .nullish()
    .transform((v) => v ?? {}),
  SkipMismatches: bool,
  Force: bool,
});

/** A policy set: `{name: value}`, or (backwards compatible) `[name, …]` meaning each is "true". */
const policySetSchema = z
  .union([
    z.record(
      z.string(),
      z
        .string()
        .nullable()
        .transform((v) => v ?? ''),
    ),
    z.array(z.string()).transform((names) => Object.fromEntries(names.map((n) => [n, 'true']))),
  ])
  .nullish();

const policyUpdateSchema = z
  .object({ add: policySetSchema, remove: policySetSchema })
  .nullable()
  .transform((u): PolicyUpdateJson => {
    const out: PolicyUpdateJson = {};
    if (u?.add) out.add = u.add;
    if (u?.remove) out.remove = u.remove;
    return out;
  });

const policyUpdatesSchema = z.record(z.string(), policyUpdateSchema);

const autoSpecSchema = z.object({
  Changes: z
    .array(
      z.object({
        WorkloadID: resourceId,
        Container: z.object({ Name: str, Image: imageRef }),
        ImageID: imageRef,
      }),
    )
    .nullish()
    .transform((v) => v ?? []),
});

const syncSpecSchema = z
  .record(z.string(), z.unknown())
  .nullish()
  .transform((): Record<string, never> => ({}));

const changeSchema = z.discriminatedUnion('Kind', [
  z.object({ Kind: z.literal('git'), Source: z.object({ URL: str, Branch: str }) }),
  z.object({
    Kind: z.literal('image'),
    Source: z.object({ Name: z.object({ Domain: str, Image: str }) }),
  }),
]);

function describe(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw badRequestError(`invalid ${what}: ${describe(result.error)}`);
  return result.data;
}

/** Re-keys a map by normalised resource ID; an invalid ID is a 400, as Go's decoder makes it. */
function normaliseIdKeys<T>(record: Record<string, T>, what: string): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [key, value] of Object.entries(record)) {
    if (!isResourceId(key)) throw badRequestError(`invalid ${what}: invalid resource ID "${key}"`);
    out[parseResourceId(key).toString()] = value;
  }
  return out;
}

/** Parses request body bytes as JSON; malformed JSON is a 400. */
export function parseJsonBody(body: Buffer): unknown {
  const text = body.toString('utf8');
  if (text.trim() === '') throw badRequestError('empty request body: expected JSON');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequestError(`malformed JSON in request body: ${(err as Error).message}`);
  }
}

/** Parses a `PolicyUpdates` body (`PATCH /v6/policies`, `type: "policy"` specs). */
export function parsePolicyUpdates(value: unknown): PolicyUpdatesJson {
  return normaliseIdKeys(parseWith(policyUpdatesSchema, value, 'policy updates'), 'policy updates');
}

const UPDATE_TYPES = ['image', 'policy', 'containers', 'sync', 'auto'] as const;

/**
 * Parses a `POST /v9/update-manifests` body (`flux-v1.md` §1.4.5). Malformed or unknown-type specs
 * are 400; a missing `type` is Flux v1's 422 `no type in update spec`. `auto` specs are accepted
 * (decisions.md item 17).
 */
export function parseUpdateSpec(value: unknown): UpdateSpecJson {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequestError('invalid update spec: expected a JSON object');
  }
  const wire = value as Record<string, unknown>;
  const type = wire.type ?? '';
  if (typeof type !== 'string') throw badRequestError('invalid update spec: type: expected a string');
  if (type === '') {
    const message = 'no type in update spec';
    throw new FluxError(message, {
      code: 'update-spec.no-type',
      kind: ErrorKind.User,
      help: genericHelp(message),
    });
  }
  if (!(UPDATE_TYPES as readonly string[]).includes(type)) {
    throw badRequestError(`unknown update type "${type}"`);
  }
  const cause = parseWith(causeSchema, wire.cause, 'update spec cause');
  switch (type as (typeof UPDATE_TYPES)[number]) {
    case 'image':
      return { type: 'image', cause, spec: parseWith(imageSpecSchema, wire.spec, 'image release spec') };
    case 'containers': {
      const spec = parseWith(containersSpecSchema, wire.spec, 'containers release spec');
      return {
        type: 'containers',
        cause,
        spec: { ...spec, ContainerSpecs: normaliseIdKeys(spec.ContainerSpecs, 'containers release spec') },
      };
    }
    case 'policy':
      return { type: 'policy', cause, spec: parsePolicyUpdates(wire.spec) };
    case 'sync':
      return { type: 'sync', cause, spec: parseWith(syncSpecSchema, wire.spec, 'sync spec') };
    case 'auto':
      return { type: 'auto', cause, spec: parseWith(autoSpecSchema, wire.spec, 'automated spec') };
  }
}

/** Parses a `POST /v11/notify` body; a Kind other than `git` or `image` is a 400. */
export function parseChange(value: unknown): ChangeJson {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const kind = (value as Record<string, unknown>).Kind;
    if (kind !== 'git' && kind !== 'image') {
      throw badRequestError(`unknown change kind ${JSON.stringify(kind ?? '')}`);
    }
  }
  return parseWith(changeSchema, value, 'change');
}

/** Parses a `POST /v9/git-repo-config` body: a JSON boolean (regenerate the deploy key). */
export function parseRegenerate(value: unknown): boolean {
  return parseWith(z.boolean(), value, 'git repo config request (expected true or false)');
}
