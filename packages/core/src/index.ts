export type { CallOptions, FluxApi, ListImagesOptions, ListServicesOptions } from './api/server.ts';
export type {
  AutomatedSpecJson,
  AutomationChangeJson,
  CauseJson,
  ChangeJson,
  CommitEventMetadataJson,
  ContainerExplanationJson,
  ContainerField,
  ContainerJson,
  ContainerUpdateSpecJson,
  ControllerStatusJson,
  FingerprintJson,
  FluxErrorJson,
  GitConfigJson,
  ImageContainerJson,
  ImageStatusJson,
  JobStatusJson,
  PolicyUpdateJson,
  PolicyUpdatesJson,
  PublicKeyJson,
  ReleaseContainersSpecJson,
  ReleaseImageSpecJson,
  ResourceErrorJson,
  RolloutJson,
  TagExplanationJson,
  UpdateSpecJson,
  UpdateType,
  WorkloadResultJson,
} from './api/wire.ts';
export { CONTAINER_FIELDS, JobStatusString, ReadOnlyReason } from './api/wire.ts';
export type { Clock } from './clock.ts';
export { ManualClock, systemClock } from './clock.ts';
export type { FluxErrorOptions } from './errors.ts';
export { ErrorKind, FluxError, isFluxError } from './errors.ts';
export type {
  CommandResult,
  CommandRunner,
  RunOptions,
  ShellRunnerOptions,
} from './flux-yaml/command-runner.ts';
export { createShellRunner } from './flux-yaml/command-runner.ts';
export type {
  CommandSpec,
  CommandUpdatedConfig,
  FluxYamlConfig,
  PatchUpdatedConfig,
  ScanForFilesConfig,
  UpdaterSpec,
} from './flux-yaml/config.ts';
export { CONFIG_FILENAME, ConfigMode, parseFluxYaml, parseGoDuration } from './flux-yaml/config.ts';
export type { ManifestGenerationInput } from './flux-yaml/defaults.ts';
export { manifestGeneration } from './flux-yaml/defaults.ts';
export {
  CommandError,
  FluxYamlError,
  GeneratedResourceNotFoundError,
  GitPathError,
  NoUpdaterCommandsError,
  PatchError,
  PatchMissingResourceError,
} from './flux-yaml/errors.ts';
export type { FluxYamlFs, FoundConfig, LoadedConfig } from './flux-yaml/find-config.ts';
export { findConfigFile, loadConfigFile } from './flux-yaml/find-config.ts';
export type {
  GeneratedTarget,
  ManifestGeneration,
  ManifestGenerationOptions,
  RawTarget,
  TargetManifests,
} from './flux-yaml/manifest-generation.ts';
export { TargetKind } from './flux-yaml/manifest-generation.ts';
export {
  applyPatchFile,
  createJsonMergePatch,
  createPatchFile,
  createTwoWayMergePatch,
  jsonMergePatch,
  strategicMergePatch,
} from './flux-yaml/patch.ts';
export type { ImageInfo, ImageInfoJson, PlatformMismatch } from './image/info.ts';
export { formatGoTime, imageInfoToJson } from './image/info.ts';
export { describePlatformMismatch, runsHere } from './image/platform-mismatch.ts';
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
  ManifestReadError,
  ManifestTooLargeError,
  ResourceNotFoundError,
  UnsupportedEditError,
} from './manifests/errors.ts';
export type { LoadOptions, ManifestFs } from './manifests/load.ts';
export { DEFAULT_MAX_MANIFEST_FILE_BYTES, loadManifests, ManifestDirError } from './manifests/load.ts';
export type { EditOptions } from './manifests/locate.ts';
export type { ParsedManifests, ParseOptions, SkippedDocument } from './manifests/parse.ts';
export { parseManifests } from './manifests/parse.ts';
export type { IsNamespaced } from './manifests/scope.ts';
export { builtinIsNamespaced } from './manifests/scope.ts';
export { setContainerImage } from './manifests/update-image.ts';
export { updateWorkloadPolicies } from './manifests/update-policies.ts';
export type { ImageLocation, LocatedContainer, NodePath } from './manifests/workloads.ts';
export { WORKLOAD_KINDS, workloadContainers } from './manifests/workloads.ts';
export type { TagPolicy } from './policy/policy.ts';
export {
  annotationKeysFor,
  IgnoreMode,
  Policy,
  PolicyPrefix,
  PolicySet,
  policyOfAnnotation,
  readPolicies,
  tagPolicy,
} from './policy/policy.ts';
export type { PolicyAnnotationChange, PolicyUpdate } from './policy/policy-update.ts';
export {
  InvalidPolicyError,
  planPolicyUpdate,
  QuoteStyle,
  quoteStyleFor,
  requestsAutomation,
} from './policy/policy-update.ts';
export type { ParseTagPatternOptions, TaggedImage, TagPattern } from './policy/tag-pattern.ts';
export {
  ANY_TAG,
  hasCreationTime,
  InvalidTagPatternError,
  parseTagPattern,
  TagPatternKind,
} from './policy/tag-pattern.ts';
export type { Cause } from './release/commit-message.ts';
export {
  automationMessage,
  policyMessage,
  releaseContainersMessage,
  releaseImageMessage,
} from './release/commit-message.ts';
export type { ContainerExplanation, TagExplanation } from './release/explain.ts';
export { explainContainer, TagVerdict } from './release/explain.ts';
export type { AutomationChange, AutomationPlan, AutomationSkip } from './release/plan-automation.ts';
export { planAutomation } from './release/plan-automation.ts';
export { ContainersReleaseError, planContainersRelease } from './release/plan-containers.ts';
export type { PlanOptions } from './release/plan-release.ts';
export {
  ALL_LATEST,
  ALL_WORKLOADS,
  ImageNotFoundError,
  ImageWrongPlatformError,
  latestAllowed,
  planRelease,
} from './release/plan-release.ts';
export { releaseWorkload, tagFilterFromPolicy } from './release/tag-filter.ts';
export type {
  ClusterWorkload,
  ContainerSpec,
  ContainerUpdate,
  ImageLookup,
  ReleaseContainersSpec,
  ReleaseImageSpec,
  ReleasePlan,
  ReleaseResult,
  ReleaseWorkload,
  TagFilter,
  WorkloadResult,
} from './release/types.ts';
export { ReleaseReason, WorkloadStatus } from './release/types.ts';
export {
  CLUSTER_SCOPE,
  formatResourceId,
  InvalidResourceIdError,
  parseResourceId,
  ResourceId,
} from './resource/id.ts';
export type { Container, Resource } from './resource/types.ts';
export { ContainerKind } from './resource/types.ts';
export type { SyncStateStore } from './sync/state.ts';
