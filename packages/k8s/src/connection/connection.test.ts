import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { connectionFromKubeconfig } from './from-kubeconfig.ts';
import { inClusterConnection } from './in-cluster.ts';
import { KubeConfigError } from './kubeconfig-error.ts';
import { readKubeconfigFiles } from './kubeconfig-file.ts';
import { loadKubeConnection } from './load.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flux-ts-kubeconfig-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const b64 = (s: string): string => Buffer.from(s).toString('base64');

async function file(name: string, doc: object): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, stringify(doc));
  return path;
}

function single(
  user: object,
  cluster: object = { server: 'https://k8s.example:6443' },
  namespace?: string,
): object {
  return {
    'current-context': 'c',
    clusters: [{ name: 'k', cluster }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'c', context: { cluster: 'k', user: 'u', ...(namespace ? { namespace } : {}) } }],
  };
}

describe('readKubeconfigFiles', () => {
  it('merges files as kubectl does: the first definition of a name and the first current-context win', async () => {
    const a = await file('a.yaml', {
      'current-context': 'first',
      clusters: [{ name: 'k', cluster: { server: 'https://a' } }],
    });
    const b = await file('b.yaml', {
      'current-context': 'second',
      clusters: [
        { name: 'k', cluster: { server: 'https://b' } },
        { name: 'other', cluster: { server: 'https://other' } },
      ],
    });
    const merged = readKubeconfigFiles([a, join(dir, 'missing.yaml'), b]);
    expect(merged.currentContext).toBe('first');
    expect(merged.clusters.get('k')?.value.server).toBe('https://a');
    expect(merged.clusters.get('other')?.file).toBe(b);
  });

  it('names the file when it is missing or not YAML', async () => {
    expect(() => readKubeconfigFiles([join(dir, 'nope.yaml')])).toThrow(
      /cannot read the kubeconfig .*nope\.yaml/,
    );
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'clusters: [\n');
    expect(() => readKubeconfigFiles([bad])).toThrow(KubeConfigError);
    expect(() => readKubeconfigFiles([bad])).toThrow(/bad\.yaml is not valid YAML/);
  });
});

describe('connectionFromKubeconfig', () => {
  it('uses certificates and CA from data, the context namespace, insecure and tls-server-name', async () => {
    const config = readKubeconfigFiles([
      await file(
        'certs.yaml',
        single(
          { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') },
          {
            server: 'https://k8s.example:6443',
            'certificate-authority-data': b64('CA'),
            'insecure-skip-tls-verify': true,
            'tls-server-name': 'kubernetes',
          },
          'team-a',
        ),
      ),
    ]);
    const connection = connectionFromKubeconfig(config);
    expect(connection.server).toBe('https://k8s.example:6443');
    expect(connection.namespace).toBe('team-a');
    expect(await connection.requestAuth()).toEqual({
      ca: 'CA',
      cert: 'CERT',
      key: 'KEY',
      rejectUnauthorized: false,
      servername: 'kubernetes',
      headers: {},
    });
  });

  it('sends basic auth and a static token', async () => {
    const basic = connectionFromKubeconfig(
      readKubeconfigFiles([await file('basic.yaml', single({ username: 'ann', password: 'pw' }))]),
    );
    expect((await basic.requestAuth()).headers.Authorization).toBe(`Basic ${b64('ann:pw')}`);
    const bearer = connectionFromKubeconfig(
      readKubeconfigFiles([await file('tok.yaml', single({ token: 't0k' }))]),
    );
    expect((await bearer.requestAuth()).headers.Authorization).toBe('Bearer t0k');
    expect(bearer.namespace).toBe('default');
  });

  it('re-reads a token file once a minute (rotating service-account tokens)', async () => {
    await writeFile(join(dir, 'token'), 'one\n');
    let now = 1_000_000;
    const connection = connectionFromKubeconfig(
      readKubeconfigFiles([await file('tokfile.yaml', single({ tokenFile: 'token' }))]),
      { now: () => now },
    );
    expect((await connection.requestAuth()).headers.Authorization).toBe('Bearer one');
    await writeFile(join(dir, 'token'), 'two\n');
    now += 59_000;
    expect((await connection.requestAuth()).headers.Authorization).toBe('Bearer one');
    now += 1_000;
    expect((await connection.requestAuth()).headers.Authorization).toBe('Bearer two');
  });

  it('runs the exec plugin again only when its credential is about to expire', async () => {
    const plugin = join(dir, 'plugin.sh');
    const calls = join(dir, 'plugin-calls');
    await writeFile(
      plugin,
      `#!/bin/sh\necho x >> "${calls}"\nn=$(wc -l < "${calls}")\nprintf '{"status":{"token":"tok-%s","expirationTimestamp":"2030-01-01T00:01:00Z"}}' $n\n`,
    );
    await chmod(plugin, 0o755);
    let now = Date.parse('2030-01-01T00:00:00Z');
    const connection = connectionFromKubeconfig(
      readKubeconfigFiles([await file('exec.yaml', single({ exec: { command: plugin } }))]),
      { now: () => now },
    );
    const [a, b] = await Promise.all([connection.requestAuth(), connection.requestAuth()]);
    expect(a.headers.Authorization).toBe('Bearer tok-1');
    expect(b.headers.Authorization).toBe('Bearer tok-1');
    now += 49_000;
    expect((await connection.requestAuth()).headers.Authorization).toBe('Bearer tok-1');
    now += 2_000; // within 10 s of expiry
    expect((await connection.requestAuth()).headers.Authorization).toBe('Bearer tok-2');
    expect((await readFile(calls, 'utf8')).trim().split('\n')).toHaveLength(2);
  });

  it('says what is wrong with an exec plugin, with its install hint, without its output', async () => {
    const missing = connectionFromKubeconfig(
      readKubeconfigFiles([
        await file(
          'exec-missing.yaml',
          single({
            exec: { command: 'no-such-credential-helper', installHint: 'Install it from example.com' },
          }),
        ),
      ]),
    );
    const err = await missing.requestAuth().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeConfigError);
    expect((err as KubeConfigError).message).toBe(
      'the credential plugin no-such-credential-helper of user u is not installed',
    );
    expect((err as KubeConfigError).help).toBe('Install it from example.com');

    const leaky = join(dir, 'leaky.sh');
    await writeFile(leaky, '#!/bin/sh\necho "secret-token-value not json"\n');
    await chmod(leaky, 0o755);
    const bad = connectionFromKubeconfig(
      readKubeconfigFiles([await file('exec-bad.yaml', single({ exec: { command: leaky } }))]),
    );
    const badErr = (await bad.requestAuth().catch((e: unknown) => e)) as Error;
    expect(badErr.message).toMatch(/printed something other than ExecCredential JSON/);
    expect(badErr.message).not.toContain('secret-token-value');
  });

  it('names the missing context, cluster or user, and refuses proxy-url', async () => {
    const base = single({ token: 'x' }) as { contexts: { context: Record<string, unknown> }[] };
    const config = readKubeconfigFiles([await file('ctx.yaml', base)]);
    expect(() => connectionFromKubeconfig(config, { context: 'nope' })).toThrow(
      'the kubeconfig has no context nope',
    );
    const noUser = readKubeconfigFiles([await file('nouser.yaml', { ...base, users: [] })]);
    expect(() => connectionFromKubeconfig(noUser)).toThrow('context c names user u, which is not defined');
    const proxy = readKubeconfigFiles([
      await file(
        'proxy.yaml',
        single({ token: 'x' }, { server: 'https://k', 'proxy-url': 'http://proxy:3128' }),
      ),
    ]);
    expect(() => connectionFromKubeconfig(proxy)).toThrow(/proxy-url, which flux-ts does not support/);
  });
});

describe('inClusterConnection and loadKubeConnection', () => {
  it('builds the in-cluster connection from the service-account mount', async () => {
    const sa = join(dir, 'sa');
    await mkdir(sa);
    await writeFile(join(sa, 'token'), 'pod-token');
    await writeFile(join(sa, 'ca.crt'), 'POD-CA');
    await writeFile(join(sa, 'namespace'), 'flux\n');
    const env = { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' };
    const connection = inClusterConnection(env, sa);
    expect(connection?.server).toBe('https://[fd00::1]:443');
    expect(connection?.namespace).toBe('flux');
    expect(await connection?.requestAuth()).toMatchObject({
      ca: 'POD-CA',
      headers: { Authorization: 'Bearer pod-token' },
    });
    expect(inClusterConnection({}, sa)).toBeUndefined();
  });

  it('prefers KUBECONFIG, then ~/.kube/config, and says what it tried when nothing is there', async () => {
    const fromEnv = await file('env.yaml', single({ token: 'from-env' }, { server: 'https://env' }));
    const home = join(dir, 'home');
    await mkdir(join(home, '.kube'), { recursive: true });
    await writeFile(
      join(home, '.kube', 'config'),
      stringify(single({ token: 'h' }, { server: 'https://home' })),
    );
    expect(loadKubeConnection({ env: { KUBECONFIG: fromEnv, HOME: home } }).server).toBe('https://env');
    expect(loadKubeConnection({ env: { HOME: home } }).server).toBe('https://home');
    expect(() => loadKubeConnection({ env: { HOME: join(dir, 'empty-home') } })).toThrow(
      /no Kubernetes configuration found/,
    );
  });
});
