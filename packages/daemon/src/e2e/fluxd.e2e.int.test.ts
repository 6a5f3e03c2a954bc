import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  eventually,
  type FluxdEnv,
  finishedJob,
  getObject,
  type RunningFluxd,
  startFluxd,
  startFluxdEnv,
} from '../testing/fluxd-env.ts';

const kubeInfo = inject('kube');

function deployment(ns: string, name: string, image: string, annotations: Record<string, string>): string {
  const ann = Object.entries(annotations)
    .map(([k, v]) => `    ${k}: "${v}"\n`)
    .join('');
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${ns}
${ann ? `  annotations:\n${ann}` : ''}spec:
  replicas: 1
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
      - name: ${name}
        image: ${image}
`;
}

function configMap(ns: string, name: string, value: string): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: ${ns}
data:
  key: ${value}
`;
}

describe('fluxd end to end (git over ssh, kube-apiserver, docker-registry, memcached)', {
  timeout: 60_000,
}, () => {
  let env: FluxdEnv;
  let fluxd: RunningFluxd;
  let ns: string;
  let image: string;

  beforeAll(async () => {
    if (!kubeInfo) throw new Error('this test needs the kube-apiserver (run without FLUX_TS_UNIT=1)');
    env = await startFluxdEnv(kubeInfo, {});
    ns = env.namespace;
    image = `${env.registry.host}/team/web`;
    await env.registry.pushImage({ repo: 'team/web', tag: '1.0.0', created: '2024-01-01T00:00:00Z' });
    await env.user.write('ns.yaml', `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`);
    await env.user.write(
      'web.yaml',
      deployment(ns, 'web', `${image}:1.0.0`, {
        'fluxcd.io/automated': 'true',
        'fluxcd.io/tag.web': 'semver:~1',
      }),
    );
    await env.user.write(
      'pinned.yaml',
      deployment(ns, 'pinned', `${image}:1.0.0`, {
        'fluxcd.io/automated': 'true',
        'fluxcd.io/locked': 'true',
      }),
    );
    await env.registry.pushImage({ repo: 'team/api', tag: '2.0.0', created: '2024-01-01T00:00:00Z' });
    await env.user.write(
      'api.yaml',
      deployment(ns, 'api', `${env.registry.host}/team/api:2.0.0`, {
        'fluxcd.io/automated': 'true',
        'fluxcd.io/tag.api': 'semver:^2',
      }),
    );
    await env.user.write('config.yaml', configMap(ns, 'settings', 'one'));
    await env.user.commitAndPush('Add workloads');
    fluxd = await startFluxd(env, [
      '--sync-garbage-collection',
      '--automation-interval=10m',
      '--automation-settle=1s',
    ]);
  }, 180_000);

  afterAll(async () => {
    await fluxd?.stop();
    await env?.close();
  });

  it('first sync creates the resources and moves the sync tag to the head', async () => {
    const head = (await env.user.git('rev-parse', 'HEAD')).trim();
    await eventually(
      'the deployment',
      () => getObject(env.kube, `/apis/apps/v1/namespaces/${ns}/deployments/web`),
      { fluxd },
    );
    expect(await getObject(env.kube, `/api/v1/namespaces/${ns}/configmaps/settings`)).toBeDefined();
    const tag = await eventually(
      'the sync tag',
      async () => {
        const out = await env.user.git('ls-remote', 'origin', 'refs/tags/flux-sync^{}');
        return out.split('\t')[0] || undefined;
      },
      { fluxd },
    );
    expect(tag).toBe(head);
    const cm = await getObject(env.kube, `/api/v1/namespaces/${ns}/configmaps/settings`);
    const labels = (cm?.metadata as { labels?: Record<string, string> } | undefined)?.labels ?? {};
    expect(labels['fluxcd.io/sync-gc-mark']).toMatch(/^sha256\./);
  });

  it('answers the API with Flux v1 shapes', async () => {
    const version = await fluxd.api('/v11/version');
    expect(version.status).toBe(200);
    expect(await version.text()).toMatch(/^"\d+\.\d+\.\d+"$/);
    expect((await fluxd.api('/v11/ping')).status).toBe(204);
    const services = (await (await fluxd.api(`/v6/services?namespace=${ns}`)).json()) as Record<
      string,
      unknown
    >[];
    const web = services.find((s) => s.ID === `${ns}:deployment/web`);
    expect(Object.keys(web ?? {})).toEqual([
      'ID',
      'Containers',
      'ReadOnly',
      'Status',
      'Rollout',
      'SyncError',
      'Antecedent',
      'Labels',
      'Automated',
      'Locked',
      'Ignore',
      'Policies',
    ]);
    expect(web).toMatchObject({
      ReadOnly: '',
      Automated: true,
      Locked: false,
      Policies: { automated: 'true', 'tag.web': 'semver:~1' },
      Containers: [{ Name: 'web', Current: { ID: `${image}:1.0.0` } }],
    });
    const pinned = services.find((s) => s.ID === `${ns}:deployment/pinned`);
    expect(pinned).toMatchObject({ Locked: true, Automated: true });
    const config = (await (
      await fluxd.api('/v9/git-repo-config', { method: 'POST', body: 'false' })
    ).json()) as {
      status: string;
      remote: { url: string; branch: string };
      publicSSHKey: { key: string; fingerprints: { md5: { hash: string } } };
    };
    expect(config.status).toBe('ready');
    expect(config.remote).toEqual({ url: env.repo.sshUrl, branch: 'main', path: '' });
    expect(config.publicSSHKey.key).toMatch(/^ssh-ed25519 /);
    expect(config.publicSSHKey.fingerprints.md5.hash).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    const head = (await env.user.git('rev-parse', 'HEAD')).trim();
    const pending = await fluxd.api(`/v6/sync?ref=${head.slice(0, 7)}`);
    expect(await pending.json()).toEqual([]);
    const gone = await fluxd.api('/v3/services', { headers: { Accept: 'application/json' } });
    expect(gone.status).toBe(410);
    expect(await gone.json()).toMatchObject({ type: 'missing', error: 'API endpoint deprecated' });
    const unknownJob = await fluxd.api('/v6/jobs?id=nope', { headers: { Accept: 'application/json' } });
    expect(unknownJob.status).toBe(404);
    expect(await unknownJob.json()).toMatchObject({ error: 'unknown job "nope"' });
    const metrics = await (await fetch(`${fluxd.url}/metrics`)).text();
    expect(metrics).toMatch(/^flux_daemon_sync_duration_seconds_count\{success="true"\} [1-9]/m);
    expect(metrics).toMatch(/^flux_git_ready 1$/m);
    expect(metrics).toMatch(/^flux_request_duration_seconds_count\{[^}]*route="ListServices"[^}]*\} [1-9]/m);
    const exported = (await (await fluxd.api('/v6/export')).json()) as string;
    expect(Buffer.from(exported, 'base64').toString('utf8')).toContain(`name: ${ns}`);
  });

  it('a newer tag in the registry, announced with /v11/notify, becomes one commit and then the running image', async () => {
    const before = await env.user.pull();
    await env.registry.pushImage({ repo: 'team/web', tag: '1.1.0', created: '2024-02-01T00:00:00Z' });
    const notify = await fluxd.api('/v11/notify', {
      method: 'POST',
      body: JSON.stringify({
        Kind: 'image',
        Source: { Name: { Domain: env.registry.host, Image: 'team/web' } },
      }),
    });
    expect(notify.status).toBe(202);
    const after = await eventually(
      'the automation commit',
      async () => {
        const head = await env.user.pull();
        return head !== before ? head : undefined;
      },
      { fluxd },
    );
    expect((await env.user.git('rev-list', '--count', `${before}..${after}`)).trim()).toBe('1');
    expect((await env.user.git('log', '-1', '--format=%s', after)).trim()).toBe(
      `Auto-release ${image}:1.1.0`,
    );
    const diff = await env.user.git('diff', '--unified=0', before, after);
    const changed = diff.split('\n').filter((l) => /^[-+][^-+]/.test(l));
    expect(changed).toEqual([`-        image: ${image}:1.0.0`, `+        image: ${image}:1.1.0`]);
    expect(diff).toContain('web.yaml');
    expect(diff).not.toContain('pinned.yaml');
    const note = await env.user.git('notes', '--ref=flux', 'show', after);
    expect(JSON.parse(note)).toMatchObject({ spec: { type: 'auto' } });
    await eventually(
      'the new image in the cluster',
      async () => {
        const d = await getObject(env.kube, `/apis/apps/v1/namespaces/${ns}/deployments/web`);
        const spec = d?.spec as { template: { spec: { containers: { image: string }[] } } } | undefined;
        return spec?.template.spec.containers[0]?.image === `${image}:1.1.0`;
      },
      { fluxd },
    );
    const pinned = await getObject(env.kube, `/apis/apps/v1/namespaces/${ns}/deployments/pinned`);
    expect(JSON.stringify(pinned)).toContain(`${image}:1.0.0`);
  });

  it('folds a burst of new tags within the settle window into one commit', async () => {
    const before = await env.user.pull();
    await env.registry.pushImage({ repo: 'team/web', tag: '1.1.1', created: '2024-02-02T00:00:00Z' });
    await env.registry.pushImage({ repo: 'team/api', tag: '2.1.0', created: '2024-02-02T00:00:00Z' });
    for (const repo of ['team/web', 'team/api']) {
      const res = await fluxd.api('/v11/notify', {
        method: 'POST',
        body: JSON.stringify({ Kind: 'image', Source: { Name: { Domain: env.registry.host, Image: repo } } }),
      });
      expect(res.status).toBe(202);
    }
    const after = await eventually(
      'the automation commit',
      async () => {
        const head = await env.user.pull();
        return head !== before ? head : undefined;
      },
      { fluxd },
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect(await env.user.pull()).toBe(after);
    expect((await env.user.git('rev-list', '--count', `${before}..${after}`)).trim()).toBe('1');
    expect(await env.user.git('log', '-1', '--format=%B', after)).toBe(
      `Auto-release multiple (2) images\n\n - ${env.registry.host}/team/api:2.1.0\n - ${image}:1.1.1\n\n`,
    );
  });

  it('a broken file is reported with file:line, the rest syncs, and nothing is garbage collected', async () => {
    await env.user.pull();
    await env.user.write('broken.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [oops\n');
    await env.user.write('extra.yaml', configMap(ns, 'extra', 'two'));
    await env.user.git('rm', '--quiet', 'config.yaml');
    await env.user.commitAndPush('Break a file, add one, delete one');
    await eventually(
      'the new configmap',
      () => getObject(env.kube, `/api/v1/namespaces/${ns}/configmaps/extra`),
      {
        fluxd,
      },
    );
    const log = await fluxd.log();
    expect(log).toMatch(/broken\.yaml:\d+/);
    // Give GC a second sync to prove it does not run while a file is broken.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await getObject(env.kube, `/api/v1/namespaces/${ns}/configmaps/settings`)).toBeDefined();
  });

  it('once every file loads again, a deleted manifest is garbage collected', async () => {
    await env.user.pull();
    await env.user.git('rm', '--quiet', 'broken.yaml');
    await env.user.commitAndPush('Fix the broken file');
    await eventually(
      'the configmap to be collected',
      async () => (await getObject(env.kube, `/api/v1/namespaces/${ns}/configmaps/settings`)) === undefined,
      { fluxd },
    );
    expect(await getObject(env.kube, `/api/v1/namespaces/${ns}/configmaps/extra`)).toBeDefined();
    // After a complete sync, a commit is synced by reading only the files it changed.
    expect(await fluxd.log()).toMatch(/"incremental":true,"ms":\d+,"msg":"sync done"/);
  });

  it('an incremental sync refuses a symlink out of the repository, names it, and applies the rest', async () => {
    await env.user.pull();
    const outside = join(env.tmp.path, 'outside-leak.yaml');
    await writeFile(outside, configMap(ns, 'outside-leak', 'x'));
    await symlink(outside, join(env.user.dir, 'leak.yaml'));
    await env.user.write('after-leak.yaml', configMap(ns, 'after-leak', 'y'));
    const head = await env.user.commitAndPush('A link out of the repository');
    // The sync of that commit reports the link (once it is done: the objects appear before).
    const expected = {
      ID: '',
      Path: 'leak.yaml',
      Error:
        'leak.yaml: cannot read the file: a symbolic link to a file outside the repository: not followed',
      Revision: head,
      Stage: 'load',
    };
    await eventually(
      'the link to be reported by /v11/sync-errors',
      async () => {
        const errors = (await (await fluxd.api('/v11/sync-errors')).json()) as (typeof expected)[];
        return errors.some((e) => JSON.stringify(e) === JSON.stringify(expected));
      },
      { fluxd },
    );
    expect(await getObject(env.kube, `/api/v1/namespaces/${ns}/configmaps/after-leak`)).toBeDefined();
    expect(await getObject(env.kube, `/api/v1/namespaces/${ns}/configmaps/outside-leak`)).toBeUndefined();
    // That commit's sync read only the files it changed (the link among them).
    const lines = (await fluxd.log())
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg?: string; new?: string; incremental?: boolean });
    const start = lines.findIndex(
      (l) => l.msg === 'trying to sync git changes to the cluster' && l.new === head,
    );
    expect(lines.slice(start).find((l) => l.msg === 'sync done')?.incremental).toBe(true);
    await env.user.git('rm', '--quiet', 'leak.yaml');
    await env.user.commitAndPush('Remove the link');
    await eventually(
      'the link to be gone from /v11/sync-errors',
      async () => ((await (await fluxd.api('/v11/sync-errors')).json()) as unknown[]).length === 0,
      { fluxd },
    );
  });

  it('runs a release through the job queue and reports it', async () => {
    await env.registry.pushImage({ repo: 'team/web', tag: '1.2.0', created: '2024-03-01T00:00:00Z' });
    const before = await env.user.pull();
    const spec = {
      type: 'image',
      cause: { Message: '', User: 'Jane <jane@example.com>' },
      spec: {
        ServiceSpecs: [`${ns}:deployment/pinned`],
        ImageSpec: `${image}:1.2.0`,
        Kind: 'execute',
        Excludes: null,
        Force: true,
      },
    };
    const res = await fluxd.api('/v9/update-manifests', { method: 'POST', body: JSON.stringify(spec) });
    expect(res.status).toBe(200);
    const jobId = (await res.json()) as string;
    expect(jobId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const status = await finishedJob(fluxd, jobId, 'the job to finish');
    expect(status).toMatchObject({
      StatusString: 'succeeded',
      Err: '',
      Result: {
        result: {
          [`${ns}:deployment/pinned`]: {
            Status: 'success',
            PerContainer: [{ Container: 'pinned', Current: `${image}:1.0.0`, Target: `${image}:1.2.0` }],
          },
        },
      },
    });
    const after = await env.user.pull();
    expect(after).not.toBe(before);
    expect((await env.user.git('log', '-1', '--format=%s', after)).trim()).toBe(
      `Release ${image}:1.2.0 to ${ns}:deployment/pinned`,
    );
    expect(await env.user.read('pinned.yaml')).toContain(`${image}:1.2.0`);
  });

  it('answers a dry run inside the request and runs a containers release', async () => {
    const before = await env.user.pull();
    const plan = {
      type: 'image',
      cause: { Message: '', User: '' },
      spec: {
        ServiceSpecs: ['<all>'],
        ImageSpec: '<all latest>',
        Kind: 'plan',
        Excludes: null,
        Force: false,
      },
    };
    const planned = await fluxd.api('/v9/update-manifests', { method: 'POST', body: JSON.stringify(plan) });
    const planId = (await planned.json()) as string;
    const planStatus = (await (await fluxd.api(`/v6/jobs?id=${planId}`)).json()) as {
      StatusString: string;
      Result: { revision?: string; result: Record<string, { Status: string; Error?: string }> };
    };
    expect(planStatus.StatusString).toBe('succeeded');
    expect(planStatus.Result.revision).toBeUndefined();
    expect(planStatus.Result.result[`${ns}:deployment/pinned`]).toEqual({
      Status: 'skipped',
      Error: 'locked',
      PerContainer: null,
    });
    expect(await env.user.pull()).toBe(before);

    const web = `${ns}:deployment/web`;
    const current = (await env.user.read('web.yaml')).match(/image: (\S+)/)?.[1] as string;
    const containers = {
      type: 'containers',
      cause: { Message: 'roll web back', User: 'ops' },
      spec: {
        Kind: 'execute',
        ContainerSpecs: { [web]: [{ Container: 'web', Current: current, Target: `${image}:1.1.0` }] },
        SkipMismatches: false,
        Force: false,
      },
    };
    const res = await fluxd.api('/v9/update-manifests', { method: 'POST', body: JSON.stringify(containers) });
    const jobId = (await res.json()) as string;
    const status = await finishedJob(fluxd, jobId, 'the containers release');
    expect(status).toMatchObject({
      StatusString: 'succeeded',
      Result: {
        result: {
          [web]: {
            Status: 'success',
            PerContainer: [{ Container: 'web', Current: current, Target: `${image}:1.1.0` }],
          },
        },
      },
    });
    await env.user.pull();
    expect((await env.user.git('log', '-1', '--format=%s')).trim()).toBe('roll web back');
    expect(await env.user.read('web.yaml')).toContain(`image: ${image}:1.1.0`);
  });

  it('writes policy changes into git as Flux v1 does', async () => {
    const spec = {
      type: 'policy',
      cause: { Message: '', User: '' },
      spec: {
        [`${ns}:deployment/web`]: {
          add: { locked: 'true', locked_msg: 'hold' },
          remove: { automated: 'true' },
        },
      },
    };
    const res = await fluxd.api('/v9/update-manifests', { method: 'POST', body: JSON.stringify(spec) });
    const jobId = (await res.json()) as string;
    expect((await finishedJob(fluxd, jobId, 'the policy job')).StatusString).toBe('succeeded');
    await env.user.pull();
    const web = await env.user.read('web.yaml');
    expect(web).toContain("fluxcd.io/locked: 'true'");
    expect(web).toContain('fluxcd.io/locked_msg: hold');
    expect(web).not.toContain('fluxcd.io/automated');
  });

  it('shuts down cleanly on SIGTERM', async () => {
    await fluxd.stop();
    // The watchdog shell dies of the signal too, so read the daemon's own word on how it ended.
    const log = await fluxd.log();
    expect(log).toContain('"msg":"shutting down"');
    expect(log).toMatch(/"exitCode":0,"msg":"stopped"/);
  });
});
