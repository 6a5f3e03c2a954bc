import type { SyncStateStore } from '@flux-ts/core';
import { classifyApiError, KubeApiError } from './errors.ts';
import type { KubeClient } from './kube-client.ts';
import { patchSecret, readSecret } from './secret-api.ts';

/** The annotation of the deploy-key Secret that holds the last synced revision (`--sync-state=secret`). */
export const SYNC_HWM_ANNOTATION = 'flux.weave.works/sync-hwm';

/** Options of {@link createSecretSyncState}. */
export interface SecretSyncStateOptions {
  /** fluxd's own namespace. */
  namespace: string;
  /** `--k8s-secret-name`, default `flux-git-deploy`. */
  secretName?: string;
}

/**
 * The sync marker kept as an annotation on the deploy-key Secret, as Flux v1 does with
 * `--sync-state=secret` (and `--git-readonly`): read it, move it with a strategic-merge patch, and
 * forget it by setting it to "" (what Flux v1 initialises a missing one to).
 */
export function createSecretSyncState(client: KubeClient, options: SecretSyncStateOptions): SyncStateStore {
  const name = options.secretName ?? 'flux-git-deploy';
  const { namespace } = options;
  const what = `secret ${namespace}/${name}`;
  const patch = async (value: string): Promise<void> => {
    try {
      await patchSecret(client, namespace, name, {
        metadata: { annotations: { [SYNC_HWM_ANNOTATION]: value } },
      });
    } catch (err) {
      throw classifyApiError(`cannot update the sync marker on ${what}`, err);
    }
  };
  return {
    async get() {
      try {
        const secret = await readSecret(client, namespace, name);
        if (!secret) throw new KubeApiError(`${what} does not exist`, 404, 'not found');
        const value = secret.metadata?.annotations?.[SYNC_HWM_ANNOTATION];
        return value ? value : undefined;
      } catch (err) {
        throw classifyApiError(`cannot read the sync marker from ${what}`, err);
      }
    },
    update: (revision) => patch(revision),
    delete: () => patch(''),
  };
}
