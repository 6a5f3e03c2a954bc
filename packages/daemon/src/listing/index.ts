export {
  InvalidContainerFieldError,
  isContainerField,
  parseContainerFields,
} from './container-fields.ts';
export type { ImageStatusInput } from './images.ts';
export { buildImageStatuses, imageRepositories } from './images.ts';
export { currentImage, hasMetadata, repositoryImages } from './repository-images.ts';
export type { ServiceStatusInput } from './services.ts';
export { buildServiceStatuses, RepoState } from './services.ts';
