import { parseImageRef } from '../image/ref.ts';
import { parseResourceId } from '../resource/id.ts';
import { ContainerNotFoundError, UnsupportedEditError } from './errors.ts';
import { fastSetContainerImage } from './fast-image-edit.ts';
import { type EditOptions, locateObject, nodeAt } from './locate.ts';
import { setScalar } from './scalar-edit.ts';
import { workloadContainers } from './workloads.ts';
import { parseYamlSource } from './yaml-source.ts';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Sets the image of one container of the workload `id` in a manifest file's text and returns the
 * whole new text. Only the bytes of the image scalar change (for a HelmRelease that splits the image
 * into registry / repository / tag, only those scalars, each keeping its role).
 */
export function setContainerImage(
  text: string,
  id: string,
  container: string,
  image: string,
  options: EditOptions = {},
): string {
  const fast = fastSetContainerImage(
    text,
    parseResourceId(id),
    container,
    image,
    options.defaultNamespace ?? 'default',
  );
  return fast ?? cstSetContainerImage(text, id, container, image, options);
}

/** {@link setContainerImage} through the full CST editor only (exported for tests that compare the two paths). */
export function cstSetContainerImage(
  text: string,
  id: string,
  container: string,
  image: string,
  options: EditOptions = {},
): string {
  const source = parseYamlSource(text, options.file ?? '<text>');
  const { node, object } = locateObject(source, id, options);
  const kind = object.kind as string;
  const metadata = isRecord(object.metadata) ? object.metadata : {};
  const annotations = isRecord(metadata.annotations)
    ? Object.fromEntries(Object.entries(metadata.annotations).map(([k, v]) => [k, String(v)]))
    : {};
  const containers = workloadContainers(kind, object, annotations);
  if (!containers) {
    throw new UnsupportedEditError(
      `updating resource kind "${kind.toLowerCase()}" not supported (${id})`,
      'Only Deployment, DaemonSet, StatefulSet, ReplicaSet, CronJob, Job, Pod and HelmRelease images can be updated.',
    );
  }
  const target = containers.find((c) => c.name === container);
  if (!target)
    throw new ContainerNotFoundError(
      id,
      container,
      containers.map((c) => c.name),
    );
  const where = `${source.file}: ${id} container "${container}"`;
  const { location } = target;
  if (location.type === 'ref') {
    setScalar(nodeAt(node, location.path), image, where);
  } else {
    const ref = parseImageRef(image);
    if (location.registry && location.tag) {
      setScalar(nodeAt(node, location.registry), ref.domain, `${where} registry`);
      setScalar(nodeAt(node, location.repository), ref.path, `${where} repository`);
      setScalar(nodeAt(node, location.tag), ref.tag, `${where} tag`);
    } else if (location.registry) {
      setScalar(nodeAt(node, location.registry), ref.domain, `${where} registry`);
      setScalar(
        nodeAt(node, location.repository),
        ref.tag ? `${ref.path}:${ref.tag}` : ref.path,
        `${where} repository`,
      );
    } else if (location.tag) {
      setScalar(nodeAt(node, location.repository), ref.name, `${where} repository`);
      setScalar(nodeAt(node, location.tag), ref.tag, `${where} tag`);
    }
  }
  return source.stringify();
}
