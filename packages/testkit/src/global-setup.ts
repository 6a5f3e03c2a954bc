import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { type KubeInfo, startKube, type TestKube } from './kube.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's API server, or null in unit-only runs (FLUX_TS_UNIT=1). */
    kube: KubeInfo | null;
  }
}

// Every project runs this global setup, in the one main process: share one API server per run.
interface Shared {
  kube: Promise<TestKube> | null;
  users: number;
}
const key = Symbol.for('flux-ts.testkit.global');
const state: Shared = ((globalThis as Record<symbol, unknown>)[key] as Shared | undefined) ?? {
  kube: null,
  users: 0,
};
(globalThis as Record<symbol, unknown>)[key] = state;

/**
 * vitest global setup: starts the run's kube-apiserver once (not in unit-only runs) and provides its
 * kubeconfig to tests as `inject('kube')`. Registries, memcached, git and gpg are cheap and are
 * started by the test files that use them.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.FLUX_TS_UNIT === '1') {
    project.provide('kube', null);
    return async () => {};
  }
  state.kube ??= startKube();
  state.users++;
  const kube = await state.kube;
  project.provide('kube', {
    kubeconfigPath: kube.kubeconfigPath,
    server: kube.server,
    external: kube.external,
  });
  return async () => {
    state.users--;
    if (state.users === 0 && state.kube) {
      const running = state.kube;
      state.kube = null;
      await (await running).stop();
    }
  };
}
