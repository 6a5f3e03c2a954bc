import { execFile, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { makeTempDir } from './temp-dir.ts';

const run = promisify(execFile);

/** A Kubernetes API server for tests: the real kube-apiserver from tools/kube-testenv, or an existing cluster. */
export interface KubeInfo {
  kubeconfigPath: string;
  /** API server URL, e.g. `https://127.0.0.1:41234`. */
  server: string;
  /** True when this is the cluster named by FLUX_TS_KUBECONFIG rather than one we started. */
  external: boolean;
}

export interface TestKube extends KubeInfo {
  stop(): Promise<void>;
}

interface ReadyLine {
  ready: boolean;
  kubeconfig: string;
  server: string;
  startupMs: number;
}

const buildScript = fileURLToPath(new URL('../../../tools/kube-testenv/build', import.meta.url));

/** Builds tools/kube-testenv if its cached binary is missing (minutes, once) and returns the binary's path. */
export async function kubeTestenvBinary(): Promise<string> {
  const { stdout } = await run(buildScript, [], { maxBuffer: 1 << 20, timeout: 60 * 60_000 });
  const path = stdout.trim().split('\n').pop();
  if (!path) throw new Error(`${buildScript} printed no binary path`);
  return path;
}

async function serverOf(kubeconfigPath: string): Promise<string> {
  const config = parse(await readFile(kubeconfigPath, 'utf8')) as {
    'current-context'?: string;
    contexts?: { name: string; context: { cluster: string } }[];
    clusters?: { name: string; cluster: { server: string } }[];
  };
  const context = config.contexts?.find((c) => c.name === config['current-context']);
  const cluster = config.clusters?.find((c) => c.name === context?.context.cluster) ?? config.clusters?.[0];
  if (!cluster) throw new Error(`${kubeconfigPath} names no cluster`);
  return cluster.cluster.server;
}

/**
 * Starts a real kube-apiserver (with etcd and kube-controller-manager, from tools/kube-testenv) on
 * 127.0.0.1, or, when FLUX_TS_KUBECONFIG is set, uses that cluster and starts nothing. Tests isolate
 * themselves by namespace.
 */
export async function startKube(options: { timeoutMs?: number } = {}): Promise<TestKube> {
  const external = process.env.FLUX_TS_KUBECONFIG;
  if (external) {
    return {
      kubeconfigPath: external,
      server: await serverOf(external),
      external: true,
      stop: async () => {},
    };
  }
  const binary = await kubeTestenvBinary();
  const dir = await makeTempDir('flux-ts-kube');
  const logFile = `${dir.path}/kube-testenv.log`;
  const log = createWriteStream(logFile);
  // stdin stays a pipe: kube-testenv exits when it closes, so it never outlives this process.
  const child = spawn(binary, ['--dir', `${dir.path}/state`], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stderr.pipe(log);
  child.unref();
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const tail = async (): Promise<string> =>
    (await readFile(logFile, 'utf8').catch(() => '')).split('\n').slice(-30).join('\n');
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
    child.stdin.destroy();
    log.end();
    await dir.remove();
  };
  try {
    const ready = await new Promise<ReadyLine>((resolve, reject) => {
      let buffered = '';
      const timer = setTimeout(
        () => reject(new Error(`kube-testenv was not ready after ${options.timeoutMs ?? 120_000} ms`)),
        options.timeoutMs ?? 120_000,
      );
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const line = buffered.split('\n')[0];
        if (buffered.includes('\n') && line) {
          clearTimeout(timer);
          try {
            resolve(JSON.parse(line) as ReadyLine);
          } catch (err) {
            reject(err);
          }
        }
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`kube-testenv exited with code ${code} before it was ready`));
      });
    });
    return { kubeconfigPath: ready.kubeconfig, server: ready.server, external: false, stop };
  } catch (err) {
    const message = `${(err as Error).message}. Log:\n${await tail()}`;
    await stop();
    throw new Error(message);
  }
}
