export type { Clock } from './clock.ts';
export { ManualClock, systemClock } from './clock.ts';
export type { FluxErrorOptions } from './errors.ts';
export { ErrorKind, FluxError, isFluxError } from './errors.ts';
export { DOCKER_HUB, ImageRef, InvalidImageRefError, parseImageRef } from './image/ref.ts';
export type { LogFields, Logger } from './logger.ts';
export { noopLogger } from './logger.ts';
export type { AnnotationChange } from './manifests/annotations-edit.ts';
export { formatAnnotationValue, setAnnotations } from './manifests/annotations-edit.ts';
export type { SourcePosition } from './manifests/errors.ts';
export {
  ContainerNotFoundError,
  DuplicateResourceError,
  InvalidManifestError,
  ManifestParseError,
  ResourceNotFoundError,
  UnsupportedEditError,
} from './manifests/errors.ts';
export type { LoadOptions, ManifestFs } from './manifests/load.ts';
export { loadManifests, ManifestDirError } from './manifests/load.ts';
export type { EditOptions } from './manifests/locate.ts';
export type { ParsedManifests, ParseOptions, SkippedDocument } from './manifests/parse.ts';
export { parseManifests } from './manifests/parse.ts';
export type { IsNamespaced } from './manifests/scope.ts';
export { builtinIsNamespaced } from './manifests/scope.ts';
export { setContainerImage } from './manifests/update-image.ts';
export { WORKLOAD_KINDS } from './manifests/workloads.ts';
export {
  CLUSTER_SCOPE,
  formatResourceId,
  InvalidResourceIdError,
  parseResourceId,
  ResourceId,
} from './resource/id.ts';
export type { Container, Resource } from './resource/types.ts';
export { ContainerKind } from './resource/types.ts';
