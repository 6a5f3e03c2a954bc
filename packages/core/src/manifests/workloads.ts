import { parseImageRef } from '../image/ref.ts';
import { type Container, ContainerKind } from '../resource/types.ts';

/** A path from a document's root to a node. */
export type NodePath = readonly (string | number)[];

/**
 * Where a container's image lives in the manifest. `ref`: one scalar holds the whole reference.
 * `split`: a HelmRelease holds it in separate registry / repository (or image) / tag scalars.
 */
export type ImageLocation =
  | { type: 'ref'; path: NodePath }
  | { type: 'split'; registry?: NodePath; repository: NodePath; tag?: NodePath };

/** A container together with where its image is written. */
export interface LocatedContainer extends Container {
  location: ImageLocation;
}

/** Where the pod spec of each pod-template kind lives. */
export const POD_SPEC_PATHS: Readonly<Record<string, NodePath>> = {
  Deployment: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  Pod: ['spec'],
};

/** Kinds whose containers flux-ts reads and edits. */
export const WORKLOAD_KINDS: readonly string[] = [...Object.keys(POD_SPEC_PATHS), 'HelmRelease'];

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function getPath(root: unknown, path: NodePath): unknown {
  let node = root;
  for (const key of path) {
    if (Array.isArray(node) && typeof key === 'number') node = node[key];
    else if (isMap(node) && typeof key === 'string') node = node[key];
    else return undefined;
  }
  return node;
}

// Only string scalars count, as in Flux v1: `tag: 1.0` (a number) is not an image tag.
const scalarText = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function container(
  name: string,
  image: string,
  kind: ContainerKind,
  location: ImageLocation,
): LocatedContainer {
  let ref: Container['ref'];
  try {
    ref = parseImageRef(image);
  } catch {
    ref = undefined;
  }
  return { name, image, ref, kind, location };
}

function podContainers(object: Record<string, unknown>, specPath: NodePath): LocatedContainer[] {
  const out: LocatedContainer[] = [];
  for (const [field, kind] of [
    ['containers', ContainerKind.Container],
    ['initContainers', ContainerKind.InitContainer],
  ] as const) {
    const list = getPath(object, [...specPath, field]);
    if (!Array.isArray(list)) continue;
    list.forEach((c: unknown, i) => {
      // A container without an image is a patch fragment (kustomize), not a container to manage.
      if (!isMap(c) || typeof c.name !== 'string' || typeof c.image !== 'string') return;
      const image = c.image;
      out.push(container(c.name, image, kind, { type: 'ref', path: [...specPath, field, i, 'image'] }));
    });
  }
  return out;
}

/** Assembles `registry/repository:tag` the way Flux v1 reads a HelmRelease image. */
function assemble(registry: string | undefined, repository: string, tag: string | undefined): string {
  let image = repository;
  if (registry) image = `${registry.replace(/\/$/, '')}/${image}`;
  if (tag) image = `${image}:${tag}`;
  return image;
}

/** The two HelmRelease image shapes under a values map `base` (spec.values or one of its keys). */
function helmImageAt(basePath: NodePath, base: Record<string, unknown>): ImageLocation | undefined {
  const image = base.image;
  if (typeof image === 'string') {
    const registry = scalarText(base.registry) !== undefined ? [...basePath, 'registry'] : undefined;
    const tag = scalarText(base.tag) !== undefined ? [...basePath, 'tag'] : undefined;
    if (!registry && !tag) return { type: 'ref', path: [...basePath, 'image'] };
    return {
      type: 'split',
      repository: [...basePath, 'image'],
      ...(registry ? { registry } : {}),
      ...(tag ? { tag } : {}),
    };
  }
  if (isMap(image) && typeof image.repository === 'string') {
    const p = [...basePath, 'image'];
    const registry = scalarText(image.registry) !== undefined ? [...p, 'registry'] : undefined;
    const tag = scalarText(image.tag) !== undefined ? [...p, 'tag'] : undefined;
    if (!registry && !tag) return { type: 'ref', path: [...p, 'repository'] };
    return {
      type: 'split',
      repository: [...p, 'repository'],
      ...(registry ? { registry } : {}),
      ...(tag ? { tag } : {}),
    };
  }
  return undefined;
}

function readLocation(object: Record<string, unknown>, location: ImageLocation): string | undefined {
  if (location.type === 'ref') return scalarText(getPath(object, location.path));
  const repository = scalarText(getPath(object, location.repository));
  if (repository === undefined) return undefined;
  return assemble(
    location.registry && scalarText(getPath(object, location.registry)),
    repository,
    location.tag && scalarText(getPath(object, location.tag)),
  );
}

const dotPath = (path: string): string[] => path.split('.').filter((p) => p !== '');

function helmContainers(
  object: Record<string, unknown>,
  annotations: Record<string, string>,
): LocatedContainer[] {
  const valuesPath: NodePath = ['spec', 'values'];
  const values = getPath(object, valuesPath);
  const byName = new Map<string, ImageLocation>();
  if (isMap(values)) {
    const top = helmImageAt(valuesPath, values);
    if (top) byName.set('chart-image', top);
    for (const [key, value] of Object.entries(values)) {
      if (key === 'image' || !isMap(value) || !('image' in value)) continue;
      const loc = helmImageAt([...valuesPath, key], value);
      if (loc) byName.set(key, loc);
    }
  }
  for (const [key, path] of Object.entries(annotations)) {
    const m = /^repository\.fluxcd\.io\/(.+)$/.exec(key);
    if (!m) continue;
    const alias = m[1] as string;
    const registry = annotations[`registry.fluxcd.io/${alias}`];
    const tag = annotations[`tag.fluxcd.io/${alias}`];
    const repository: NodePath = [...valuesPath, ...dotPath(path)];
    byName.set(
      alias,
      registry || tag
        ? {
            type: 'split',
            repository,
            ...(registry ? { registry: [...valuesPath, ...dotPath(registry)] } : {}),
            ...(tag ? { tag: [...valuesPath, ...dotPath(tag)] } : {}),
          }
        : { type: 'ref', path: repository },
    );
  }
  const names = [...byName.keys()].sort((a, b) =>
    a === 'chart-image' ? -1 : b === 'chart-image' ? 1 : a < b ? -1 : a > b ? 1 : 0,
  );
  const out: LocatedContainer[] = [];
  for (const name of names) {
    const location = byName.get(name) as ImageLocation;
    const image = readLocation(object, location);
    if (image !== undefined) out.push(container(name, image, ContainerKind.Helm, location));
  }
  return out;
}

/** The containers of a workload (with where each image is written), or undefined for other kinds. */
export function workloadContainers(
  kind: string,
  object: Record<string, unknown>,
  annotations: Record<string, string>,
): LocatedContainer[] | undefined {
  const specPath = POD_SPEC_PATHS[kind];
  if (specPath) return podContainers(object, specPath);
  if (kind === 'HelmRelease') return helmContainers(object, annotations);
  return undefined;
}

export { getPath };
