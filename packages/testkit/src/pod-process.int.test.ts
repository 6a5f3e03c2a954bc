import { randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type KubeApis, kubeApis } from './kube-apis.ts';
import { type PodProcess, runPodProcess, UnsupportedPodVolumeError } from './pod-process.ts';
import { makeTempDir, type TempDir } from './temp-dir.ts';

async function logUntil(file: string, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await readFile(file, 'utf8').catch(() => '');
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`log ${file} never matched ${pattern}:\n${text}`);
    await sleep(100);
  }
}

// A Deployment's pod, scheduled and marked Running by the kube-testenv node stand-in, whose container
// runs as a local process: its volumes materialised, its args rewritten to them, its service account.
describe('runPodProcess against the kube-testenv node stand-in', () => {
  const kube = inject('kube');
  const namespace = `pod-process-${randomBytes(3).toString('hex')}`;
  let apis: KubeApis;
  let tmp: TempDir;
  let running: PodProcess | undefined;

  beforeAll(async () => {
    if (!kube) throw new Error('no API server: this is an integration test, run it without FLUX_TS_UNIT=1');
    apis = kubeApis(kube.kubeconfigPath);
    tmp = await makeTempDir('pod-process-test');
    await apis.core.createNamespace({ body: { metadata: { name: namespace } } });
    await apis.core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'runner' } } });
    await apis.core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'keys' }, stringData: { identity: 'secret-bytes\n' } },
    });
  });
  afterAll(async () => {
    await running?.stop();
    await apis?.core.deleteNamespace({ name: namespace }).catch(() => undefined);
    await tmp?.remove();
  });

  async function deploy(name: string, volumes: V1Volume[], mounts: V1VolumeMount[]): Promise<void> {
    await apis.apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name },
        spec: {
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels: { app: name } },
            spec: {
              serviceAccountName: 'runner',
              volumes,
              containers: [
                {
                  name: 'main',
                  image: 'example.invalid/runner:1',
                  args: ['--key=/etc/keys/identity', '--work=/var/work', '/etc/keys', '--other=/etc/passwd'],
                  env: [{ name: 'GREETING', value: 'hello' }],
                  volumeMounts: mounts,
                },
              ],
            },
          },
        },
      },
    });
  }

  it('runs the container with its volumes, args, env and service account', async () => {
    await deploy(
      'runner',
      [
        { name: 'keys', secret: { secretName: 'keys', defaultMode: 0o400 } },
        { name: 'work', emptyDir: {} },
      ],
      [
        { name: 'keys', mountPath: '/etc/keys', readOnly: true },
        { name: 'work', mountPath: '/var/work' },
      ],
    );
    const script = join(tmp.path, 'entrypoint.sh');
    await writeFile(
      script,
      [
        '#!/bin/sh',
        'for a in "$@"; do echo "arg $a"; done',
        'key=$1; echo "key $(cat "$(echo "$key" | cut -d= -f2)")"',
        'echo "env $GREETING"',
        'echo "user $(kubectl auth whoami -o jsonpath="{.status.userInfo.username}")"',
        'echo "can-list-secrets $(kubectl auth can-i list secrets)"',
        'exec sleep 600',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    const logFile = join(tmp.path, 'runner.log');
    running = await runPodProcess(kube?.kubeconfigPath ?? '', {
      namespace,
      labelSelector: 'app=runner',
      command: script,
      extraArgs: ['--patched=yes'],
      logFile,
    });
    const log = await logUntil(logFile, /can-list-secrets \w+/);
    const root = running.root;
    expect(running.args).toEqual([
      `--key=${root}/etc/keys/identity`,
      `--work=${root}/var/work`,
      `${root}/etc/keys`,
      '--other=/etc/passwd',
      '--patched=yes',
    ]);
    expect(log).toContain(`arg --key=${root}/etc/keys/identity\n`);
    expect(log).toContain('key secret-bytes\n');
    expect(log).toContain('env hello\n');
    expect(log).toContain(`user system:serviceaccount:${namespace}:runner\n`);
    // No RBAC was granted to the account: it runs with exactly what the manifests give it.
    expect(log).toContain('can-list-secrets no\n');
    expect((await stat(join(root, 'etc/keys/identity'))).mode & 0o777).toBe(0o400);
    expect((await stat(join(root, 'var/work'))).isDirectory()).toBe(true);
    expect(running.name).toMatch(/^runner-/);

    await running.stop();
    await expect(stat(root)).rejects.toThrow(/ENOENT/);
    running = undefined;
  });

  it('refuses a volume it cannot materialise, naming the pod and volume', async () => {
    await deploy(
      'hostpath',
      [{ name: 'host', hostPath: { path: '/tmp' } }],
      [{ name: 'host', mountPath: '/host' }],
    );
    await expect(
      runPodProcess(kube?.kubeconfigPath ?? '', {
        namespace,
        labelSelector: 'app=hostpath',
        command: '/bin/true',
        logFile: join(tmp.path, 'hostpath.log'),
      }),
    ).rejects.toThrow(UnsupportedPodVolumeError);
  });
});
