export type { FluxdConfig } from './config.ts';
export { DEFAULT_CI_SKIP_MESSAGE, LogFormat, SyncStateMode, VerifySignaturesMode } from './config.ts';
export type {
  BooleanFlag,
  DurationFlag,
  FlagAlias,
  FlagDefinition,
  FlagType,
  NumberFlag,
  StringFlag,
  StringListFlag,
} from './flag-definitions.ts';
export { FLAG_DEFINITIONS, FLAG_GROUPS, FlagGroup, findFlag } from './flag-definitions.ts';
export { flagReferenceMarkdown, fluxdHelp } from './help.ts';
export type { FluxdArgs } from './parse-args.ts';
export { defaultFluxdConfig, GIT_WRITE_FLAGS, parseFluxdArgs } from './parse-args.ts';
