import type { ECRClient } from '@aws-sdk/client-ecr';

// The AWS SDK is loaded only when an ECR registry is met: it costs ~19 MiB of memory otherwise.
const sdk = (): Promise<typeof import('@aws-sdk/client-ecr')> => import('@aws-sdk/client-ecr');

import { type Clock, ErrorKind, FluxError, type Logger, noopLogger, systemClock } from '@flux-ts/core';
import type { Credentials } from '../client/registry-client.ts';
import type { CredentialsSource } from './docker-config.ts';

const ecrHost = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** EKS system image accounts, excluded by default as in Flux v1 (`--registry-ecr-exclude-id`). */
export const DEFAULT_ECR_EXCLUDE_IDS: readonly string[] = ['602401143452', '918309763551'];

/** The account and region of an ECR registry host, or undefined for other hosts. */
export function parseEcrHost(host: string): { accountId: string; region: string } | undefined {
  const m = ecrHost.exec(host);
  return m ? { accountId: m[1] as string, region: m[2] as string } : undefined;
}

/** ECR could not be asked for a token (`--registry-require ecr` makes this fatal at start-up). */
export class EcrUnavailableError extends FluxError {
  constructor(region: string, cause: unknown) {
    super(`cannot get an ECR authorization token in ${region}: ${(cause as Error)?.name ?? 'error'}`, {
      code: 'registry.ecr',
      kind: ErrorKind.Server,
      help: 'Check the node or pod IAM role (ecr:GetAuthorizationToken) and network access to the ECR API; --registry-ecr-region limits the regions asked.',
      cause,
    });
  }
}

/** Options of {@link ecrCredentialsSource}: Flux v1's `--registry-ecr-*` flags. */
export interface EcrOptions {
  /** Regions whose registries are scanned (`--registry-ecr-region`); empty: any. */
  regions?: readonly string[];
  /** Accounts to include (`--registry-ecr-include-id`); empty: any. */
  includeIds?: readonly string[];
  /** Accounts to exclude (`--registry-ecr-exclude-id`); default the EKS system accounts. */
  excludeIds?: readonly string[];
  /** Creates the AWS client of a region (tests point it at another endpoint). */
  clientFor?: (region: string) => ECRClient | Promise<ECRClient>;
  clock?: Clock;
  logger?: Logger;
}

interface CachedToken {
  credentials: Credentials;
  expiresAt: number;
}

const MAX_TOKEN_MS = 12 * 3_600_000;
const EMBARGO_MS = 10 * 60_000;

/**
 * Whether an ECR registry may be scanned under the region and account rules. Images in registries
 * that may not are dropped from scanning, as in Flux v1.
 */
export function ecrAllowed(
  host: string,
  options: Pick<EcrOptions, 'regions' | 'includeIds' | 'excludeIds'>,
): boolean {
  const ecr = parseEcrHost(host);
  if (!ecr) return true;
  if (options.regions && options.regions.length > 0 && !options.regions.includes(ecr.region)) return false;
  if (options.includeIds && options.includeIds.length > 0 && !options.includeIds.includes(ecr.accountId))
    return false;
  return !(options.excludeIds ?? DEFAULT_ECR_EXCLUDE_IDS).includes(ecr.accountId);
}

/**
 * Credentials for ECR registries from `GetAuthorizationToken`, one token per region and account,
 * kept until it expires (at most 12 hours); after a failure that region is not asked again for 10
 * minutes. Other hosts get undefined.
 */
export function ecrCredentialsSource(options: EcrOptions = {}): CredentialsSource {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? noopLogger;
  const clientFor = options.clientFor ?? (async (region: string) => new (await sdk()).ECRClient({ region }));
  const clients = new Map<string, ECRClient>();
  const tokens = new Map<string, CachedToken>();
  const embargo = new Map<string, number>();
  return async (host) => {
    const ecr = parseEcrHost(host);
    if (!ecr || !ecrAllowed(host, options)) return undefined;
    const key = `${ecr.region}/${ecr.accountId}`;
    const now = clock.now();
    const cached = tokens.get(key);
    if (cached && cached.expiresAt > now) return cached.credentials;
    if ((embargo.get(ecr.region) ?? 0) > now) return undefined;
    try {
      let client = clients.get(ecr.region);
      if (!client) {
        client = await clientFor(ecr.region);
        clients.set(ecr.region, client);
      }
      const { GetAuthorizationTokenCommand } = await sdk();
      const out = await client.send(new GetAuthorizationTokenCommand({ registryIds: [ecr.accountId] }));
      const data = out.authorizationData?.[0];
      const decoded = Buffer.from(data?.authorizationToken ?? '', 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) throw new Error('the token is not base64 of user:password');
      const credentials = { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
      const expiresAt = Math.min(data?.expiresAt?.getTime() ?? now + MAX_TOKEN_MS, now + MAX_TOKEN_MS);
      tokens.set(key, { credentials, expiresAt });
      return credentials;
    } catch (err) {
      embargo.set(ecr.region, now + EMBARGO_MS);
      logger.warn(
        { region: ecr.region, account: ecr.accountId, error: (err as Error).name },
        'cannot get an ECR token; not asking again for 10 minutes',
      );
      return undefined;
    }
  };
}

/** Asks ECR once for a token in `region` (for `--registry-require ecr` at start-up). */
export async function requireEcr(region: string, client?: ECRClient): Promise<void> {
  try {
    const { ECRClient: Client, GetAuthorizationTokenCommand } = await sdk();
    await (client ?? new Client({ region })).send(new GetAuthorizationTokenCommand({}));
  } catch (err) {
    throw new EcrUnavailableError(region, err);
  }
}
