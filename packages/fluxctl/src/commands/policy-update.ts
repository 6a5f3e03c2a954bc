import { ErrorKind, FluxError, type PolicyUpdateJson } from '@flux-ts/core';

/** A usage error of fluxctl: printed as `Error: <message>` with the usage hint. */
export class UsageError extends FluxError {
  constructor(message: string) {
    super(message, { code: 'fluxctl.usage', kind: ErrorKind.User, help: message });
  }
}

/** The switches of `fluxctl policy` (and its shorthands). */
export interface PolicySwitches {
  automate?: boolean;
  deautomate?: boolean;
  lock?: boolean;
  unlock?: boolean;
  tagAll?: string | undefined;
  /** `container=pattern` pairs, each as given (a comma inside a pattern does not split it). */
  tags?: readonly string[];
  user?: string;
  message?: string;
}

/** Prefixes `glob:` to a bare pattern; `regex:` becomes `regexp:` (Flux v1's normalisation). */
export function normaliseTagPattern(pattern: string): string {
  if (pattern.startsWith('regex:')) return `regexp:${pattern.slice('regex:'.length)}`;
  if (/^(glob|semver|regexp):/.test(pattern)) return pattern;
  return `glob:${pattern}`;
}

/**
 * The policy update of `fluxctl policy`, as Flux v1 builds it, with one difference (decisions.md 3):
 * a per-container `--tag` wins over `--tag-all` for that container, and repeated `--tag` flags are
 * kept whole (a comma inside a semver range does not split it).
 */
export function buildPolicyUpdate(s: PolicySwitches): PolicyUpdateJson {
  if (s.automate && s.deautomate) throw new UsageError('automate and deautomate both specified');
  if (s.lock && s.unlock) throw new UsageError('lock and unlock both specified');
  const add: Record<string, string> = {};
  const remove: Record<string, string> = {};
  if (s.automate) add.automated = 'true';
  if (s.deautomate) remove.automated = 'true';
  if (s.lock) {
    add.locked = 'true';
    if (s.user) {
      add.locked_user = s.user;
      if (s.message) add.locked_msg = s.message;
      else remove.locked_msg = 'true';
    }
  }
  if (s.unlock) {
    remove.locked = 'true';
    remove.locked_msg = 'true';
    remove.locked_user = 'true';
  }
  if (s.tagAll) add.tag_all = normaliseTagPattern(s.tagAll);
  for (const pair of s.tags ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0 || (pair.indexOf('=', at + 1) !== -1 && !/^[^=]+=(semver|glob|regexp|regex):/.test(pair))) {
      throw new UsageError(`invalid container/tag pair: "${pair}". Expected format is 'container=filter'`);
    }
    const container = pair.slice(0, at);
    const pattern = pair.slice(at + 1);
    if (pattern === '*') remove[`tag.${container}`] = 'true';
    else add[`tag.${container}`] = normaliseTagPattern(pattern);
  }
  return { add, remove };
}
