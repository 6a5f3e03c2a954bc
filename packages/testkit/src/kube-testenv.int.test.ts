import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kubeTestenvBinary } from './kube.ts';
import { makeTempDir } from './temp-dir.ts';

describe('kube-testenv process lifecycle', () => {
  it('prints one ready line, then exits cleanly when its stdin closes and removes what it wrote', async () => {
    if (process.env.FLUX_TS_KUBECONFIG) return; // an external cluster: nothing of ours to start
    const binary = await kubeTestenvBinary();
    const dir = await makeTempDir('flux-ts-kte-life');
    const child = spawn(binary, ['--dir', dir.path, '--controllers', ''], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('\n')) resolve(out.split('\n')[0] as string);
        });
        void exited.then((code) => reject(new Error(`exited with ${code} before ready`)));
      });
      const ready = JSON.parse(line) as {
        ready: boolean;
        kubeconfig: string;
        server: string;
        startupMs: number;
      };
      expect(ready).toMatchObject({ ready: true, kubeconfig: `${dir.path}/kubeconfig` });
      expect(ready.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(ready.startupMs).toBeLessThan(30_000);
      expect(existsSync(ready.kubeconfig)).toBe(true);

      child.stdin.end();
      const code = await Promise.race([
        exited,
        new Promise((r) => setTimeout(() => r('still running'), 30_000)),
      ]);

      expect(code).toBe(0);
      expect(existsSync(`${dir.path}/kubeconfig`)).toBe(false);
      expect(existsSync(`${dir.path}/etcd`)).toBe(false);
    } finally {
      child.kill('SIGKILL');
      await dir.remove();
    }
  }, 90_000);
});
