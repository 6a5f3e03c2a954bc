export { FLUX_V1_DEPRECATION_BANNER } from './banner.ts';
export type { InstallDefaults, InstallFlags, InstallOptions } from './install-options.ts';
export {
  FLUXD_IMAGE_REPOSITORY,
  InstallOptionsError,
  MEMCACHED_IMAGE,
  resolveInstallOptions,
} from './install-options.ts';
export type { InstallFile } from './manifests.ts';
export { fluxdArgs, INSTALL_FILE_NAMES, installManifests } from './manifests.ts';
export { fluxctlPackageVersion } from './package-version.ts';
export { InstallWriteError, installStream, writeInstallFiles } from './write.ts';
