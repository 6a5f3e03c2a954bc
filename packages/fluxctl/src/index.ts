export type { CliIO, CommandContext, GlobalOptions } from './cli/context.ts';
export { formatCliError } from './cli/errors.ts';
export { type RunFluxctlOptions, runFluxctl } from './cli/run.ts';
export { qualifyWorkload } from './cli/workload-id.ts';
export {
  AuthenticationError,
  ConnectionError,
  FluxApiError,
  UnexpectedResponseError,
} from './client/errors.ts';
export { createHttpClient, type HttpClientOptions } from './client/http-client.ts';
export { encodeQuery, goQueryEscape } from './client/query.ts';
export { buildPolicyUpdate, normaliseTagPattern } from './commands/policy-update.ts';
export * from './connect/index.ts';
export * from './install/index.ts';
export { type MenuOutcome, menuRows, runMenu } from './interactive/index.ts';
export * from './output/index.ts';
export { formatWhy } from './output/why-table.ts';
export { formatTable } from './tabwriter.ts';
export {
  awaitJob,
  awaitSync,
  JobFailedError,
  loadErrorsOf,
  RevisionNotAppliedError,
  WaitTimeoutError,
} from './wait/poll.ts';
