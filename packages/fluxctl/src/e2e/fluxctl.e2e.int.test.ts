import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  eventually,
  type FluxdEnv,
  type RunningFluxd,
  startFluxd,
  startFluxdEnv,
} from '@flux-ts/daemon/testing';
import { createFluxdPod } from '@flux-ts/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const fluxctlBin = join(repoRoot, 'packages/fluxctl/dist/bin/fluxctl.js');
const kubeInfo = inject('kube');

/** Pads cells to the given widths: the literal layout Go's tabwriter gives these tables. */
function row(widths: readonly number[], cells: readonly string[]): string {
  return `${cells.map((c, i) => (i < cells.length - 1 ? c.padEnd(widths[i] as number) : c)).join('')}\n`;
}

function deployment(
  NS: string,
  name: string,
  containers: string,
  annotations: Record<string, string> = {},
): string {
  const ann = Object.entries(annotations)
    .map(([k, v]) => `    ${k}: "${v}"\n`)
    .join('');
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${NS}
${ann ? `  annotations:\n${ann}` : ''}spec:
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
${containers}`;
}

// Every test runs twice: once with --url straight at fluxd, once as users run fluxctl, without
// --url: it finds the fluxd pod (app=flux, in FLUX_FORWARD_NAMESPACE) through the API server and
// port-forwards to it. The test cluster's node stand-in runs that pod and forwards its port 3030
// to the fluxd process (testkit's createFluxdPod). The output is the same. The namespaces have
// names of the same length, so the table widths are the same too.
const passes = [
  { connection: '--url', NS: 'fluxctl-e2e' },
  { connection: 'port-forward', NS: 'fluxctl-pfw' },
] as const;

describe.each(passes)(
  'fluxctl ($connection) against a real fluxd (git over ssh, kube-apiserver, docker-registry)',
  {
    timeout: 90_000,
  },
  ({ connection, NS }) => {
    let env: FluxdEnv;
    let fluxd: RunningFluxd;
    let reg: string;
    let port: string;
    /** The namespace of the fluxd pod, in the port-forward pass. */
    const forwardNs = `${NS}-fluxd`;
    /** How this pass points fluxctl at fluxd: a flag, or the environment port-forwarding needs. */
    const urlArgs = (): string[] => (connection === '--url' ? [`--url=${fluxd.url}/api/flux`] : []);
    const connectEnv = (): Record<string, string> => ({
      KUBECONFIG: env.kubeInfo.kubeconfigPath,
      ...(connection === '--url' ? {} : { FLUX_FORWARD_NAMESPACE: forwardNs }),
    });

    async function fluxctl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
      try {
        const { stdout, stderr } = await run(process.execPath, [fluxctlBin, ...urlArgs(), ...args], {
          env: { PATH: process.env.PATH ?? '', HOME: env.tmp.path, ...connectEnv() },
          timeout: 60_000,
        });
        return { code: 0, stdout, stderr };
      } catch (err) {
        const e = err as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
      }
    }

    /** The golden with the registry's port put in (the port has 5 digits, so widths do not move). */
    const golden = (text: string): string => text.replaceAll('PPPPP', port);

    beforeAll(async () => {
      if (!kubeInfo) throw new Error('this test needs the kube-apiserver (run without FLUX_TS_UNIT=1)');
      await run('npx', ['tsc', '-b', 'packages/fluxctl'], { cwd: repoRoot });
      env = await startFluxdEnv(kubeInfo, {});
      reg = env.registry.host;
      port = reg.split(':')[1] as string;
      expect(port).toMatch(/^\d{5}$/);
      await env.registry.pushImage({ repo: 'team/app', tag: '1.0.0', created: '2024-01-01T00:00:00Z' });
      await env.registry.pushImage({ repo: 'team/app', tag: '1.1.0', created: '2024-02-01T00:00:00Z' });
      await env.registry.pushImage({ repo: 'team/app', tag: '1.2.0', created: '2024-03-01T00:00:00Z' });
      await env.registry.pushImage({ repo: 'team/worker', tag: '2.0.0', created: '2024-01-01T00:00:00Z' });
      await env.user.write('ns.yaml', `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${NS}\n`);
      await env.user.write(
        'app.yaml',
        deployment(
          NS,
          'app',
          `      initContainers:\n      - name: init\n        image: busybox\n      containers:\n      - name: app\n        image: ${reg}/team/app:1.0.0\n`,
          { 'fluxcd.io/locked': 'true', 'fluxcd.io/tag.app': 'semver:~1' },
        ),
      );
      await env.user.write(
        'worker.yaml',
        deployment(
          NS,
          'worker',
          `      containers:\n      - name: worker\n        image: ${reg}/team/worker:2.0.0\n`,
        ),
      );
      await env.user.commitAndPush('Add workloads');
      fluxd = await startFluxd(
        env,
        ['--registry-exclude-image=index.docker.io/*', '--automation-interval=10m'],
        'fluxd',
      );
      if (connection === 'port-forward') {
        await createFluxdPod(env.kubeInfo.kubeconfigPath, { namespace: forwardNs, fluxdUrl: fluxd.url });
      }
      // Wait for the first sync, the rollouts (the node stand-in runs the pods), and the registry scan.
      await eventually(
        'workloads synced and scanned',
        async () => {
          const images = (await (
            await fluxd.api(`/v10/images?containerFields=&namespace=${NS}&service=%3Call%3E`)
          ).json()) as {
            Containers: { Available?: unknown[] }[];
          }[];
          const services = (await (await fluxd.api(`/v6/services?namespace=${NS}`)).json()) as {
            Status: string;
          }[];
          return (
            services.length === 2 &&
            services.every((s) => s.Status === 'ready') &&
            images.flatMap((i) => i.Containers).filter((c) => (c.Available?.length ?? 0) > 0).length === 2
          );
        },
        { fluxd, timeoutMs: 60_000 },
      );
    }, 240_000);

    afterAll(async () => {
      if (connection === 'port-forward') {
        await env?.apis.core.deleteNamespace({ name: forwardNs }).catch(() => undefined);
      }
      await fluxd?.stop();
      await env?.close();
    });

    it('list-workloads prints Flux v1 tables and JSON', async () => {
      const w = [31, 11, 35, 9];
      const out = await fluxctl('list-workloads', '-n', NS);
      expect(out.code).toBe(0);
      expect(out.stdout).toBe(
        golden(
          row(w, ['WORKLOAD', 'CONTAINER', 'IMAGE', 'RELEASE', 'POLICY']) +
            row(w, [`${NS}:deployment/app`, 'app', '127.0.0.1:PPPPP/team/app:1.0.0', 'ready', 'locked']) +
            row(w, ['', 'init', 'busybox', '', '']) +
            row(w, [`${NS}:deployment/worker`, 'worker', '127.0.0.1:PPPPP/team/worker:2.0.0', 'ready', '']),
        ),
      );
      const noHeaders = await fluxctl('list-controllers', '-n', NS, '--no-headers', '--container', 'worker');
      expect(noHeaders.stdout).toBe(
        golden(
          row(
            [31, 8, 35, 7],
            [`${NS}:deployment/worker`, 'worker', '127.0.0.1:PPPPP/team/worker:2.0.0', 'ready', ''],
          ),
        ),
      );
      const json = await fluxctl('list-workloads', '-n', NS, '-o', 'json');
      expect((JSON.parse(json.stdout) as { ID: string }[]).map((w) => w.ID)).toEqual([
        `${NS}:deployment/app`,
        `${NS}:deployment/worker`,
      ]);
      const bad = await fluxctl('list-workloads', '-o', 'yaml');
      expect(bad).toMatchObject({ code: 1, stdout: '' });
      expect(bad.stderr).toContain('invalid output format specified');
    });

    it("list-images shows the markers, the '-> current tag and (untagged)", async () => {
      const w = [31, 11, 29];
      const out = await fluxctl('list-images', '-n', NS);
      expect(out.code).toBe(0);
      expect(out.stdout).toBe(
        golden(
          row(w, ['WORKLOAD', 'CONTAINER', 'IMAGE', 'CREATED']) +
            row(w, [`${NS}:deployment/app`, 'app', '127.0.0.1:PPPPP/team/app', '']) +
            row(w, ['', '', '|   1.2.0', '01 Mar 24 00:00 UTC']) +
            row(w, ['', '', '|   1.1.0', '01 Feb 24 00:00 UTC']) +
            row(w, ['', '', "'-> 1.0.0", '01 Jan 24 00:00 UTC']) +
            row(w, ['', 'init', 'busybox', 'image data not available']) +
            row(w, ['', '', "'-> (untagged)", '?']) +
            row(w, [`${NS}:deployment/worker`, 'worker', '127.0.0.1:PPPPP/team/worker', '']) +
            row(w, ['', '', "'-> 2.0.0", '01 Jan 24 00:00 UTC']),
        ),
      );
      const limited = await fluxctl('list-images', '-n', NS, '-w', 'deployment/app', '--limit', '1');
      expect(limited.stdout).toContain(': (1 image(s) omitted)');
      const json = await fluxctl('list-images', '-n', NS, '-o', 'json', '--limit', '2');
      const parsed = JSON.parse(json.stdout) as {
        ID: string;
        Containers: { Name: string; Available?: unknown[] }[];
      }[];
      expect(parsed.find((i) => i.ID.endsWith('/app'))?.Containers[0]?.Available).toHaveLength(2);
    });

    it('release --dry-run shows the plan, then a release is committed and applied', async () => {
      await env.registry.pushImage({ repo: 'team/worker', tag: '2.1.0', created: '2024-02-01T00:00:00Z' });
      const target = `${reg}/team/worker:2.1.0`;
      const dry = await fluxctl(
        'release',
        '-n',
        NS,
        '--workload',
        'deployment/worker',
        '--update-image',
        target,
        '--dry-run',
      );
      expect(dry.code).toBe(0);
      expect(dry.stderr).toBe('Submitting dry-run release ...\n');
      const w = [31, 9];
      expect(dry.stdout).toBe(
        golden(
          row(w, ['WORKLOAD ', 'STATUS ', 'UPDATES']) +
            row(w, [
              `${NS}:deployment/worker`,
              'success',
              'worker: 127.0.0.1:PPPPP/team/worker:2.0.0 -> 2.1.0',
            ]),
        ),
      );
      const before = await env.user.pull();
      const out = await fluxctl(
        'release',
        '-n',
        NS,
        '--workload',
        'deployment/worker',
        '--update-image',
        target,
        '--user',
        'Jane <jane@example.com>',
      );
      expect(out.code).toBe(0);
      expect(out.stdout).toBe(dry.stdout);
      const after = await env.user.pull();
      expect(after).not.toBe(before);
      expect(out.stderr).toBe(
        `Submitting release ...\nCommit pushed:\t${after.slice(0, 7)}\nCommit applied:\t${after.slice(0, 7)}\n`,
      );
      expect(await env.user.read('worker.yaml')).toContain(`image: ${target}`);
      const locked = await fluxctl(
        'release',
        '-n',
        NS,
        '--workload',
        'deployment/app',
        '--update-all-images',
        '-v',
      );
      expect(locked.code).toBe(1);
      expect(locked.stdout).toBe(''); // Flux v1: a release that changes nothing fails with an empty Result
      expect(locked.stderr).toContain('Error: no changes made in repo');
    });

    it('release --watch follows the rollout until all workloads are ready', async () => {
      await env.registry.pushImage({ repo: 'team/worker', tag: '2.2.0', created: '2024-03-01T00:00:00Z' });
      const out = await fluxctl(
        'release',
        '-n',
        NS,
        '--workload',
        'deployment/worker',
        '--update-image',
        `${reg}/team/worker:2.2.0`,
        '--watch',
        '--timeout',
        '60s',
      );
      expect(out.stderr).toContain('Monitoring rollout ...');
      expect(out.stderr).toMatch(/All workloads ready\.\n$/);
      expect(out.stdout).toMatch(
        /REPLICAS\n.*deployment\/worker\s+worker\s+\S+team\/worker:2\.2\.0\s+ready\s+1\/1\n\n\n$/,
      );
      expect(out.code).toBe(0);
    });

    it('release --interactive shows the menu on a terminal and releases what stays selected', async () => {
      await env.registry.pushImage({ repo: 'team/worker', tag: '2.3.0', created: '2024-04-01T00:00:00Z' });
      await fluxd.api('/v11/notify', {
        method: 'POST',
        body: JSON.stringify({ Kind: 'image', Source: { Name: { Domain: reg, Image: 'team/worker' } } }),
      });
      await eventually(
        'the new tag scanned',
        async () => {
          const res = await fluxd.api(
            `/v10/images?containerFields=&namespace=&service=${encodeURIComponent(`${NS}:deployment/worker`)}`,
          );
          return JSON.stringify(await res.json()).includes('2.3.0');
        },
        { fluxd },
      );
      const command = [
        process.execPath,
        fluxctlBin,
        ...urlArgs(),
        'release',
        '-n',
        NS,
        '--workload',
        'deployment/worker',
        '--update-all-images',
        '--interactive',
      ]
        .map((a) => `'${a}'`)
        .join(' ');
      // `script` gives fluxctl a pseudo-terminal, as a user's shell would.
      const child = spawn('script', ['-qec', command, '/dev/null'], {
        env: { PATH: process.env.PATH ?? '', HOME: env.tmp.path, TERM: 'xterm', ...connectEnv() },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let screen = '';
      let pressed = false;
      child.stdout.on('data', (chunk: Buffer) => {
        screen += chunk.toString();
        if (!pressed && screen.includes('hit [Enter] to release selected.')) {
          pressed = true;
          child.stdin.write('\r');
        }
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      child.stdin.destroy();
      expect(screen).toContain('Submitting dry-run release ...');
      expect(screen).toContain('\u21d2 \u25c9');
      expect(screen).toContain(`worker: ${reg}/team/worker:2.2.0 -> 2.3.0`);
      expect(screen).toContain('Submitting selected release ...');
      expect(screen).toMatch(/Commit pushed:\t[0-9a-f]{7}/);
      expect(code).toBe(0);
      await env.user.pull();
      expect(await env.user.read('worker.yaml')).toContain(`image: ${reg}/team/worker:2.3.0`);
    });

    it('prints results as JSON with -o json', async () => {
      const version = await fluxctl('version', '-o', 'json');
      expect(JSON.parse(version.stdout)).toMatch(/^\d+\.\d+\.\d+$/);
      const key = await fluxctl('identity', '-o', 'json');
      expect(JSON.parse(key.stdout)).toMatchObject({ key: expect.stringMatching(/^ssh-ed25519 /) });
      const dry = await fluxctl(
        'release',
        '-n',
        NS,
        '--workload',
        'deployment/worker',
        '--update-all-images',
        '--dry-run',
        '-o',
        'json',
      );
      expect(dry).toMatchObject({ code: 0, stderr: 'Submitting dry-run release ...\n' });
      expect(JSON.parse(dry.stdout)).toMatchObject({
        spec: { type: 'image' },
        result: { [`${NS}:deployment/worker`]: { Status: 'skipped' } },
      });
    });

    it('policy commands write Flux v1 annotations into git', async () => {
      const auto = await fluxctl('automate', '-n', NS, '-w', 'deployment/worker');
      expect(auto.code).toBe(0);
      expect(auto.stdout).toBe(
        row([31, 9], ['WORKLOAD ', 'STATUS ', 'UPDATES']) +
          row([31, 9], [`${NS}:deployment/worker`, 'success', '']),
      );
      expect(auto.stderr).toMatch(/^Commit pushed:\t[0-9a-f]{7}\n$/);
      const tag = await fluxctl(
        'policy',
        '-n',
        NS,
        '-w',
        'deployment/worker',
        '--tag',
        'worker=semver:>=2.0, <3',
      );
      expect(tag.code).toBe(0);
      const lock = await fluxctl(
        'lock',
        '-n',
        NS,
        '-w',
        'deployment/worker',
        '-m',
        'release freeze',
        '--user',
        'Jane',
      );
      expect(lock.code).toBe(0);
      await env.user.pull();
      const text = await env.user.read('worker.yaml');
      expect(text).toContain("    fluxcd.io/automated: 'true'\n");
      expect(text).toContain('    fluxcd.io/tag.worker: semver:>=2.0, <3\n');
      expect(text).toContain("    fluxcd.io/locked: 'true'\n");
      expect(text).toContain('    fluxcd.io/locked_msg: release freeze\n');
      expect(text).toContain('    fluxcd.io/locked_user: Jane\n');
      const unlock = await fluxctl('unlock', '-n', NS, '-w', 'deployment/worker');
      expect(unlock.code).toBe(0);
      await env.user.pull();
      expect(await env.user.read('worker.yaml')).not.toContain('locked');
      const missing = await fluxctl('automate', '-n', NS);
      expect(missing).toMatchObject({ code: 1 });
      expect(missing.stderr).toBe(
        "Error: -w, --workload is required\nRun 'fluxctl automate --help' for usage.\n",
      );
    });

    it('why explains each candidate tag', async () => {
      const out = await fluxctl('why', '-n', NS, '-w', 'deployment/app');
      expect(out.code).toBe(0);
      expect(out.stdout).toContain(
        golden(`${NS}:deployment/app app: 127.0.0.1:PPPPP/team/app:1.0.0 (filter semver:~1)\n`),
      );
      expect(out.stdout).toContain('automation does not apply: the workload is locked');
      expect(out.stdout).toMatch(/1\.2\.0\s+01 Mar 24 00:00 UTC\s+chosen/);
    });

    it('sync waits for the head, and exits 1 naming a resource that failed to apply', async () => {
      await env.user.pull();
      await env.user.write(
        'extra.yaml',
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n  namespace: ${NS}\n`,
      );
      const head = await env.user.commitAndPush('Add a config map');
      const ok = await fluxctl('sync');
      expect(ok.code).toBe(0);
      expect(ok.stderr).toBe(
        `Synchronizing with ${env.repo.sshUrl}\nRevision of main to apply is ${head.slice(0, 7)}\nWaiting for ${head.slice(0, 7)} to be applied ...\nDone.\n`,
      );
      await env.user.write(
        'bad.yaml',
        `apiVersion: v1\nkind: Service\nmetadata:\n  name: bad\n  namespace: ${NS}\nspec:\n  ports:\n  - port: 99999999\n`,
      );
      await env.user.commitAndPush('Add a service the API server refuses');
      const failed = await fluxctl('sync');
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain(`${NS}:service/bad`);
      expect(failed.stderr).toMatch(/failed:\n/);
    });

    it('identity prints the deploy key and its fingerprint; save prints the workloads', async () => {
      const key = await fluxctl('identity');
      expect(key.code).toBe(0);
      expect(key.stdout).toMatch(/^ssh-ed25519 \S+ \S+\n$/);
      const fp = await fluxctl('identity', '-l');
      expect(fp.stdout).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}\n$/);
      const saved = await fluxctl('save');
      expect(saved.code).toBe(0);
      expect(saved.stdout).toContain('kind: Deployment');
      expect(saved.stdout).toContain('name: worker');
      expect(saved.stdout).not.toContain('creationTimestamp');
      const version = await fluxctl('version');
      expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    });

    // After the listing tests: it adds a workload, which would change their tables; before
    // `identity --regenerate`, after which fluxd can no longer fetch from git. The node stand-in crash-loops
    // the containers named in the pod annotation kube-testenv.flux-ts.dev/fail, and the Deployment
    // controller reports the missed progress deadline, which fluxctl shows as Flux v1 does.
    it('release --watch reports a rollout whose containers fail', async () => {
      await env.user.pull();
      await env.user.write(
        'broken.yaml',
        `apiVersion: apps/v1
kind: Deployment
metadata:
  name: broken
  namespace: ${NS}
spec:
  progressDeadlineSeconds: 3
  selector:
    matchLabels:
      app: broken
  template:
    metadata:
      labels:
        app: broken
      annotations:
        kube-testenv.flux-ts.dev/fail: broken
    spec:
      containers:
      - name: broken
        image: ${reg}/team/worker:2.0.0
`,
      );
      await env.user.commitAndPush('Add a workload whose container fails');
      // (When the whole file runs, the refused Service of an earlier test is still in git: sync
      // applies the rest, names that one and exits 1.)
      const synced = await fluxctl('sync');
      expect(synced.stderr).toContain(`Synchronizing with ${env.repo.sshUrl}\n`);
      expect(synced.stderr).not.toContain('deployment/broken');
      const out = await fluxctl(
        'release',
        '-n',
        NS,
        '--workload',
        'deployment/broken',
        '--update-image',
        `${reg}/team/worker:2.1.0`,
        '--watch',
        '--timeout',
        '60s',
      );
      expect(out.code).toBe(0);
      expect(out.stdout).toMatch(
        /REPLICAS\n.*deployment\/broken\s+broken\s+\S+team\/worker:2\.1\.0\s+error\s+\d\/1\n\n\n$/,
      );
      expect(out.stderr).toMatch(
        new RegExp(
          `Monitoring rollout \\.\\.\\.\\nThere was a problem releasing ${NS}:deployment/broken:\\nReplicaSet "broken-[a-z0-9]+" has timed out progressing\\.\\n$`,
        ),
      );
    });

    it('covers the remaining flags: --all, --exclude, -m, --tag-all, deautomate, --visual, -o json, --regenerate', async () => {
      const all = await fluxctl(
        'release',
        '--all',
        '--update-all-images',
        '--exclude',
        `${NS}:deployment/app`,
        '--dry-run',
        '-m',
        'everything',
        '-vv',
        '-o',
        'json',
      );
      expect(all.code).toBe(0);
      const plan = JSON.parse(all.stdout) as {
        spec: { spec: { ServiceSpecs: string[]; Excludes: string[] } };
        result: Record<string, { Status: string; Error?: string }>;
      };
      expect(plan.spec.spec).toMatchObject({ ServiceSpecs: ['<all>'], Excludes: [`${NS}:deployment/app`] });
      expect(plan.result[`${NS}:deployment/app`]).toMatchObject({ Status: 'ignored', Error: 'excluded' });
      const tagAll = await fluxctl(
        'policy',
        '-n',
        NS,
        '-w',
        'deployment/worker',
        '--tag-all',
        '2.*',
        '-o',
        'json',
      );
      expect(tagAll.code).toBe(0);
      expect(JSON.parse(tagAll.stdout)).toMatchObject({
        result: { [`${NS}:deployment/worker`]: { Status: 'success' } },
      });
      const deauto = await fluxctl('deautomate', '-n', NS, '-w', 'deployment/worker');
      expect(deauto.code).toBe(0);
      await env.user.pull();
      const text = await env.user.read('worker.yaml');
      // Flux v1 writes --tag-all as a tag filter on every container.
      expect(text).toContain('    fluxcd.io/tag.worker: glob:2.*\n');
      expect(text).not.toContain('fluxcd.io/automated');
      const synced = await fluxctl('sync', '-o', 'json');
      expect(synced.code).toBe(1); // the refused Service is still in git
      expect(JSON.parse(synced.stdout)).toMatchObject({ errors: [{ ID: `${NS}:service/bad` }] });
      const visual = await fluxctl('identity', '--visual');
      expect(visual.stdout).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}\n\+--\[ED25519 256\]--\+\n/);
      // fluxd stores a regenerated key in its Secret, in its own namespace.
      await env.apis.core.createNamespace({ body: { metadata: { name: env.namespace } } });
      const before = (await fluxctl('identity')).stdout;
      const regenerated = await fluxctl('identity', '--regenerate');
      expect(regenerated.code).toBe(0);
      expect(regenerated.stdout).toMatch(/^ssh-(rsa|ed25519) /);
      expect(regenerated.stdout).not.toBe(before);
    });
  },
);
