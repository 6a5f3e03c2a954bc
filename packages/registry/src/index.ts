export * from './cache/index.ts';
export type { RegistryErrorContext } from './client/errors.ts';
export {
  InvalidPayloadError,
  ManifestUnknownError,
  NoSuitablePlatformError,
  RateLimitedError,
  RegistryAuthError,
  RegistryError,
  RegistryUnavailableError,
} from './client/errors.ts';
export type { Platform } from './client/platform.ts';
export { formatPlatform, parsePlatform, platformMatches } from './client/platform.ts';
export type {
  Credentials,
  FetchedManifest,
  RegistryClient,
  RegistryClientOptions,
  RegistryMetrics,
} from './client/registry-client.ts';
export { createRegistryClient, parseRetryAfter } from './client/registry-client.ts';
export { MANIFEST_ACCEPT, MediaType } from './client/schema.ts';
export type { CredentialsSource, DockerConfig } from './credentials/docker-config.ts';
export {
  CredentialsConfigError,
  dockerConfigSource,
  firstOf,
  normaliseRegistryHost,
  parseDockerConfig,
  pullSecretCredentials,
  staticSource,
} from './credentials/docker-config.ts';
export type { EcrOptions } from './credentials/ecr.ts';
export {
  DEFAULT_ECR_EXCLUDE_IDS,
  EcrUnavailableError,
  ecrAllowed,
  ecrCredentialsSource,
  parseEcrHost,
  requireEcr,
} from './credentials/ecr.ts';
export type { AdaptiveRateOptions } from './rate-limit/adaptive-rate.ts';
export { AdaptiveRate } from './rate-limit/adaptive-rate.ts';
export type { HostLimiterOptions } from './rate-limit/host-limiter.ts';
export { HostLimiters } from './rate-limit/host-limiter.ts';
export type { ImageFilterOptions } from './scanner/image-filter.ts';
export { globMatcher, imageFilter } from './scanner/image-filter.ts';
export { isMutableTag } from './scanner/mutable-tag.ts';
export type { DemandingWorkload, ScanDemand } from './scanner/scan-demand.ts';
export { scanDemands } from './scanner/scan-demand.ts';
export type { RepositoryMetadata, Scanner, ScannerOptions } from './scanner/scanner.ts';
export { createScanner, RepositoryExcludedError } from './scanner/scanner.ts';
export type { AuthChallenge } from './www-authenticate.ts';
export { parseWwwAuthenticate } from './www-authenticate.ts';
