import { createServer, type Server } from 'node:http';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ManualClock } from '@flux-ts/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EcrUnavailableError, ecrAllowed, ecrCredentialsSource, parseEcrHost, requireEcr } from './ecr.ts';

// AWS is not reachable here: a small stand-in speaks the ECR JSON protocol on loopback, and the real
// AWS SDK client talks to it (signing, retries and parsing are the SDK's own).
describe('ECR credentials', () => {
  let server: Server;
  let endpoint: string;
  const requests: { target: string; body: string }[] = [];
  let fail = false;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        requests.push({ target: String(req.headers['x-amz-target']), body });
        if (fail) {
          res.writeHead(400, { 'Content-Type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify({ __type: 'AccessDeniedException', message: 'no' }));
          return;
        }
        res.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.1' });
        res.end(
          JSON.stringify({
            authorizationData: [
              {
                authorizationToken: Buffer.from('AWS:ecr-password').toString('base64'),
                expiresAt: 1_700_000_000 + 3600,
                proxyEndpoint: 'https://x',
              },
            ],
          }),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const address = server.address();
    endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });
  const clientFor = (region: string): ECRClient =>
    new ECRClient({
      region,
      endpoint,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
      maxAttempts: 1,
    });

  it('parses ECR hosts', () => {
    expect(parseEcrHost('123456789012.dkr.ecr.eu-west-1.amazonaws.com')).toEqual({
      accountId: '123456789012',
      region: 'eu-west-1',
    });
    expect(parseEcrHost('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn')).toEqual({
      accountId: '123456789012',
      region: 'cn-north-1',
    });
    expect(parseEcrHost('ghcr.io')).toBeUndefined();
  });

  it.each`
    host                                              | options                             | allowed
    ${'602401143452.dkr.ecr.us-west-2.amazonaws.com'} | ${{}}                               | ${false}
    ${'123456789012.dkr.ecr.us-west-2.amazonaws.com'} | ${{}}                               | ${true}
    ${'123456789012.dkr.ecr.us-west-2.amazonaws.com'} | ${{ regions: ['eu-west-1'] }}       | ${false}
    ${'123456789012.dkr.ecr.us-west-2.amazonaws.com'} | ${{ includeIds: ['999999999999'] }} | ${false}
    ${'ghcr.io'}                                      | ${{ regions: ['eu-west-1'] }}       | ${true}
  `('$host with $options: $allowed', ({ host, options, allowed }) => {
    expect(ecrAllowed(host, options)).toBe(allowed);
  });

  it('gets a token once per account and region and keeps it until it expires', async () => {
    requests.length = 0;
    const clock = new ManualClock(1_700_000_000_000);
    const source = ecrCredentialsSource({ clientFor, clock });
    const host = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

    const first = await source(host);
    const second = await source(host);
    await clock.advance(3_600_000);
    await source(host);

    expect(first).toEqual({ username: 'AWS', password: 'ecr-password' });
    expect(second).toEqual(first);
    expect(requests.map((r) => r.target)).toEqual([
      'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken',
      'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken',
    ]);
    expect(JSON.parse(requests[0]?.body ?? '{}')).toEqual({ registryIds: ['123456789012'] });
    expect(await source('ghcr.io')).toBeUndefined();
  });

  it('does not ask a failing region again for 10 minutes, and says why at start-up', async () => {
    requests.length = 0;
    fail = true;
    const clock = new ManualClock(1_700_000_000_000);
    const source = ecrCredentialsSource({ clientFor, clock });
    const host = '123456789012.dkr.ecr.us-east-1.amazonaws.com';

    expect(await source(host)).toBeUndefined();
    expect(await source(host)).toBeUndefined();
    expect(requests).toHaveLength(1);
    await clock.advance(10 * 60_000);
    await source(host);
    expect(requests).toHaveLength(2);
    const err = await requireEcr('us-east-1', clientFor('us-east-1')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EcrUnavailableError);
    expect((err as Error).message).toBe(
      'cannot get an ECR authorization token in us-east-1: AccessDeniedException',
    );
    fail = false;
  });
});
