// Test helpers for implementations of core's interfaces. Source-only (the `@flux-ts/source`
// condition): they import vitest and are not part of the published build.
export type { SyncStateHarness } from '../sync/conformance.ts';
export { syncStateStoreConformance } from '../sync/conformance.ts';
