export type {
  CiSkipOptions,
  CommitArgsOptions,
  CommitNote,
  LogArgsOptions,
  LogEntry,
  PushArgsOptions,
} from './argv.ts';
export {
  changedFilesArgs,
  commitArgs,
  fullNotesRef,
  LOG_FORMAT,
  logArgs,
  normalizeGitPaths,
  notePayload,
  notesAddArgs,
  parseLog,
  pushArgs,
  syncTagArgs,
  withCiSkip,
} from './argv.ts';
export type { Checkout, Commit, CommitAndPushOptions } from './checkout.ts';
export type { FailedGitCommand } from './classify.ts';
export { classifyGitError, firstErrorLine } from './classify.ts';
export type { GitErrorDetails } from './errors.ts';
export {
  GitAuthError,
  GitBranchMissingError,
  GitCommandError,
  GitError,
  GitSecretPathError,
  GitTimeoutError,
  GitUnreachableError,
  InvalidGitPathError,
  MirrorNotReadyError,
  NoChangesError,
  PushRejectedError,
  ReadOnlyError,
  SignatureVerificationError,
  UnsignedHeadError,
} from './errors.ts';
export type { GitClientOptions, GitRunner, GitRunOptions, HostKeyChecking } from './git-factory.ts';
export { buildGitEnv, buildSshCommand, createGitRunner, defaultGitClientOptions } from './git-factory.ts';
export type { ImportGpgKeysOptions } from './gpg.ts';
export { importGpgKeys } from './gpg.ts';
export type { Mirror, MirrorOptions, MirrorStatus } from './mirror.ts';
export { createMirror, RepoStatus } from './mirror.ts';
export { redactText, redactUrl } from './redact.ts';
export { safeGitUrl } from './safe-url.ts';
export type { Fingerprint, PublicSshKey, SshKeygenOptions } from './ssh-key.ts';
export {
  describeSshKey,
  generateSshKey,
  loadOrGenerateSshKey,
  parseFingerprint,
  SshKeyError,
} from './ssh-key.ts';
export type { GitSyncState, GitSyncStateOptions, VerifiedHead } from './sync-tag.ts';
export { createGitSyncState, UnverifiedHeadError, VerifySignaturesMode } from './sync-tag.ts';
export type { WorkDirClaim } from './work-dir.ts';
export { claimWorkDir, WORK_DIR_PREFIXES } from './work-dir.ts';
