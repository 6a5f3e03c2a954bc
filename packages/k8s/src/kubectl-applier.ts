import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConnection } from './connection/kube-connection.ts';

/** The outcome of applying one object with kubectl. */
export interface KubectlResult {
  ok: boolean;
  /** kubectl's stderr when it failed. */
  error?: string;
}

function runKubectl(
  kubectl: string,
  args: readonly string[],
  stdin: string,
  signal?: AbortSignal,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(kubectl, args, { stdio: ['pipe', 'pipe', 'pipe'], ...(signal ? { signal } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/**
 * Applies objects with `kubectl apply --server-side` (`--kubernetes-kubectl`, for parity with Flux
 * v1): all of them in one call, and, when that fails, one by one so each failure is its own (Flux v1's
 * fallback). The kubeconfig is written to a private temporary file for the call.
 */
export async function kubectlApply(
  kubectl: string,
  connection: KubeConnection,
  objects: readonly Record<string, unknown>[],
  options: { fieldManager?: string; signal?: AbortSignal } = {},
): Promise<KubectlResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'flux-ts-kubectl-'));
  try {
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, await connection.kubeconfig(), { mode: 0o600 });
    const args = [
      '--kubeconfig',
      kubeconfig,
      'apply',
      '--server-side',
      '--force-conflicts',
      `--field-manager=${options.fieldManager ?? 'flux'}`,
      '-f',
      '-',
    ];
    const stream = (objs: readonly Record<string, unknown>[]): string =>
      objs.map((o) => JSON.stringify(o)).join('\n');
    const batch = await runKubectl(kubectl, args, stream(objects), options.signal);
    if (batch.code === 0) return objects.map(() => ({ ok: true }));
    const results: KubectlResult[] = [];
    for (const object of objects) {
      const one = await runKubectl(kubectl, args, stream([object]), options.signal);
      results.push(
        one.code === 0
          ? { ok: true }
          : { ok: false, error: `running kubectl: ${one.code}, stderr: ${one.stderr.trim()}` },
      );
    }
    return results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
