import { parseManifests } from '../manifests/parse.ts';
import { setContainerImage } from '../manifests/update-image.ts';
import { updateWorkloadPolicies } from '../manifests/update-policies.ts';
import {
  createManifestGeneration,
  type ManifestGeneration,
  type ManifestGenerationOptions,
} from './manifest-generation.ts';

/** Options of {@link manifestGeneration}: the editors and parser default to core's own. */
export type ManifestGenerationInput = Omit<
  ManifestGenerationOptions,
  'parse' | 'setContainerImage' | 'updatePolicies'
> &
  Partial<Pick<ManifestGenerationOptions, 'parse' | 'setContainerImage' | 'updatePolicies'>>;

/**
 * `.flux.yaml` support for a checkout: which git paths are generated and their resources, and image
 * and policy updates through the config's updaters or patch file. Uses core's parser and byte-exact
 * editors, bound to the options' default namespace, unless others are given.
 */
export function manifestGeneration(options: ManifestGenerationInput): ManifestGeneration {
  const edit = options.parseOptions?.defaultNamespace
    ? { defaultNamespace: options.parseOptions.defaultNamespace }
    : {};
  return createManifestGeneration({
    parse: parseManifests,
    setContainerImage: (text, id, container, image) => setContainerImage(text, id, container, image, edit),
    updatePolicies: (text, id, update) => updateWorkloadPolicies(text, id, update, edit),
    ...options,
  });
}
