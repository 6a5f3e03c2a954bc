// Flux v1 e2e 22_manifest_generation.bats: --manifest-generation with --git-path=production. Upstream
// generates with kustomize (weaveworks/flux-kustomize-example); kustomize is not installed here, so
// the generators are shell commands over a base/ directory, and the "production overlay" (HPA
// minReplicas 2) is a sed over the base HPA. Both .flux.yaml forms: patchUpdated (updates land in a
// patch file) and commandUpdated (updater commands edit the sources).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  eventually,
  type FluxctlResult,
  type FluxdEnv,
  fluxctlOf,
  getObject,
  needKube,
  type RunningFluxd,
  startFluxd,
  startFluxdEnv,
} from './support/acceptance.ts';

const kubeInfo = inject('kube');

/** The base manifests (what a kustomize base holds), each file one `---`-led document. */
async function writeBase(env: FluxdEnv, image: string): Promise<void> {
  const ns = env.namespace;
  await Promise.all([
    env.user.write('base/ns.yaml', `---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`),
    env.user.write(
      'base/podinfo-dep.yaml',
      `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: podinfo
  namespace: ${ns}
  annotations:
    example.com/owner: team-a
spec:
  selector:
    matchLabels:
      app: podinfo
  template:
    metadata:
      labels:
        app: podinfo
    spec:
      containers:
      - name: podinfod
        image: ${image}
`,
    ),
    env.user.write(
      'base/podinfo-hpa.yaml',
      `---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: podinfo
  namespace: ${ns}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: podinfo
  minReplicas: 1
  maxReplicas: 4
`,
    ),
  ]);
}

/** The generator: the base, with the production overlay's HPA patch (minReplicas 2). */
const GENERATOR =
  "cat ../base/ns.yaml ../base/podinfo-dep.yaml && sed 's/minReplicas: 1/minReplicas: 2/' ../base/podinfo-hpa.yaml";

async function minReplicas(env: FluxdEnv): Promise<number | undefined> {
  const hpa = await getObject(
    env.kube,
    `/apis/autoscaling/v2/namespaces/${env.namespace}/horizontalpodautoscalers/podinfo`,
  );
  return (hpa?.spec as { minReplicas?: number } | undefined)?.minReplicas;
}

const created: Record<string, string> = { '3.1.0': '2020-03-01T00:00:00Z', '3.1.5': '2020-05-01T00:00:00Z' };

async function pushPodinfo(env: FluxdEnv, tag: string): Promise<void> {
  await env.registry.pushImage({ repo: 'stefanprodan/podinfo', tag, created: created[tag] ?? '' });
}

/** Starts the scenario: base + production/.flux.yaml, images in the registry, fluxd generating. */
async function start(
  flux: string,
  name: string,
  extra: Record<string, string>,
  tags: readonly string[],
): Promise<{ env: FluxdEnv; fluxd: RunningFluxd; image: string }> {
  const env = await startFluxdEnv(needKube(kubeInfo), {});
  const image = `${env.registry.host}/stefanprodan/podinfo`;
  for (const tag of tags) await pushPodinfo(env, tag);
  await writeBase(env, `${image}:3.1.0`);
  await env.user.write('production/.flux.yaml', flux);
  for (const [path, text] of Object.entries(extra)) await env.user.write(path, text);
  await env.user.commitAndPush('podinfo base and production generation');
  const fluxd = await startFluxd(
    env,
    [
      `--k8s-allow-namespace=${env.namespace}`,
      '--manifest-generation',
      '--git-path=production',
      '--automation-interval=10m',
    ],
    name,
  );
  return { env, fluxd, image };
}

/** The generated podinfo is applied with the production overlay. */
async function expectDeployed(env: FluxdEnv, fluxd: RunningFluxd, image: string): Promise<void> {
  const dep = await eventually(
    'the generated deployment',
    () => getObject(env.kube, `/apis/apps/v1/namespaces/${env.namespace}/deployments/podinfo`),
    { fluxd },
  );
  expect(JSON.stringify(dep)).toContain(`${image}:3.1.0`);
  expect(await eventually('the HPA', () => minReplicas(env), { fluxd })).toBe(2);
}

/** `fluxctl automate` through the generation config, then list-workloads shows podinfod automated. */
async function automate(env: FluxdEnv, fluxctl: (...a: string[]) => Promise<FluxctlResult>): Promise<string> {
  const before = await env.user.pull();
  const out = await fluxctl('automate', '-n', env.namespace, '--workload', 'deployment/podinfo');
  expect(out, out.stderr).toMatchObject({ code: 0 });
  const after = await env.user.pull();
  expect(after).not.toBe(before);
  expect(out.stderr).toBe(`Commit pushed:\t${after.slice(0, 7)}\n`);
  const list = await fluxctl('list-workloads', '-n', env.namespace);
  expect(list.code).toBe(0);
  expect(list.stdout).toMatch(/:deployment\/podinfo\s+podinfod\s+\S+podinfo:3\.1\.\d\s+(\S+\s+)?automated\n/);
  return after;
}

describe('22 manifest generation: patchUpdated', { timeout: 60_000 }, () => {
  let env: FluxdEnv;
  let fluxd: RunningFluxd;
  let image: string;

  beforeAll(async () => {
    ({ env, fluxd, image } = await start(
      `version: 1\npatchUpdated:\n  generators:\n  - command: ${JSON.stringify(GENERATOR)}\n  patchFile: flux-patch.yaml\n`,
      'patch-updated',
      {},
      ['3.1.0'],
    ));
  }, 120_000);

  afterAll(async () => {
    await fluxd?.stop();
    await env?.close();
  });

  it('applies the generated manifests (production overlay: HPA minReplicas 2)', async () => {
    await expectDeployed(env, fluxd, image);
  });

  it('fluxctl automate writes the patch file, not the base, and list-workloads shows automated', async () => {
    const head = await automate(env, fluxctlOf(env, fluxd));
    const changed = (await env.user.git('diff', '--name-only', `${head}~1`, head)).trim();
    expect(changed).toBe('production/flux-patch.yaml');
    const patch = await env.user.read('production/flux-patch.yaml');
    expect(patch).toContain('kind: Deployment');
    expect(patch).toContain('name: podinfo');
    expect(patch).toMatch(/fluxcd\.io\/automated: ["']?true["']?\n/);
    expect(patch).not.toContain('HorizontalPodAutoscaler');
  });

  it('automation releases the newest tag into the patch file; the cluster runs it', async () => {
    const before = await env.user.pull();
    await pushPodinfo(env, '3.1.5');
    const res = await fluxd.api('/v11/notify', {
      method: 'POST',
      body: JSON.stringify({
        Kind: 'image',
        Source: { Name: { Domain: env.registry.host, Image: 'stefanprodan/podinfo' } },
      }),
    });
    expect(res.status).toBe(202);
    const after = await eventually(
      'the automation commit',
      async () => {
        const head = await env.user.pull();
        return head !== before ? head : undefined;
      },
      { fluxd },
    );
    expect((await env.user.git('log', '-1', '--format=%s', after)).trim()).toBe(
      `Auto-release ${image}:3.1.5`,
    );
    expect((await env.user.git('diff', '--name-only', before, after)).trim()).toBe(
      'production/flux-patch.yaml',
    );
    expect(await env.user.read('production/flux-patch.yaml')).toContain(`image: ${image}:3.1.5`);
    expect(await env.user.read('base/podinfo-dep.yaml')).toContain(`image: ${image}:3.1.0`);
    await eventually(
      'the new image in the cluster',
      async () =>
        JSON.stringify(
          await getObject(env.kube, `/apis/apps/v1/namespaces/${env.namespace}/deployments/podinfo`),
        ).includes(`${image}:3.1.5`),
      { fluxd },
    );
  });
});

// The policy updater edits the annotations of base/podinfo-dep.yaml; the image updater its image.
const POLICY_UPDATER = `#!/bin/sh
set -e
f=../base/podinfo-dep.yaml
key="fluxcd.io/$FLUX_POLICY"
grep -v "^    $key:" "$f" > "$f.tmp" || true
if [ -n "\${FLUX_POLICY_VALUE+x}" ]; then
  sed "s|^  annotations:\\$|  annotations:\\n    $key: \\"$FLUX_POLICY_VALUE\\"|" "$f.tmp" > "$f"
else
  cat "$f.tmp" > "$f"
fi
rm -f "$f.tmp"
echo "$FLUX_WORKLOAD $FLUX_WL_NS $FLUX_WL_KIND $FLUX_WL_NAME" >> ../updater.log
`;

describe('22 manifest generation: commandUpdated', { timeout: 60_000 }, () => {
  let env: FluxdEnv;
  let fluxd: RunningFluxd;
  let image: string;

  beforeAll(async () => {
    ({ env, fluxd, image } = await start(
      [
        'version: 1',
        'commandUpdated:',
        '  generators:',
        `  - command: ${JSON.stringify(GENERATOR)}`,
        '  updaters:',
        '  - containerImage:',
        `      command: ${JSON.stringify('sed -i "s|image: $FLUX_IMG:.*|image: $FLUX_IMG:$FLUX_TAG|" ../base/podinfo-dep.yaml')}`,
        '    policy:',
        '      command: sh ../update-policy.sh',
        '',
      ].join('\n'),
      'command-updated',
      { 'update-policy.sh': POLICY_UPDATER, 'updater.log': '' },
      ['3.1.0', '3.1.5'],
    ));
  }, 120_000);

  afterAll(async () => {
    await fluxd?.stop();
    await env?.close();
  });

  it('applies the generated manifests (production overlay: HPA minReplicas 2)', async () => {
    await expectDeployed(env, fluxd, image);
  });

  it('a release runs the image updater on the sources; the cluster runs the new image', async () => {
    const before = await env.user.pull();
    const out = await fluxctlOf(env, fluxd)(
      'release',
      '-n',
      env.namespace,
      '--workload',
      'deployment/podinfo',
      '--update-image',
      `${image}:3.1.5`,
    );
    expect(out, out.stderr).toMatchObject({ code: 0 });
    const after = await env.user.pull();
    expect(after).not.toBe(before);
    const diff = await env.user.git('diff', '--unified=0', before, after, '--', 'base/podinfo-dep.yaml');
    expect(diff.split('\n').filter((l) => /^[-+] /.test(l))).toEqual([
      `-        image: ${image}:3.1.0`,
      `+        image: ${image}:3.1.5`,
    ]);
    await eventually(
      'the new image in the cluster',
      async () =>
        JSON.stringify(
          await getObject(env.kube, `/apis/apps/v1/namespaces/${env.namespace}/deployments/podinfo`),
        ).includes(`${image}:3.1.5`),
      { fluxd },
    );
  });

  it('fluxctl automate runs the policy updater on the sources, and list-workloads shows automated', async () => {
    const head = await automate(env, fluxctlOf(env, fluxd));
    const changed = (await env.user.git('diff', '--name-only', `${head}~1`, head)).trim().split('\n');
    expect(changed).toEqual(['base/podinfo-dep.yaml', 'updater.log']);
    expect(await env.user.read('base/podinfo-dep.yaml')).toContain(
      '  annotations:\n    fluxcd.io/automated: "true"\n    example.com/owner: team-a\n',
    );
    expect(await env.user.read('updater.log')).toBe(
      `${env.namespace}:deployment/podinfo ${env.namespace} deployment podinfo\n`,
    );
  });
});
