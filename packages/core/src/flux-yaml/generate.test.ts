import { access, mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResourceId } from '../resource/id.ts';
import { type CommandRunner, createShellRunner, type RunOptions } from './command-runner.ts';
import { type CommandUpdatedConfig, ConfigMode } from './config.ts';
import { CommandError, NoUpdaterCommandsError } from './errors.ts';
import {
  concatStreams,
  generatorAtLine,
  imageUpdaterEnv,
  type PolicyChange,
  policyChanges,
  policyUpdaterEnv,
  runGenerators,
  runImageUpdaters,
  runPolicyUpdaters,
} from './generate.ts';

const PATH = process.env.PATH ?? '/usr/bin:/bin';
const shellOwn = new Set(['PWD', 'OLDPWD', 'SHLVL', '_']);

/** Parses `env` outputs separated by lines of `====`. */
function envBlocks(text: string): Record<string, string>[] {
  return text
    .split('====\n')
    .filter((b) => b.trim() !== '')
    .map((block) => {
      const out: Record<string, string> = {};
      for (const line of block.split('\n')) {
        const eq = line.indexOf('=');
        if (eq > 0 && !shellOwn.has(line.slice(0, eq))) out[line.slice(0, eq)] = line.slice(eq + 1);
      }
      return out;
    });
}

describe('concatStreams', () => {
  it.each`
    outputs                                   | text                                        | segments
    ${[]}                                     | ${''}                                       | ${[]}
    ${['a: 1\n']}                             | ${'a: 1\n'}                                 | ${[{ startLine: 1, lineCount: 1 }]}
    ${['a: 1', 'b: 2\n']}                     | ${'a: 1\n---\nb: 2\n'}                      | ${[{ startLine: 1, lineCount: 1 }, { startLine: 3, lineCount: 1 }]}
    ${['---\na: 1\n---\nc: 3\n', '', 'b: 2']} | ${'---\na: 1\n---\nc: 3\n---\n---\nb: 2\n'} | ${[{ startLine: 1, lineCount: 4 }, { startLine: 6, lineCount: 0 }, { startLine: 7, lineCount: 1 }]}
  `('joins $outputs', ({ outputs, text, segments }) => {
    expect(concatStreams(outputs)).toEqual({ text, segments });
  });
});

describe('policyChanges', () => {
  it.each<{
    name: string;
    add?: Record<string, string>;
    remove?: Record<string, string>;
    expected: PolicyChange[];
  }>([
    {
      name: 'adds and removes, sorted by key',
      add: { automated: 'true', 'tag.app': 'semver:~1.2' },
      remove: { locked: '' },
      expected: [
        { policy: 'automated', value: 'true' },
        { policy: 'locked', value: undefined },
        { policy: 'tag.app', value: 'semver:~1.2' },
      ],
    },
    {
      name: 'a removal wins over an addition',
      add: { locked: 'true' },
      remove: { locked: '' },
      expected: [{ policy: 'locked', value: undefined }],
    },
    {
      name: 'tag_all sets every container',
      add: { tag_all: 'glob:1.*' },
      expected: [
        { policy: 'tag.app', value: 'glob:1.*' },
        { policy: 'tag.sidecar', value: 'glob:1.*' },
      ],
    },
    {
      name: 'tag_all glob:* removes the filters',
      add: { tag_all: 'glob:*' },
      expected: [
        { policy: 'tag.app', value: undefined },
        { policy: 'tag.sidecar', value: undefined },
      ],
    },
  ])('$name', ({ add, remove, expected }) => {
    const update = { ...(add ? { add } : {}), ...(remove ? { remove } : {}) };

    expect(policyChanges(update, ['app', 'sidecar'])).toEqual(expected);
  });
});

describe('updater environments', () => {
  const id = new ResourceId('demo', 'Deployment', 'podinfo');

  it.each`
    image                           | img                          | tag
    ${'stefanprodan/podinfo:3.1.0'} | ${'stefanprodan/podinfo'}    | ${'3.1.0'}
    ${'nginx:1.20'}                 | ${'nginx'}                   | ${'1.20'}
    ${'localhost:5000/team/app:v2'} | ${'localhost:5000/team/app'} | ${'v2'}
    ${'docker.io/library/redis:7'}  | ${'docker.io/library/redis'} | ${'7'}
    ${'ghcr.io/org/app'}            | ${'ghcr.io/org/app'}         | ${''}
  `(
    'image $image → FLUX_IMG=$img FLUX_TAG=$tag',
    ({ image, img, tag }: { image: string; img: string; tag: string }) => {
      expect(imageUpdaterEnv({ id, container: 'podinfod', image }, '/bin')).toEqual({
        PATH: '/bin',
        FLUX_WORKLOAD: 'demo:deployment/podinfo',
        FLUX_WL_NS: 'demo',
        FLUX_WL_KIND: 'deployment',
        FLUX_WL_NAME: 'podinfo',
        FLUX_CONTAINER: 'podinfod',
        FLUX_IMG: img,
        FLUX_TAG: tag,
      });
    },
  );

  it.each<{ change: PolicyChange; extra: Record<string, string> }>([
    {
      change: { policy: 'automated', value: 'true' },
      extra: { FLUX_POLICY: 'automated', FLUX_POLICY_VALUE: 'true' },
    },
    {
      change: { policy: 'tag.app', value: 'semver:>=1.0 <2.0' },
      extra: { FLUX_POLICY: 'tag.app', FLUX_POLICY_VALUE: 'semver:>=1.0 <2.0' },
    },
    {
      change: { policy: 'locked_msg', value: '' },
      extra: { FLUX_POLICY: 'locked_msg', FLUX_POLICY_VALUE: '' },
    },
    { change: { policy: 'locked', value: undefined }, extra: { FLUX_POLICY: 'locked' } },
  ])('policy $change.policy=$change.value', ({ change, extra }) => {
    expect(policyUpdaterEnv(id, change, '/bin')).toEqual({
      PATH: '/bin',
      FLUX_WORKLOAD: 'demo:deployment/podinfo',
      FLUX_WL_NS: 'demo',
      FLUX_WL_KIND: 'deployment',
      FLUX_WL_NAME: 'podinfo',
      ...extra,
    });
  });
});

describe('generators and updaters through /bin/sh', () => {
  const runner = createShellRunner();
  let dir: string;
  let target: string;
  beforeAll(async () => {
    dir = await realpath(await mkdtemp(join(tmpdir(), 'flux-ts-generate-')));
    target = join(dir, 'staging');
    await mkdir(target);
    await writeFile(join(target, 'svc.yaml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs generators in order in the target directory with the given environment', async () => {
    const generators = [
      { command: 'cat svc.yaml', timeoutMs: 5000 },
      { command: 'printf "kind: ConfigMap\\nmetadata:\\n  name: $CM_NAME"', timeoutMs: 5000 },
    ];

    const output = await runGenerators(generators, {
      runner,
      cwd: target,
      env: { PATH, CM_NAME: 'from-env' },
      source: 'staging/../.flux.yaml',
    });

    expect(output.text).toBe(
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n---\nkind: ConfigMap\nmetadata:\n  name: from-env\n',
    );
    expect(generatorAtLine(output.segments, 6)?.command).toBe(generators[1]?.command);
    expect(generatorAtLine(output.segments, 2)?.command).toBe('cat svc.yaml');
  });

  it('stops at the first failing generator and reports its stderr', async () => {
    const marker = join(dir, 'second-ran');
    const generators = [
      { command: 'echo "error: accumulating resources: missing.yaml" >&2; exit 1', timeoutMs: 5000 },
      { command: `touch ${marker}`, timeoutMs: 5000 },
    ];

    const run = runGenerators(generators, {
      runner,
      cwd: target,
      env: { PATH },
      source: 'staging/../.flux.yaml',
    });

    await expect(run).rejects.toThrow(CommandError);
    await expect(run).rejects.toThrow(
      'generator command "echo "error: accumulating resources: missing.yaml" >&2; exit 1" from staging/../.flux.yaml exited with code 1: error: accumulating resources: missing.yaml',
    );
    await expect(access(marker)).rejects.toThrow();
  });

  const config = (updaters: CommandUpdatedConfig['updaters']): CommandUpdatedConfig => ({
    mode: ConfigMode.CommandUpdated,
    generators: [],
    updaters,
  });
  const updaterOptions = () => ({
    runner,
    cwd: target,
    path: PATH,
    configFile: '../.flux.yaml',
    target: 'staging',
    source: 'staging/../.flux.yaml',
  });

  it('gives image updaters exactly PATH and the FLUX_* variables, every command in order', async () => {
    const out = join(dir, 'image-env.txt');
    const cmd = `(pwd; env; echo ====) >> ${out}`;
    const id = new ResourceId('demo', 'deployment', 'podinfo');

    await runImageUpdaters(
      config([
        { containerImage: { command: cmd, timeoutMs: 5000 } },
        { policy: { command: 'false', timeoutMs: 5000 } },
        { containerImage: { command: cmd, timeoutMs: 5000 } },
      ]),
      { id, container: 'podinfod', image: 'stefanprodan/podinfo:3.1.0' },
      updaterOptions(),
    );

    const text = await readFile(out, 'utf8');
    expect(text.split('\n').filter((l) => l === target)).toHaveLength(2);
    const expected = {
      PATH,
      FLUX_WORKLOAD: 'demo:deployment/podinfo',
      FLUX_WL_NS: 'demo',
      FLUX_WL_KIND: 'deployment',
      FLUX_WL_NAME: 'podinfo',
      FLUX_CONTAINER: 'podinfod',
      FLUX_IMG: 'stefanprodan/podinfo',
      FLUX_TAG: '3.1.0',
    };
    const withoutPwd = text
      .split('\n')
      .filter((l) => l !== target)
      .join('\n');
    expect(envBlocks(withoutPwd)).toEqual([expected, expected]);
  });

  it('runs policy updaters once per changed key; a removal has no FLUX_POLICY_VALUE', async () => {
    const out = join(dir, 'policy-env.txt');
    const id = new ResourceId('demo', 'deployment', 'podinfo');

    await runPolicyUpdaters(
      config([{ policy: { command: `(env; echo ====) >> ${out}`, timeoutMs: 5000 } }]),
      id,
      [
        { policy: 'automated', value: 'true' },
        { policy: 'locked', value: undefined },
      ],
      updaterOptions(),
    );

    const workload = {
      PATH,
      FLUX_WORKLOAD: 'demo:deployment/podinfo',
      FLUX_WL_NS: 'demo',
      FLUX_WL_KIND: 'deployment',
      FLUX_WL_NAME: 'podinfo',
    };
    expect(envBlocks(await readFile(out, 'utf8'))).toEqual([
      { ...workload, FLUX_POLICY: 'automated', FLUX_POLICY_VALUE: 'true' },
      { ...workload, FLUX_POLICY: 'locked' },
    ]);
  });

  it('reports a failing updater with its stderr', async () => {
    const id = new ResourceId('demo', 'deployment', 'podinfo');

    const run = runImageUpdaters(
      config([{ containerImage: { command: 'echo "no kustomization.yaml" >&2; exit 4', timeoutMs: 5000 } }]),
      { id, container: 'c', image: 'nginx:1' },
      updaterOptions(),
    );

    await expect(run).rejects.toThrow(
      'image updater command "echo "no kustomization.yaml" >&2; exit 4" from staging/../.flux.yaml exited with code 4: no kustomization.yaml',
    );
  });
});

describe('updaters that are not configured', () => {
  const neverRuns: CommandRunner = {
    run: (_command: string, _options: RunOptions) => Promise.reject(new Error('must not run')),
  };
  const options = {
    runner: neverRuns,
    cwd: '/repo/staging',
    path: '/bin',
    configFile: '../.flux.yaml',
    target: 'staging',
    source: 'staging/../.flux.yaml',
  };
  const id = new ResourceId('demo', 'deployment', 'podinfo');
  const onlyPolicy: CommandUpdatedConfig = {
    mode: ConfigMode.CommandUpdated,
    generators: [],
    updaters: [{ policy: { command: 'x', timeoutMs: 1000 } }],
  };
  const none: CommandUpdatedConfig = { mode: ConfigMode.CommandUpdated, generators: [], updaters: [] };

  it('says there are no update.containerImage commands', async () => {
    const run = runImageUpdaters(onlyPolicy, { id, container: 'c', image: 'nginx:1' }, options);

    await expect(run).rejects.toThrow(NoUpdaterCommandsError);
    await expect(run).rejects.toThrow(
      'no update.containerImage commands to run in ../.flux.yaml (from path staging)',
    );
  });

  it('says there are no updaters.policy commands', async () => {
    const run = runPolicyUpdaters(none, id, [{ policy: 'automated', value: 'true' }], options);

    await expect(run).rejects.toThrow(
      'no updaters.policy commands to run in ../.flux.yaml (from path staging)',
    );
  });

  it('runs nothing, and does not complain, when no policy changes', async () => {
    await expect(runPolicyUpdaters(none, id, [], options)).resolves.toBeUndefined();
  });
});
