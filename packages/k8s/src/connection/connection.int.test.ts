import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@flux-ts/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { kubeRequest } from '../rest.ts';
import { connectionFromKubeconfig } from './from-kubeconfig.ts';
import type { KubeConnection } from './kube-connection.ts';
import { readKubeconfigFiles } from './kubeconfig-file.ts';
import { loadKubeConnection } from './load.ts';

interface Doc {
  'current-context': string;
  clusters: { name: string; cluster: Record<string, unknown> }[];
  users: { name: string; user: Record<string, unknown> }[];
  contexts: { name: string; context: Record<string, unknown> }[];
}

let tmp: TempDir;
let doc: Doc;
let cluster: Record<string, unknown>;
let token: string;

beforeAll(async () => {
  const kube = inject('kube');
  if (!kube) throw new Error('no API server: this is an integration test, run it without FLUX_TS_UNIT=1');
  tmp = await makeTempDir('kubeconfig');
  doc = parse(await readFile(kube.kubeconfigPath, 'utf8')) as Doc;
  const context = doc.contexts.find((c) => c.name === doc['current-context'])?.context;
  cluster = doc.clusters.find((c) => c.name === context?.cluster)?.cluster ?? {};
  const user = doc.users.find((u) => u.name === context?.user)?.user ?? {};
  if (typeof user.token !== 'string')
    throw new Error('these tests need a kubeconfig user with a bearer token');
  token = user.token;
});
afterAll(async () => {
  await tmp?.remove();
});

/** Writes a kubeconfig with the test cluster and the given user, returns its path. */
async function kubeconfigWith(name: string, user: Record<string, unknown>, c = cluster): Promise<string> {
  const path = join(tmp.path, `${name}.yaml`);
  await writeFile(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'test',
      clusters: [{ name: 'test', cluster: c }],
      users: [{ name: 'me', user }],
      contexts: [{ name: 'test', context: { cluster: 'test', user: 'me', namespace: 'kube-system' } }],
    }),
  );
  return path;
}

async function canListNamespaces(connection: KubeConnection): Promise<number> {
  return (await kubeRequest(connection, { path: '/api/v1/namespaces?limit=1' })).status;
}

describe('connections to the real kube-apiserver', () => {
  it('authenticates with the bearer token of the kubeconfig and reads the context namespace', async () => {
    const connection = loadKubeConnection({ kubeconfigPath: await kubeconfigWith('token', { token }) });
    expect(connection.namespace).toBe('kube-system');
    expect(await canListNamespaces(connection)).toBe(200);
  });

  it('is refused (401) with a wrong token', async () => {
    const connection = loadKubeConnection({ kubeconfigPath: await kubeconfigWith('bad', { token: 'nope' }) });
    expect(await canListNamespaces(connection)).toBe(401);
  });

  it('reads a token file and a CA file named relative to the kubeconfig', async () => {
    await writeFile(join(tmp.path, 'token.txt'), `${token}\n`);
    const ca = cluster['certificate-authority-data'];
    let withFile = cluster;
    if (typeof ca === 'string') {
      await writeFile(join(tmp.path, 'ca.crt'), Buffer.from(ca, 'base64'));
      withFile = { server: cluster.server, 'certificate-authority': 'ca.crt' };
    }
    const path = await kubeconfigWith('files', { tokenFile: 'token.txt' }, withFile);
    expect(await canListNamespaces(loadKubeConnection({ kubeconfigPath: path }))).toBe(200);
  });

  it('runs an exec credential plugin and uses the token it prints', async () => {
    const plugin = join(tmp.path, 'cred-plugin.sh');
    const calls = join(tmp.path, 'calls');
    await writeFile(
      plugin,
      `#!/bin/sh\necho call >> "${calls}"\ntest -n "$KUBERNETES_EXEC_INFO" || exit 3\nprintf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "$FLUX_TEST_TOKEN"\n`,
    );
    await chmod(plugin, 0o755);
    const connection = loadKubeConnection({
      kubeconfigPath: await kubeconfigWith('exec', {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1',
          command: './cred-plugin.sh',
          env: [{ name: 'FLUX_TEST_TOKEN', value: token }],
        },
      }),
    });
    expect(await canListNamespaces(connection)).toBe(200);
    expect(await canListNamespaces(connection)).toBe(200);
    // No expiry: the plugin ran once for both requests.
    expect((await readFile(calls, 'utf8')).trim().split('\n')).toHaveLength(1);
  });

  it('merges a KUBECONFIG list: cluster from one file, user and context from another', async () => {
    const a = join(tmp.path, 'a.yaml');
    const b = join(tmp.path, 'b.yaml');
    await writeFile(a, stringify({ clusters: [{ name: 'test', cluster }] }));
    await writeFile(
      b,
      stringify({
        'current-context': 'ctx',
        users: [{ name: 'me', user: { token } }],
        contexts: [{ name: 'ctx', context: { cluster: 'test', user: 'me' } }],
      }),
    );
    const connection = loadKubeConnection({ env: { KUBECONFIG: `${a}:${join(tmp.path, 'missing')}:${b}` } });
    expect(connection.namespace).toBe('default');
    expect(await canListNamespaces(connection)).toBe(200);
  });

  it('hands an auth-provider user to client-node, loaded only then', async () => {
    const config = readKubeconfigFiles([
      await kubeconfigWith('azure', {
        'auth-provider': { name: 'azure', config: { 'access-token': token } },
      }),
    ]);
    const connection = connectionFromKubeconfig(config);
    expect(await canListNamespaces(connection)).toBe(200);
    expect(await connection.kubeconfig()).toContain('azure');
  });

  it('exports a kubeconfig kubectl-style tools can use from any directory', async () => {
    await writeFile(join(tmp.path, 'token2.txt'), token);
    const connection = loadKubeConnection({
      kubeconfigPath: await kubeconfigWith('export', { tokenFile: 'token2.txt' }),
    });
    const exported = join(tmp.path, 'sub-exported.yaml');
    await writeFile(exported, await connection.kubeconfig());
    const again = loadKubeConnection({ kubeconfigPath: exported });
    expect(parse(await readFile(exported, 'utf8')).users[0].user.tokenFile).toBe(
      join(tmp.path, 'token2.txt'),
    );
    expect(await canListNamespaces(again)).toBe(200);
  });
});
