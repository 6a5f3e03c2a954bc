import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadManifests } from '@flux-ts/core';
import {
  eventually,
  type FluxdEnv,
  getObject,
  type RunningFluxd,
  startFluxd,
  startFluxdEnv,
} from '@flux-ts/daemon/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runFluxctl } from '../support/fluxctl.ts';
import {
  type BrokenVariant,
  binaryBytes,
  breakManifest,
  hugeConfigMap,
  readCorpus,
  retarget,
  SAMPLE_DEPLOYMENTS,
  sampleName,
} from './support/break.ts';

// fluxd (the built binary) syncs a repository of real manifests from the corpus plus broken copies
// of them, a 50 MB manifest (over the loader's 16 MiB per-file limit), a binary file and symlinks
// leaving the repository, with garbage collection on. Every broken file is reported with its line
// (the 50 MB one with its size and the limit, unread), everything else is applied, nothing is
// collected, and the daemon keeps running.

const kubeInfo = inject('kube');

const LOAD_BREAKS = ['truncate', 'bad-indentation', 'tab', 'wrong-type-metadata'] as const;
// Variants that load (a key given twice: the last value wins) or are skipped (`kind` not a
// string: not a Kubernetes object), each told in a warning naming file and line.
const NOTICE_BREAKS = ['duplicate-key', 'wrong-type-kind'] as const;

const PLURALS: Readonly<Record<string, string>> = {
  Deployment: 'apis/apps/v1/namespaces/%/deployments',
  Service: 'api/v1/namespaces/%/services',
  ServiceAccount: 'api/v1/namespaces/%/serviceaccounts',
  ConfigMap: 'api/v1/namespaces/%/configmaps',
};

function objectPath(ns: string, kind: string, name: string): string {
  const base = PLURALS[kind];
  if (!base) throw new Error(`no API path for ${kind}`);
  return `/${base.replace('%', ns)}/${name}`;
}

function configMap(ns: string, name: string): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${ns}\ndata:\n  key: value\n`;
}

interface SyncErrorJson {
  ID: string;
  Path: string;
  Error: string;
}

interface LogLine {
  level?: number | string;
  msg?: string;
  err?: string;
  reason?: string;
  at?: string;
  revision?: string;
}

function logLines(text: string): LogLine[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
}

describe('fluxd with broken manifests (derived from the corpus)', { timeout: 120_000 }, () => {
  let env: FluxdEnv;
  let fluxd: RunningFluxd;
  let ns: string;
  let outsideDir: string;
  /** Broken files (repo path → variant) whose errors a loader reports. */
  const loadBroken = new Map<string, BrokenVariant>();
  const noticed = new Map<string, BrokenVariant>();
  let replicasFile = '';
  let replicasId = '';
  const good: { kind: string; name: string }[] = [];
  let victim: { file: string; line: number; objects: { kind: string; name: string }[] };
  let secondSyncMs = 0;

  beforeAll(async () => {
    if (!kubeInfo) throw new Error('this test needs the kube-apiserver (run without FLUX_TS_UNIT=1)');
    env = await startFluxdEnv(kubeInfo, {});
    ns = env.namespace;
    const originals = await Promise.all(SAMPLE_DEPLOYMENTS.map(readCorpus));

    // First commit: the namespace, the corpus deployments as they are (retargeted), a "victim" that
    // the second commit breaks, and a ConfigMap the second commit removes (a GC candidate).
    await env.user.write('ns.yaml', `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`);
    for (const [i, path] of SAMPLE_DEPLOYMENTS.entries()) {
      const text = retarget(originals[i] ?? '', ns);
      await env.user.write(`good/${sampleName(path)}.yaml`, text);
    }
    const loadedGood = await loadManifests(join(env.user.dir, 'good'));
    expect(loadedGood.errors).toEqual([]);
    good.push(...loadedGood.resources.map((r) => ({ kind: r.kind, name: r.name })));
    const victimText = retarget(originals[0] ?? '', ns, '-victim');
    await env.user.write('victim.yaml', victimText);
    const victimObjects = (await loadManifests(env.user.dir, {})).resources
      .filter((r) => r.file === 'victim.yaml')
      .map((r) => ({ kind: r.kind, name: r.name }));
    await env.user.write('gone.yaml', configMap(ns, 'gone'));
    // Symlinks out of the repository: to /etc/passwd, to a manifest and to a directory of them.
    outsideDir = join(env.tmp.path, 'outside');
    await mkdir(outsideDir, { recursive: true });
    await writeFile(join(outsideDir, 'leak.yaml'), configMap(ns, 'outside-leak'));
    await symlink('/etc/passwd', join(env.user.dir, 'passwd.yaml'));
    await symlink(join(outsideDir, 'leak.yaml'), join(env.user.dir, 'leak.yaml'));
    await symlink(outsideDir, join(env.user.dir, 'outside-dir'));
    await env.user.commitAndPush('Good manifests from the corpus');

    fluxd = await startFluxd(env, [
      `--k8s-allow-namespace=${env.namespace}`,
      '--sync-garbage-collection',
      '--registry-disable-scanning',
    ]);
    await eventually(
      'the first sync',
      async () => (await getObject(env.kube, objectPath(ns, 'ConfigMap', 'gone'))) !== undefined,
      { fluxd },
    );

    // Second commit: the victim broken (a tab), gone.yaml removed, broken copies of every sample,
    // a 50 MB manifest, a binary "YAML" file, and symlinks out of the repository.
    const tabbed = breakManifest(victimText, 'tab');
    await env.user.write('victim.yaml', tabbed.text);
    victim = { file: 'victim.yaml', line: tabbed.line, objects: victimObjects };
    await env.user.git('rm', '--quiet', 'gone.yaml');
    for (const [i, path] of SAMPLE_DEPLOYMENTS.entries()) {
      const sample = sampleName(path);
      for (const kind of LOAD_BREAKS) {
        const file = `broken/${sample}-${kind}.yaml`;
        const broken = breakManifest(retarget(originals[i] ?? '', ns, `-${kind}`), kind);
        await env.user.write(file, broken.text);
        loadBroken.set(file, broken);
      }
      for (const kind of NOTICE_BREAKS) {
        const file = `notice/${sample}-${kind}.yaml`;
        const broken = breakManifest(retarget(originals[i] ?? '', ns, `-${kind}`), kind);
        await env.user.write(file, broken.text);
        noticed.set(file, broken);
      }
    }
    replicasFile = `broken/${sampleName(SAMPLE_DEPLOYMENTS[0] ?? '')}-replicas.yaml`;
    const replicas = breakManifest(retarget(originals[0] ?? '', ns, '-replicas'), 'wrong-type-replicas');
    await env.user.write(replicasFile, replicas.text);
    const replicasDeployment = (
      await loadManifests(join(env.user.dir, 'broken'), { root: env.user.dir })
    ).resources.find((r) => r.file === replicasFile && r.kind === 'Deployment');
    replicasId = replicasDeployment?.id.toString() ?? 'missing';

    // Generated in the test's temp dir (the user's clone), never committed to this repository.
    const started = Date.now();
    await writeFile(join(env.user.dir, 'huge.yaml'), hugeConfigMap('huge', ns, 50 * 1024 * 1024));
    await writeFile(join(env.user.dir, 'binary.yaml'), binaryBytes(64 * 1024));
    await env.user.write('after-break.yaml', configMap(ns, 'after-break'));
    const head = await env.user.commitAndPush('Break things');
    await eventually(
      'the sync of the broken commit',
      async () => logLines(await fluxd.log()).some((l) => l.msg === 'sync done' && l.revision === head),
      { fluxd, timeoutMs: 60_000 },
    );
    secondSyncMs = Date.now() - started;
  }, 240_000);

  afterAll(async () => {
    await fluxd?.stop();
    await env?.close();
  });

  async function syncErrors(): Promise<SyncErrorJson[]> {
    const res = await fluxd.api('/v11/sync-errors');
    expect(res.status).toBe(200);
    return (await res.json()) as SyncErrorJson[];
  }

  it('logs each broken file with its line number (JSON log, "manifest not loaded")', async () => {
    const errors = logLines(await fluxd.log())
      .filter((l) => l.msg === 'manifest not loaded')
      .map((l) => l.err ?? '');
    for (const [file, broken] of [...loadBroken, [victim.file, { line: victim.line }] as const]) {
      const line = errors.find((e) => e.startsWith(`${file}:`));
      expect(line, `no "manifest not loaded" log line for ${file}`).toBeDefined();
      expect(line).toMatch(new RegExp(`^${file.replace(/\./g, '\\.')}:${broken.line}:\\d+: `));
    }
    for (const [file, broken] of loadBroken) {
      expect(errors.find((e) => e.startsWith(`${file}:`))).toMatch(broken.reason);
    }
  });

  it('warns, naming file and line, about a key given twice and a document that is not an object', async () => {
    const lines = logLines(await fluxd.log());
    const warnings = lines.filter((l) => l.msg === 'manifest warning').map((l) => `${l.at} ${l.reason}`);
    const skipped = lines
      .filter((l) => l.msg === 'manifest document skipped')
      .map((l) => `${l.at} ${l.reason}`);
    for (const [file, broken] of noticed) {
      if (file.endsWith('duplicate-key.yaml')) {
        expect(warnings).toContain(
          `${file}:${broken.line} key 'name' is given twice; the last value is used`,
        );
      } else {
        expect(skipped.find((w) => w.startsWith(`${file}:`))).toMatch(/not a Kubernetes object/);
      }
    }
  });

  it('reports a binary file as a YAML error with its line', async () => {
    const errors = logLines(await fluxd.log()).filter((l) => l.msg === 'manifest not loaded');
    expect(errors.map((l) => l.err).find((e) => e?.startsWith('binary.yaml:'))).toMatch(
      /^binary\.yaml:\d+:\d+: cannot parse YAML: /,
    );
  });

  it('lists the same load errors on GET /v11/sync-errors, and the refused objects with their file', async () => {
    const list = await syncErrors();
    for (const [file, broken] of loadBroken) {
      const entry = list.find((e) => e.Error.startsWith(`${file}:${broken.line}:`));
      expect(entry, `no sync error for ${file}:${broken.line}`).toBeDefined();
    }
    // Valid YAML that the API server refuses: named by resource and file.
    const replicas = list.find((e) => e.ID === replicasId);
    expect(replicas?.Path).toBe(replicasFile);
    expect(replicas?.Error).toMatch(/replicas/i);
    // The 50 MB manifest is over the loader's 16 MiB limit: a load error naming the file, its size
    // and the limit; it is never read (nor sent to the API server), and nothing else suffers.
    const huge = list.filter((e) => e.Path === 'huge.yaml');
    expect(huge.map((e) => e.Error)).toEqual([
      'huge.yaml: the file is 50 MiB (52428800 bytes), over the 16 MiB (16777216 bytes) limit for one manifest file: not read',
    ]);
    expect(huge[0]?.ID).toBe('');
    expect(await getObject(env.kube, objectPath(ns, 'ConfigMap', 'huge'))).toBeUndefined();
  });

  it('applies every good manifest', async () => {
    expect(good.length).toBeGreaterThanOrEqual(6);
    for (const { kind, name } of good) {
      expect(await getObject(env.kube, objectPath(ns, kind, name)), `${kind} ${name}`).toBeDefined();
    }
    expect(await getObject(env.kube, objectPath(ns, 'ConfigMap', 'after-break'))).toBeDefined();
  });

  it('collects no garbage while files fail to load: the broken victim and the removed ConfigMap stay', async () => {
    expect(victim.objects.length).toBeGreaterThan(0);
    for (const { kind, name } of victim.objects) {
      expect(await getObject(env.kube, objectPath(ns, kind, name)), `${kind} ${name}`).toBeDefined();
    }
    expect(await getObject(env.kube, objectPath(ns, 'ConfigMap', 'gone'))).toBeDefined();
    const refused = logLines(await fluxd.log()).filter((l) => l.msg === 'garbage collection refused');
    expect(refused.at(-1)?.reason).toMatch(/garbage collection skipped: \d+ manifest\(s\) failed to load/);
  });

  it('does not follow symlinks out of the repository (full sync)', async () => {
    expect(await getObject(env.kube, objectPath(ns, 'ConfigMap', 'outside-leak'))).toBeUndefined();
    const log = await fluxd.log();
    const passwd = (await readFile('/etc/passwd', 'utf8')).split('\n')[0] ?? '';
    expect(passwd).not.toBe('');
    expect(log).not.toContain(passwd);
  });

  it('stays up and keeps syncing; the 50 MB commit is handled quickly', async () => {
    expect(secondSyncMs).toBeLessThan(45_000);
    expect((await fetch(`${fluxd.url}/healthz`)).status).toBe(200);
    expect((await fluxd.api('/v11/ping')).status).toBe(204);
    await env.user.write('later.yaml', configMap(ns, 'later'));
    await env.user.commitAndPush('A good change after the broken ones');
    await eventually(
      'a later good commit to sync',
      async () => (await getObject(env.kube, objectPath(ns, 'ConfigMap', 'later'))) !== undefined,
      { fluxd },
    );
    // Still refusing GC (the files are still broken), still not deleting.
    expect(await getObject(env.kube, objectPath(ns, 'ConfigMap', 'gone'))).toBeDefined();
  });

  it('does not follow a symlink out of the repository in an incremental sync either, and names it', async () => {
    await writeFile(join(outsideDir, 'later-leak.yaml'), configMap(ns, 'outside-later'));
    await symlink(join(outsideDir, 'later-leak.yaml'), join(env.user.dir, 'later-leak.yaml'));
    await env.user.write('later-2.yaml', configMap(ns, 'later-2'));
    await env.user.commitAndPush('A link out of the repository, with a good change');
    await eventually(
      'the link to be reported',
      async () => {
        const errors = (await (await fluxd.api('/v11/sync-errors')).json()) as SyncErrorJson[];
        return errors.find(
          (e) => e.Path === 'later-leak.yaml' && /outside the repository: not followed/.test(e.Error),
        );
      },
      { fluxd },
    );
    expect(await getObject(env.kube, objectPath(ns, 'ConfigMap', 'later-2'))).toBeDefined();
    expect(await getObject(env.kube, objectPath(ns, 'ConfigMap', 'outside-later'))).toBeUndefined();
  });

  it('still changes the good files: a broken file does not block a policy change or a release', async () => {
    const deployment = good.find((g) => g.kind === 'Deployment');
    expect(deployment).toBeDefined();
    const id = `${ns}:deployment/${deployment?.name}`;
    const locked = await runFluxctl(fluxd.url, ['lock', `--workload=${id}`]);
    expect(locked.code, locked.stderr).toBe(0);
    expect(locked.stderr).toMatch(/Commit pushed:\s+[0-9a-f]{7}/);
    const released = await runFluxctl(fluxd.url, [
      'release',
      `--workload=${id}`,
      '--update-image=registry.example.com/pinned/app:9.9.9',
      '--force',
    ]);
    // The image's container does not run it, so there is nothing to change: but the job ran (Flux v1
    // stopped at "Unable to parse files as manifests").
    expect(`${released.stdout}${released.stderr}`).not.toMatch(/parse files as manifests/);
    await env.user.pull();
    const file = (await loadManifests(env.user.dir, {})).resources.find((r) => r.id.toString() === id)?.file;
    expect(await env.user.read(file ?? 'missing')).toMatch(/fluxcd\.io\/locked: ['"]?true/);
  });
});
