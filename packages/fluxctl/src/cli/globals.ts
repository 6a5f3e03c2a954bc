import { parseGoDuration } from '@flux-ts/core';
import { UsageError } from '../commands/policy-update.ts';
import type { GlobalOptions } from './context.ts';

/** Parses `k=v,k2=v2` (cobra's StringToString), as `--k8s-fwd-labels` takes it. */
export function parseLabels(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of value.split(',').filter((p) => p !== '')) {
    const at = pair.indexOf('=');
    if (at <= 0)
      throw new UsageError(
        `invalid argument "${value}" for "--k8s-fwd-labels" flag: ${pair} must be formatted as key=value`,
      );
    out[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return out;
}

/** The raw persistent flags (`undefined` = not given on the command line). */
export interface RawGlobals {
  url?: string | undefined;
  token?: string | undefined;
  'k8s-fwd-ns'?: string | undefined;
  'k8s-fwd-labels'?: string | undefined;
  context?: string | undefined;
  timeout?: string | undefined;
}

/**
 * Applies Flux v1's environment variables to flags that were not given: `FLUX_URL`,
 * `FLUX_SERVICE_TOKEN` then `WEAVE_CLOUD_TOKEN` (the latter wins), `FLUX_FORWARD_NAMESPACE`,
 * `FLUX_FORWARD_LABELS`, `FLUX_TIMEOUT`.
 */
export function resolveGlobals(
  raw: RawGlobals,
  env: Readonly<Record<string, string | undefined>>,
): GlobalOptions {
  const token = raw.token ?? env.WEAVE_CLOUD_TOKEN ?? env.FLUX_SERVICE_TOKEN ?? '';
  const timeout = raw.timeout ?? env.FLUX_TIMEOUT ?? '1m0s';
  const timeoutMs = parseGoDuration(timeout);
  if (timeoutMs === undefined || timeoutMs < 0) {
    throw new UsageError(
      `invalid argument "${timeout}" for "--timeout" flag: time: invalid duration "${timeout}"`,
    );
  }
  return {
    url: raw.url ?? env.FLUX_URL ?? '',
    token,
    k8sFwdNs: raw['k8s-fwd-ns'] ?? env.FLUX_FORWARD_NAMESPACE ?? 'default',
    k8sFwdLabels: parseLabels(raw['k8s-fwd-labels'] ?? env.FLUX_FORWARD_LABELS ?? 'app=flux'),
    context: raw.context ?? '',
    timeoutMs,
  };
}
