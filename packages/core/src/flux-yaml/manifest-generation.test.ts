import { mkdir, mkdtemp, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isMap, isSeq, parseAllDocuments } from 'yaml';
import { ErrorKind, FluxError } from '../errors.ts';
import { parseManifests } from '../manifests/parse.ts';
import { setContainerImage } from '../manifests/update-image.ts';
import { updateWorkloadPolicies } from '../manifests/update-policies.ts';
import type { PolicyUpdate } from '../policy/policy-update.ts';
import { CLUSTER_SCOPE, ResourceId } from '../resource/id.ts';
import type { Resource } from '../resource/types.ts';
import { ConfigMode } from './config.ts';
import {
  CommandError,
  FluxYamlError,
  GeneratedResourceNotFoundError,
  NoUpdaterCommandsError,
} from './errors.ts';
import type { ManifestParseResult } from './generate.ts';
import {
  createManifestGeneration,
  type GeneratedTarget,
  type ManifestGenerationOptions,
  type TargetManifests,
} from './manifest-generation.ts';

// Small stand-ins for the manifest parser and the byte-exact editors (the real ones are used in
// the last describe block).

const clusterKinds = new Set(['Namespace', 'ClusterRole']);

function fakeParse(
  text: string,
  file: string,
  options: { defaultNamespace?: string } = {},
): ManifestParseResult {
  const resources: Resource[] = [];
  const errors: FluxError[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      errors.push(
        new FluxError(`${file}: ${doc.errors[0]?.message}`, { code: 'fake', kind: ErrorKind.User, help: '' }),
      );
      continue;
    }
    const object = doc.toJS() as Record<string, unknown> | null;
    if (!object) continue;
    const kind = object.kind as string;
    const metadata = object.metadata as {
      name: string;
      namespace?: string;
      annotations?: Record<string, string>;
    };
    const namespace = clusterKinds.has(kind)
      ? undefined
      : (metadata.namespace ?? options.defaultNamespace ?? 'default');
    const pod = (object.spec as { template?: { spec?: { containers?: { name: string; image: string }[] } } })
      ?.template?.spec;
    resources.push({
      id: new ResourceId(namespace ?? CLUSTER_SCOPE, kind, metadata.name),
      apiVersion: object.apiVersion as string,
      kind,
      name: metadata.name,
      namespace,
      file,
      line: 1,
      annotations: metadata.annotations ?? {},
      labels: {},
      object,
      ...(pod?.containers
        ? {
            containers: pod.containers.map((c) => ({
              name: c.name,
              image: c.image,
              ref: undefined,
              kind: 'container' as const,
            })),
          }
        : {}),
    });
  }
  return { resources, errors };
}

function editDoc(
  text: string,
  id: string,
  edit: (doc: ReturnType<typeof parseAllDocuments>[number]) => void,
): string {
  const docs = parseAllDocuments(text);
  let found = false;
  for (const doc of docs) {
    const o = doc.toJS() as { kind: string; metadata: { name: string; namespace?: string } };
    if (`${o.metadata.namespace ?? 'default'}:${o.kind.toLowerCase()}/${o.metadata.name}` === id) {
      edit(doc);
      found = true;
    }
  }
  if (!found) throw new Error(`resource ${id} not found`);
  return docs.map((d) => d.toString()).join('');
}

function fakeSetImage(text: string, id: string, container: string, image: string): string {
  return editDoc(text, id, (doc) => {
    const containers = doc.getIn(['spec', 'template', 'spec', 'containers']);
    if (!isSeq(containers)) throw new Error('no containers');
    const c = containers.items.find((i) => isMap(i) && i.get('name') === container);
    if (!isMap(c)) throw new Error(`container ${container} not found`);
    c.set('image', image);
  });
}

function fakeUpdatePolicies(text: string, id: string, update: PolicyUpdate): string {
  return editDoc(text, id, (doc) => {
    for (const [k, v] of Object.entries(update.add ?? {}))
      doc.setIn(['metadata', 'annotations', `fluxcd.io/${k}`], v);
    for (const k of Object.keys(update.remove ?? {}))
      doc.deleteIn(['metadata', 'annotations', `fluxcd.io/${k}`]);
  });
}

const PATH = process.env.PATH ?? '/usr/bin:/bin';

const deploymentYaml = (image: string, namespace = 'demo'): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: podinfo
  namespace: ${namespace}
spec:
  replicas: 1
  template:
    spec:
      containers:
      - name: podinfod
        image: ${image}
`;

const helmReleaseYaml = `apiVersion: helm.fluxcd.io/v1
kind: HelmRelease
metadata:
  name: redis
  namespace: demo
spec:
  values:
    image:
      repository: redis
      tag: "6"
`;

async function write(root: string, path: string, text: string): Promise<void> {
  await mkdir(join(root, path, '..'), { recursive: true });
  await writeFile(join(root, path), text);
}

function generated(results: TargetManifests[], target: string): GeneratedTarget {
  const t = results.find((r) => r.target === target);
  if (t?.kind !== 'generated') throw new Error(`${target} is ${t?.kind}: ${JSON.stringify(t)}`);
  return t;
}

function failureOf(results: TargetManifests[], target: string): FluxError {
  const t = results.find((r) => r.target === target);
  if (t?.kind !== 'failed') throw new Error(`${target} is ${t?.kind}`);
  return t.errors[0] as FluxError;
}

function specOf(r: Resource | undefined): Record<string, unknown> {
  if (!r) throw new Error('no resource');
  return r.object.spec as Record<string, unknown>;
}

const imageOf = (r: Resource | undefined): unknown =>
  (specOf(r) as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]
    ?.image;

describe('createManifestGeneration (temp repository, /bin/sh)', () => {
  let dir: string;
  let repo: string;
  let options: ManifestGenerationOptions;

  beforeEach(async () => {
    dir = await realpath(await mkdtemp(join(tmpdir(), 'flux-ts-generation-')));
    repo = join(dir, 'repo');
    // commandUpdated, found above the target.
    await write(
      repo,
      'clusters/.flux.yaml',
      `version: 1
commandUpdated:
  generators:
  - command: cat app.yaml
  updaters:
  - containerImage:
      command: 'sed -i "s|image: .*|image: $FLUX_IMG:$FLUX_TAG|" app.yaml'
    policy:
      command: (env; echo ====) >> ${dir}/policy-env.txt
`,
    );
    await write(repo, 'clusters/staging/app.yaml', deploymentYaml('stefanprodan/podinfo:3.0.0'));
    // patchUpdated, with a patch file setting replicas.
    await write(
      repo,
      'production/.flux.yaml',
      `version: 1
patchUpdated:
  generators:
  - command: echo run >> ${dir}/generator-runs; cat ../base/app.yaml
  - command: cat ../base/hr.yaml
  patchFile: flux-patch.yaml
`,
    );
    await write(
      repo,
      'production/flux-patch.yaml',
      '---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: podinfo\n  namespace: prod\nspec:\n  replicas: 2\n',
    );
    await write(repo, 'base/app.yaml', deploymentYaml('stefanprodan/podinfo:3.0.0', 'prod'));
    await write(repo, 'base/hr.yaml', helmReleaseYaml);
    await write(repo, 'raw/svc.yaml', 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n');
    await write(repo, 'scan/.flux.yaml', 'version: 1\nscanForFiles: {}\n');
    options = {
      repoRoot: repo,
      paths: ['clusters/staging', 'production', 'raw', 'scan'],
      parse: fakeParse,
      setContainerImage: fakeSetImage,
      updatePolicies: fakeUpdatePolicies,
      env: { PATH, HOME: dir },
    };
  });
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('says per git path what to read: generated resources (patched), or raw files', async () => {
    const results = await createManifestGeneration(options).load();

    expect(results.map((r) => [r.target, r.kind])).toEqual([
      ['clusters/staging', 'generated'],
      ['production', 'generated'],
      ['raw', 'raw'],
      ['scan', 'raw'],
    ]);
    const staging = generated(results, 'clusters/staging');
    expect(staging.config.config.mode).toBe(ConfigMode.CommandUpdated);
    expect(staging.resources.map((r) => `${r.id} ${r.file}`)).toEqual([
      'demo:deployment/podinfo clusters/staging/../.flux.yaml',
    ]);
    const production = generated(results, 'production');
    expect(production.resources.map((r) => `${r.id} ${r.file}`)).toEqual([
      'prod:deployment/podinfo production/.flux.yaml',
      'demo:helmrelease/redis production/.flux.yaml',
    ]);
    expect(specOf(production.resources[0]).replicas).toBe(2);
    expect(results[2]).toEqual({ kind: 'raw', target: 'raw', path: join(repo, 'raw') });
    expect(results[3]).toEqual({
      kind: 'raw',
      target: 'scan',
      path: join(repo, 'scan'),
      configFile: 'scan/.flux.yaml',
    });
  });

  it('uses the repository root when no git path is given', async () => {
    await write(
      repo,
      '.flux.yaml',
      'version: 1\ncommandUpdated:\n  generators:\n  - command: cat clusters/staging/app.yaml\n',
    );

    const results = await createManifestGeneration({ ...options, paths: [] }).load();

    expect(generated(results, '').resources.map((r) => `${r.id} ${r.file}`)).toEqual([
      'demo:deployment/podinfo .flux.yaml',
    ]);
  });

  it('commandUpdated: runs the image updaters and generates again afterwards', async () => {
    const generation = createManifestGeneration(options);
    await generation.load();

    const result = await generation.updateImage({
      id: 'demo:deployment/podinfo',
      container: 'podinfod',
      image: 'stefanprodan/podinfo:3.1.0',
    });

    expect(result).toEqual({ target: 'clusters/staging', file: 'clusters/.flux.yaml', changed: true });
    expect(await readFile(join(repo, 'clusters/staging/app.yaml'), 'utf8')).toBe(
      deploymentYaml('stefanprodan/podinfo:3.1.0'),
    );
    const after = generated(await generation.load(), 'clusters/staging');
    expect(imageOf(after.resources[0])).toBe('stefanprodan/podinfo:3.1.0');
  });

  it('commandUpdated: runs the policy updaters once per key with the FLUX_* variables, and counts it as a change', async () => {
    const generation = createManifestGeneration(options);

    const result = await generation.updatePolicies({
      id: new ResourceId('demo', 'deployment', 'podinfo'),
      update: { add: { automated: 'true', tag_all: 'semver:~3' }, remove: { locked: '' } },
    });

    expect(result.changed).toBe(true);
    const blocks = (await readFile(join(dir, 'policy-env.txt'), 'utf8'))
      .split('====\n')
      .filter((b) => b.trim())
      .map((b) =>
        b
          .split('\n')
          .filter((l) => l.startsWith('FLUX_'))
          .join(' '),
      );
    const wl =
      'FLUX_WORKLOAD=demo:deployment/podinfo FLUX_WL_NS=demo FLUX_WL_KIND=deployment FLUX_WL_NAME=podinfo';
    expect(blocks.map((b) => b.split(' ').sort().join(' '))).toEqual(
      [
        `${wl} FLUX_POLICY=automated FLUX_POLICY_VALUE=true`,
        `${wl} FLUX_POLICY=locked`,
        `${wl} FLUX_POLICY=tag.podinfod FLUX_POLICY_VALUE=semver:~3`,
      ].map((b) => b.split(' ').sort().join(' ')),
    );
  });

  it('commandUpdated: says when there are no containerImage updaters', async () => {
    await write(
      repo,
      'clusters/.flux.yaml',
      'version: 1\ncommandUpdated:\n  generators:\n  - command: cat app.yaml\n',
    );
    const generation = createManifestGeneration(options);

    const update = generation.updateImage({
      id: 'demo:deployment/podinfo',
      container: 'podinfod',
      image: 'x:1',
    });

    await expect(update).rejects.toThrow(NoUpdaterCommandsError);
    await expect(update).rejects.toThrow(
      'no update.containerImage commands to run in ../.flux.yaml (from path clusters/staging)',
    );
  });

  it('patchUpdated: edits the patched manifests and rewrites the patch file (mode 0600), generating once', async () => {
    const generation = createManifestGeneration({ ...options, paths: ['production'] });
    await generation.load();

    const result = await generation.updateImage({
      id: 'prod:deployment/podinfo',
      container: 'podinfod',
      image: 'stefanprodan/podinfo:3.1.0',
    });
    const policies = await generation.updatePolicies({
      id: 'prod:deployment/podinfo',
      update: { add: { automated: 'true' } },
    });

    expect(result).toEqual({ target: 'production', file: 'production/flux-patch.yaml', changed: true });
    expect(policies.changed).toBe(true);
    const patchFile = join(repo, 'production/flux-patch.yaml');
    expect(await readFile(patchFile, 'utf8')).toBe(`---
apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    fluxcd.io/automated: "true"
  name: podinfo
  namespace: prod
spec:
  replicas: 2
  template:
    spec:
      $setElementOrder/containers:
        - name: podinfod
      containers:
        - image: stefanprodan/podinfo:3.1.0
          name: podinfod
`);
    expect((await stat(patchFile)).mode & 0o777).toBe(0o600);
    const after = generated(await generation.load(), 'production');
    expect(imageOf(after.resources[0])).toBe('stefanprodan/podinfo:3.1.0');
    expect(after.resources[0]?.annotations).toEqual({ 'fluxcd.io/automated': 'true' });
    expect(await readFile(join(dir, 'generator-runs'), 'utf8')).toBe('run\n');
    // The source files are untouched.
    expect(await readFile(join(repo, 'base/app.yaml'), 'utf8')).toBe(
      deploymentYaml('stefanprodan/podinfo:3.0.0', 'prod'),
    );
  });

  it('patchUpdated: an edit that changes nothing leaves the patch file alone', async () => {
    const generation = createManifestGeneration({ ...options, paths: ['production'] });
    const before = await readFile(join(repo, 'production/flux-patch.yaml'), 'utf8');

    const result = await generation.updateImage({
      id: 'prod:deployment/podinfo',
      container: 'podinfod',
      image: 'stefanprodan/podinfo:3.0.0',
    });

    expect(result.changed).toBe(false);
    expect(await readFile(join(repo, 'production/flux-patch.yaml'), 'utf8')).toBe(before);
  });

  it('patchUpdated: creates a missing patch file when its directory exists', async () => {
    await rm(join(repo, 'production/flux-patch.yaml'));
    const generation = createManifestGeneration({ ...options, paths: ['production'] });

    const loaded = generated(await generation.load(), 'production');
    await generation.updatePolicies({ id: 'demo:helmrelease/redis', update: { add: { locked: 'true' } } });

    expect(specOf(loaded.resources[0]).replicas).toBe(1);
    expect(await readFile(join(repo, 'production/flux-patch.yaml'), 'utf8')).toBe(`---
apiVersion: helm.fluxcd.io/v1
kind: HelmRelease
metadata:
  annotations:
    fluxcd.io/locked: "true"
  name: redis
  namespace: demo
`);
  });

  it('says which resource is not generated by any .flux.yaml', async () => {
    const generation = createManifestGeneration(options);

    const update = generation.updateImage({ id: 'default:service/web', container: 'x', image: 'x:1' });

    await expect(update).rejects.toThrow(GeneratedResourceNotFoundError);
    await expect(update).rejects.toThrow('resource default:service/web not found in generated manifests');
  });

  it.each<{
    name: string;
    arrange: () => Promise<void>;
    target: string;
    error: unknown;
    message: string | RegExp;
  }>([
    {
      name: 'a bad .flux.yaml',
      arrange: () =>
        write(
          repo,
          'clusters/.flux.yaml',
          'version: 1\ncommandUpdated:\n  generators:\n  - command: a\n    timeout: soon\n',
        ),
      target: 'clusters/staging',
      error: FluxYamlError,
      message:
        'clusters/.flux.yaml:5:14: invalid .flux.yaml: commandUpdated.generators[0].timeout is not a duration (write e.g. "90s", "2m" or "1m30s")',
    },
    {
      name: 'a failing generator',
      arrange: () =>
        write(
          repo,
          'clusters/.flux.yaml',
          'version: 1\ncommandUpdated:\n  generators:\n  - command: cat missing.yaml\n',
        ),
      target: 'clusters/staging',
      error: CommandError,
      message:
        /^generator command "cat missing.yaml" from clusters\/staging\/..\/.flux.yaml exited with code 1: cat: .*missing.yaml/,
    },
    {
      name: 'a patch for a resource that is not generated',
      arrange: () =>
        write(
          repo,
          'production/flux-patch.yaml',
          'kind: Deployment\nmetadata: {name: gone, namespace: demo}\n',
        ),
      target: 'production',
      error: FluxError,
      message: 'production/flux-patch.yaml:1:1: patch refers to missing resource (demo:deployment/gone)',
    },
    {
      name: 'a patch file whose directory does not exist',
      arrange: () =>
        write(
          repo,
          'production/.flux.yaml',
          'version: 1\npatchUpdated:\n  generators: [{command: cat ../base/app.yaml}]\n  patchFile: nowhere/p.yaml\n',
        ),
      target: 'production',
      error: FluxError,
      message:
        'production/nowhere/p.yaml: base directory (production/nowhere) of patchFile (production/nowhere/p.yaml) does not exist',
    },
    {
      name: 'a patch file outside the repository',
      arrange: () =>
        write(
          repo,
          'production/.flux.yaml',
          'version: 1\npatchUpdated:\n  generators: [{command: cat ../base/app.yaml}]\n  patchFile: ../../outside.yaml\n',
        ),
      target: 'production',
      error: FluxError,
      message: 'git path "../../outside.yaml" is outside the repository',
    },
    {
      name: 'a missing git path',
      arrange: async () => {},
      target: 'nope',
      error: FluxError,
      message: 'git path "nope" not found',
    },
  ])(
    'reports $name as a failed target, and still loads the others',
    async ({ arrange, target, error, message }) => {
      await arrange();

      const results = await createManifestGeneration({ ...options, paths: [target, 'raw'] }).load();

      const err = failureOf(results, target);
      expect(err).toBeInstanceOf(error);
      if (typeof message === 'string') expect(err.message).toBe(message);
      else expect(err.message).toMatch(message);
      expect(results.find((r) => r.target === 'raw')?.kind).toBe('raw');
    },
  );

  it('fails an update with the reason its target failed', async () => {
    await write(
      repo,
      'clusters/.flux.yaml',
      'version: 1\ncommandUpdated:\n  generators:\n  - command: exit 3\n',
    );
    const generation = createManifestGeneration(options);

    const update = generation.updateImage({ id: 'demo:deployment/podinfo', container: 'c', image: 'x:1' });

    await expect(update).rejects.toThrow(
      'generator command "exit 3" from clusters/staging/../.flux.yaml exited with code 3',
    );
  });

  it('stops generators when the signal aborts', async () => {
    await write(
      repo,
      'clusters/.flux.yaml',
      'version: 1\ncommandUpdated:\n  generators:\n  - command: sleep 30\n',
    );
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('sync timeout')), 100);

    const load = createManifestGeneration(options).load(controller.signal);

    await expect(load).rejects.toThrow(/was aborted/);
  });
});

describe('createManifestGeneration with the real parser and editors', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await realpath(await mkdtemp(join(tmpdir(), 'flux-ts-generation-real-')));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('updates an image and a policy of a patchUpdated target through the patch file', async () => {
    await write(
      dir,
      'production/.flux.yaml',
      'version: 1\npatchUpdated:\n  generators:\n  - command: cat ../base/app.yaml ../base/hr.yaml\n  patchFile: flux-patch.yaml\n',
    );
    await write(dir, 'base/app.yaml', `${deploymentYaml('stefanprodan/podinfo:3.0.0')}---\n`);
    await write(dir, 'base/hr.yaml', helmReleaseYaml);
    const generation = createManifestGeneration({
      repoRoot: dir,
      paths: ['production'],
      parse: parseManifests,
      setContainerImage: (text, id, container, image) => setContainerImage(text, id, container, image),
      updatePolicies: (text, id, update) => updateWorkloadPolicies(text, id, update),
      env: { PATH },
    });

    await generation.updateImage({
      id: 'demo:deployment/podinfo',
      container: 'podinfod',
      image: 'stefanprodan/podinfo:3.1.0',
    });
    await generation.updateImage({
      id: 'demo:helmrelease/redis',
      container: 'chart-image',
      image: 'redis:7',
    });
    await generation.updatePolicies({
      id: 'demo:deployment/podinfo',
      update: { add: { automated: 'true' } },
    });

    expect(await readFile(join(dir, 'production/flux-patch.yaml'), 'utf8')).toBe(`---
apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    fluxcd.io/automated: "true"
  name: podinfo
  namespace: demo
spec:
  template:
    spec:
      $setElementOrder/containers:
        - name: podinfod
      containers:
        - image: stefanprodan/podinfo:3.1.0
          name: podinfod
---
apiVersion: helm.fluxcd.io/v1
kind: HelmRelease
metadata:
  name: redis
  namespace: demo
spec:
  values:
    image:
      tag: "7"
`);
    const [production] = await generation.load();
    expect(
      production?.kind === 'generated' && production.resources.map((r) => r.containers?.map((c) => c.image)),
    ).toEqual([['stefanprodan/podinfo:3.1.0'], ['redis:7']]);
  });
});
