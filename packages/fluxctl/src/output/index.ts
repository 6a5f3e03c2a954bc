export type { IdentityOutputOptions } from './identity.ts';
export { formatIdentity } from './identity.ts';
export type { ImagesOutputOptions } from './images-table.ts';
export { formatImages, imagesJson, NegativeLimitError, NO_IMAGE_DATA, sortImages } from './images-table.ts';
export type { ResultRow, Verbosity } from './results-table.ts';
export { formatResults, RESULTS_HEADING, resultRows, showsStatus, updateText } from './results-table.ts';
export type { RolloutStep } from './rollout-table.ts';
export { allReady, formatRolloutStatus, rolloutProblems, rolloutStep } from './rollout-table.ts';
export type { SavedObject } from './save.ts';
export {
  cleanExported,
  DROPPED_ANNOTATIONS,
  ExportDecodeError,
  saveDocument,
  saveMessage,
  savePath,
  saveToStdout,
} from './save.ts';
export type { WorkloadsOutputOptions } from './workloads-table.ts';
export { formatWorkloads, policyColumn, selectWorkloads, workloadsJson } from './workloads-table.ts';
