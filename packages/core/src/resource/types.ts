import type { ImageRef } from '../image/ref.ts';
import type { ResourceId } from './id.ts';

/** Where a container was found in a workload. */
export const ContainerKind = {
  Container: 'container',
  InitContainer: 'initContainer',
  Helm: 'helm',
} as const;
export type ContainerKind = (typeof ContainerKind)[keyof typeof ContainerKind];

/** A container of a workload, as written in the manifest. */
export interface Container {
  name: string;
  /** The image string exactly as written (after HelmRelease registry/repository/tag assembly). */
  image: string;
  /** The parsed image, or undefined when `image` is not a valid reference. */
  ref: ImageRef | undefined;
  kind: ContainerKind;
}

/** One Kubernetes object read from a manifest file. */
export interface Resource {
  id: ResourceId;
  apiVersion: string;
  /** Kind as written (`Deployment`); `id.kind` is lower-cased. */
  kind: string;
  name: string;
  /** Effective namespace, or undefined for a cluster-scoped resource. */
  namespace: string | undefined;
  /** Path of the file it came from, as given to the parser (relative to the repo root when loaded from a directory). */
  file: string;
  /** 1-based line where the object starts in `file`. */
  line: number;
  /** `metadata.annotations` (values as strings). */
  annotations: Record<string, string>;
  /** `metadata.labels`. */
  labels: Record<string, string>;
  /** The parsed object. */
  object: Record<string, unknown>;
  /** Containers, for workloads (Deployment, DaemonSet, StatefulSet, CronJob, Job, Pod, HelmRelease). */
  containers?: Container[];
}
