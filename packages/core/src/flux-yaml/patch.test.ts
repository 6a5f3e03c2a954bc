import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CLUSTER_SCOPE, ResourceId } from '../resource/id.ts';
import { PatchError, PatchMissingResourceError } from './errors.ts';
import {
  applyPatchFile,
  builtinStrategic,
  createJsonMergePatch,
  createPatches,
  createPatchFile,
  createTwoWayMergePatch,
  deepEqual,
  jsonMergePatch,
  mergeKeyFor,
  type PatchableResource,
  renderStream,
  strategicMergePatch,
} from './patch.ts';

type Obj = Record<string, unknown>;

const clusterKinds = new Set(['Namespace', 'ClusterRole', 'CustomResourceDefinition']);

/** A resource as the manifest parser would give it (namespace `default` when none is written). */
function res(object: Obj): PatchableResource {
  const kind = object.kind as string;
  const metadata = object.metadata as Obj;
  const namespace = clusterKinds.has(kind)
    ? undefined
    : ((metadata.namespace as string | undefined) ?? 'default');
  return {
    id: new ResourceId(namespace ?? CLUSTER_SCOPE, kind, metadata.name as string),
    apiVersion: object.apiVersion as string,
    kind,
    name: metadata.name as string,
    namespace,
    object,
  };
}

const y = (text: string): Obj => parse(text) as Obj;

const deployment = y(`
apiVersion: apps/v1
kind: Deployment
metadata:
  name: podinfo
  namespace: demo
  annotations:
    keep: me
    drop: me
spec:
  replicas: 1
  template:
    spec:
      containers:
      - name: podinfod
        image: stefanprodan/podinfo:3.0.0
        args: [--port=9898, --level=info]
        env:
        - {name: A, value: "1"}
        - {name: B, value: "2"}
        ports:
        - {containerPort: 9898, name: http}
        - {containerPort: 9999, name: grpc}
        volumeMounts:
        - {name: data, mountPath: /data}
      - name: sidecar
        image: busybox:1
      volumes:
      - name: data
        emptyDir: {}
`);

describe('strategicMergePatch', () => {
  const ctx = { kind: 'Deployment' };
  const containers = (o: Obj): Obj[] =>
    ((o.spec as Obj).template as { spec: { containers: Obj[] } }).spec.containers;

  it.each<{ name: string; patch: string; check: (patched: Obj) => unknown; expected: unknown }>([
    {
      name: 'merges maps and deletes keys set to null',
      patch: 'metadata: {annotations: {drop: null, add: "yes"}}\nspec: {replicas: 3}',
      check: (p) => [(p.metadata as Obj).annotations, (p.spec as Obj).replicas],
      expected: [{ keep: 'me', add: 'yes' }, 3],
    },
    {
      name: 'merges containers by name, leaving the others alone',
      patch: 'spec: {template: {spec: {containers: [{name: sidecar, image: busybox:2}]}}}',
      check: (p) => containers(p).map((c) => `${c.name}=${c.image}`),
      expected: ['podinfod=stefanprodan/podinfo:3.0.0', 'sidecar=busybox:2'],
    },
    {
      name: 'merges env by name and keeps the order',
      patch: 'spec: {template: {spec: {containers: [{name: podinfod, env: [{name: B, value: "20"}]}]}}}',
      check: (p) => containers(p)[0]?.env,
      expected: [
        { name: 'A', value: '1' },
        { name: 'B', value: '20' },
      ],
    },
    {
      name: 'merges container ports by containerPort',
      patch:
        'spec: {template: {spec: {containers: [{name: podinfod, ports: [{containerPort: 9999, name: rpc}]}]}}}',
      check: (p) => containers(p)[0]?.ports,
      expected: [
        { containerPort: 9898, name: 'http' },
        { containerPort: 9999, name: 'rpc' },
      ],
    },
    {
      name: 'merges volumeMounts by mountPath',
      patch:
        'spec: {template: {spec: {containers: [{name: podinfod, volumeMounts: [{mountPath: /data, readOnly: true}]}]}}}',
      check: (p) => containers(p)[0]?.volumeMounts,
      expected: [{ name: 'data', mountPath: '/data', readOnly: true }],
    },
    {
      name: 'replaces lists without a merge key',
      patch: 'spec: {template: {spec: {containers: [{name: podinfod, args: [--level=debug]}]}}}',
      check: (p) => containers(p)[0]?.args,
      expected: ['--level=debug'],
    },
    {
      name: 'puts a new item before the untouched ones when no order is given (as Kubernetes does)',
      patch: 'spec: {template: {spec: {containers: [{name: new, image: x:1}]}}}',
      check: (p) => containers(p).map((c) => c.name),
      expected: ['new', 'podinfod', 'sidecar'],
    },
    {
      name: 'follows $setElementOrder',
      patch:
        'spec: {template: {spec: {$setElementOrder/containers: [{name: sidecar}, {name: new}, {name: podinfod}], containers: [{name: new, image: x:1}]}}}',
      check: (p) => containers(p).map((c) => c.name),
      expected: ['sidecar', 'new', 'podinfod'],
    },
    {
      name: 'deletes an item with $patch: delete',
      patch: 'spec: {template: {spec: {containers: [{name: sidecar, $patch: delete}]}}}',
      check: (p) => containers(p).map((c) => c.name),
      expected: ['podinfod'],
    },
    {
      name: 'replaces a merge list with $patch: replace',
      patch: 'spec: {template: {spec: {volumes: [{name: other, emptyDir: {}}, {$patch: replace}]}}}',
      check: (p) => ((p.spec as Obj).template as { spec: Obj }).spec.volumes,
      expected: [{ name: 'other', emptyDir: {} }],
    },
    {
      name: 'replaces a map with $patch: replace',
      patch: 'metadata: {annotations: {$patch: replace, only: this}}',
      check: (p) => (p.metadata as Obj).annotations,
      expected: { only: 'this' },
    },
    {
      name: 'deletes a map with $patch: delete',
      patch: 'metadata: {annotations: {$patch: delete}}',
      check: (p) => Object.hasOwn(p.metadata as Obj, 'annotations'),
      expected: false,
    },
    {
      name: 'keeps only $retainKeys',
      patch: 'spec: {$retainKeys: [template, strategy], strategy: {type: Recreate}}',
      check: (p) => Object.keys(p.spec as Obj).sort(),
      expected: ['strategy', 'template'],
    },
    {
      name: 'deletes from a primitive list',
      patch:
        'spec: {template: {spec: {containers: [{name: podinfod, $deleteFromPrimitiveList/args: [--port=9898]}]}}}',
      check: (p) => containers(p)[0]?.args,
      expected: ['--level=info'],
    },
    {
      name: 'creates what is missing',
      patch:
        'spec: {template: {spec: {initContainers: [{name: init, image: a:1, env: [{name: X, value: y}]}]}}}',
      check: (p) => ((p.spec as Obj).template as { spec: Obj }).spec.initContainers,
      expected: [{ name: 'init', image: 'a:1', env: [{ name: 'X', value: 'y' }] }],
    },
  ])('$name', ({ patch, check, expected }) => {
    const before = structuredClone(deployment);

    const patched = strategicMergePatch(deployment, y(patch), ctx);

    expect(check(patched)).toEqual(expected);
    expect(deployment).toEqual(before);
  });

  it('merges Service ports by port', () => {
    const service = y(
      'kind: Service\nspec:\n  ports:\n  - {port: 80, targetPort: 8080}\n  - {port: 443, targetPort: 8443}\n',
    );

    const patched = strategicMergePatch(service, y('spec: {ports: [{port: 443, targetPort: 9443}]}'), {
      kind: 'Service',
    });

    expect((patched.spec as Obj).ports).toEqual([
      { port: 80, targetPort: 8080 },
      { port: 443, targetPort: 9443 },
    ]);
  });

  it.each`
    patch                                                     | message
    ${'spec: {template: {spec: {containers: [{image: x}]}}}'} | ${'containers: an item has no "name" (the merge key of containers)'}
    ${'spec: {template: {spec: {containers: [x]}}}'}          | ${'containers: list items must be maps with a "name"'}
    ${'metadata: {$patch: explode}'}                          | ${'metadata: unknown $patch directive "explode"'}
    ${'metadata: {$oops: 1}'}                                 | ${'unknown patch directive "$oops"'}
  `('rejects a malformed patch: $message', ({ patch, message }: { patch: string; message: string }) => {
    expect(() => strategicMergePatch(deployment, y(patch), ctx)).toThrow(message);
  });
});

describe('jsonMergePatch (RFC 7386 appendix A)', () => {
  it.each`
    target                 | patch                           | result
    ${{ a: 'b' }}          | ${{ a: 'c' }}                   | ${{ a: 'c' }}
    ${{ a: 'b' }}          | ${{ b: 'c' }}                   | ${{ a: 'b', b: 'c' }}
    ${{ a: 'b' }}          | ${{ a: null }}                  | ${{}}
    ${{ a: 'b', b: 'c' }}  | ${{ a: null }}                  | ${{ b: 'c' }}
    ${{ a: ['b'] }}        | ${{ a: 'c' }}                   | ${{ a: 'c' }}
    ${{ a: 'c' }}          | ${{ a: ['b'] }}                 | ${{ a: ['b'] }}
    ${{ a: { b: 'c' } }}   | ${{ a: { b: 'd', c: null } }}   | ${{ a: { b: 'd' } }}
    ${{ a: [{ b: 'c' }] }} | ${{ a: [1] }}                   | ${{ a: [1] }}
    ${['a', 'b']}          | ${['c', 'd']}                   | ${['c', 'd']}
    ${{ a: 'b' }}          | ${['c']}                        | ${['c']}
    ${{ a: 'foo' }}        | ${null}                         | ${null}
    ${{ a: 'foo' }}        | ${'bar'}                        | ${'bar'}
    ${{ e: null }}         | ${{ a: 1 }}                     | ${{ e: null, a: 1 }}
    ${[1, 2]}              | ${{ a: 'b', c: null }}          | ${{ a: 'b' }}
    ${{}}                  | ${{ a: { bb: { ccc: null } } }} | ${{ a: { bb: {} } }}
  `('$target + $patch = $result', ({ target, patch, result }) => {
    expect(jsonMergePatch(target, patch)).toEqual(result);
  });
});

describe('createTwoWayMergePatch', () => {
  const ctx = { kind: 'Deployment' };
  const edit = (f: (o: Obj) => void): Obj => {
    const o = structuredClone(deployment);
    f(o);
    return o;
  };
  const pod = (o: Obj): { containers: Obj[]; volumes: Obj[] } =>
    ((o.spec as Obj).template as { spec: { containers: Obj[]; volumes: Obj[] } }).spec;

  it.each<{ name: string; modified: Obj; patch: Obj }>([
    { name: 'nothing for equal objects', modified: structuredClone(deployment), patch: {} },
    {
      name: 'an image change, with the container order (as Flux v1 writes it)',
      modified: edit((o) => {
        (pod(o).containers[0] as Obj).image = 'stefanprodan/podinfo:3.1.0';
      }),
      patch: {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'podinfod' }, { name: 'sidecar' }],
              containers: [{ name: 'podinfod', image: 'stefanprodan/podinfo:3.1.0' }],
            },
          },
        },
      },
    },
    {
      name: 'an annotation added and one removed',
      modified: edit((o) => {
        const annotations = (o.metadata as Obj).annotations as Obj;
        annotations['fluxcd.io/automated'] = 'true';
        delete annotations.drop;
      }),
      patch: { metadata: { annotations: { drop: null, 'fluxcd.io/automated': 'true' } } },
    },
    {
      name: 'a removed container',
      modified: edit((o) => {
        pod(o).containers.pop();
      }),
      patch: {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'podinfod' }],
              containers: [{ name: 'sidecar', $patch: 'delete' }],
            },
          },
        },
      },
    },
    {
      name: 'a replaced list without merge key',
      modified: edit((o) => {
        (pod(o).containers[0] as Obj).args = ['--port=1'];
      }),
      patch: {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'podinfod' }, { name: 'sidecar' }],
              containers: [{ name: 'podinfod', args: ['--port=1'] }],
            },
          },
        },
      },
    },
    {
      name: 'only the order, for reordered containers',
      modified: edit((o) => {
        pod(o).containers.reverse();
      }),
      patch: {
        spec: {
          template: { spec: { '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'podinfod' }] } },
        },
      },
    },
    {
      name: 'a replace directive for a merge list that cannot merge (duplicate names)',
      modified: edit((o) => {
        pod(o).volumes = [{ name: 'x' }, { name: 'x', hostPath: { path: '/' } }];
      }),
      patch: {
        spec: {
          template: {
            spec: { volumes: [{ name: 'x' }, { name: 'x', hostPath: { path: '/' } }, { $patch: 'replace' }] },
          },
        },
      },
    },
  ])('gives $name', ({ modified, patch }) => {
    expect(createTwoWayMergePatch(deployment, modified, ctx)).toEqual(patch);
  });
});

describe('createJsonMergePatch', () => {
  it.each`
    original                 | modified                 | patch
    ${{ a: 1 }}              | ${{ a: 1 }}              | ${{}}
    ${{ a: 1, b: 2 }}        | ${{ a: 1 }}              | ${{ b: null }}
    ${{ a: { b: 1, c: 2 } }} | ${{ a: { b: 1, c: 3 } }} | ${{ a: { c: 3 } }}
    ${{ a: [1, 2] }}         | ${{ a: [1, 2, 3] }}      | ${{ a: [1, 2, 3] }}
    ${{ a: { b: 1 } }}       | ${{ a: 'x' }}            | ${{ a: 'x' }}
    ${{ a: 'x' }}            | ${{ a: { b: 1 } }}       | ${{ a: { b: 1 } }}
    ${{}}                    | ${{ a: { b: [] } }}      | ${{ a: { b: [] } }}
  `('$original → $modified', ({ original, modified, patch }) => {
    expect(createJsonMergePatch(original, modified)).toEqual(patch);
  });
});

describe('builtinStrategic and mergeKeyFor', () => {
  it.each`
    apiVersion                        | strategic
    ${'v1'}                           | ${true}
    ${'apps/v1'}                      | ${true}
    ${'extensions/v1beta1'}           | ${true}
    ${'networking.k8s.io/v1'}         | ${true}
    ${'rbac.authorization.k8s.io/v1'} | ${true}
    ${'helm.fluxcd.io/v1'}            | ${false}
    ${'flux.weave.works/v1beta1'}     | ${false}
    ${'apiextensions.k8s.io/v1'}      | ${false}
    ${'monitoring.coreos.com/v1'}     | ${false}
  `(
    '$apiVersion strategic: $strategic',
    ({ apiVersion, strategic }: { apiVersion: string; strategic: boolean }) => {
      expect(builtinStrategic(apiVersion, 'X')).toBe(strategic);
    },
  );

  it.each`
    field             | parent          | kind            | key
    ${'containers'}   | ${'spec'}       | ${'Deployment'} | ${'name'}
    ${'ports'}        | ${'containers'} | ${'Deployment'} | ${'containerPort'}
    ${'ports'}        | ${'spec'}       | ${'Service'}    | ${'port'}
    ${'ports'}        | ${'spec'}       | ${'Ingress'}    | ${undefined}
    ${'volumeMounts'} | ${'containers'} | ${'Pod'}        | ${'mountPath'}
    ${'args'}         | ${'containers'} | ${'Pod'}        | ${undefined}
    ${'tolerations'}  | ${'spec'}       | ${'Pod'}        | ${undefined}
  `('$field in $parent of a $kind merges by $key', ({ field, parent, kind, key }) => {
    expect(mergeKeyFor(field, parent, kind)).toBe(key);
  });
});

const generated = [
  res(deployment),
  res(
    y(
      'apiVersion: v1\nkind: Service\nmetadata: {name: podinfo, namespace: demo}\nspec: {ports: [{port: 80}]}',
    ),
  ),
  res(y('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: "1"}')),
  res(y('apiVersion: v1\nkind: Namespace\nmetadata: {name: demo}')),
  res(
    y(`apiVersion: helm.fluxcd.io/v1
kind: HelmRelease
metadata: {name: redis, namespace: demo}
spec:
  values:
    image: {repository: redis, tag: "6"}
    extraArgs: [a, b]
`),
  ),
];

describe('applyPatchFile', () => {
  const file = 'production/flux-patch.yaml';

  it('patches the resources it names (strategic or JSON merge) and leaves the rest', () => {
    const patchText = `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: podinfo
  namespace: demo
spec:
  replicas: 2
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  b: "2"
---
apiVersion: helm.fluxcd.io/v1
kind: HelmRelease
metadata: {name: redis, namespace: demo}
spec:
  values:
    image: {tag: "7"}
    extraArgs: [c]
---
kind: Namespace
metadata: {name: demo, labels: {team: a}}
`;

    const patched = applyPatchFile(generated, patchText, { file });

    expect(patched.map((p) => [p.id, p.patched])).toEqual([
      ['demo:deployment/podinfo', true],
      ['demo:service/podinfo', false],
      ['default:configmap/settings', true],
      ['<cluster>:namespace/demo', true],
      ['demo:helmrelease/redis', true],
    ]);
    expect(patched[0]?.object.spec).toMatchObject({ replicas: 2 });
    expect(patched[1]?.object).toBe(generated[1]?.object);
    expect(patched[2]?.object.data).toEqual({ a: '1', b: '2' });
    expect(patched[3]?.object).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'demo', labels: { team: 'a' } },
    });
    expect(patched[4]?.object.spec).toEqual({
      values: { image: { repository: 'redis', tag: '7' }, extraArgs: ['c'] },
    });
  });

  it('does not apply the identifying fields (a stale apiVersion in the patch stays out)', () => {
    const patched = applyPatchFile(
      generated,
      'apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: podinfo, namespace: demo}\nspec: {replicas: 5}\n',
      { file },
    );

    expect(patched[0]?.object.apiVersion).toBe('apps/v1');
  });

  it('matches a patch without namespace to the default namespace', () => {
    const patched = applyPatchFile(
      generated,
      'kind: ConfigMap\nmetadata: {name: settings}\ndata: {a: "9"}\n',
      {
        file,
        defaultNamespace: 'default',
      },
    );

    expect(patched[2]?.object.data).toEqual({ a: '9' });
  });

  it.each`
    patchText                                                                    | message
    ${'---\nkind: Deployment\nmetadata: {name: podinfo}\nspec: {replicas: 2}\n'} | ${'production/flux-patch.yaml:2:1: patch refers to missing resource (default:deployment/podinfo)'}
    ${'kind: Secret\nmetadata: {name: nope, namespace: demo}\n'}                 | ${'production/flux-patch.yaml:1:1: patch refers to missing resource (demo:secret/nope)'}
  `('reports a patch of a resource that is not generated: $message', ({ patchText, message }) => {
    const apply = (): unknown => applyPatchFile(generated, patchText, { file });

    expect(apply).toThrow(PatchMissingResourceError);
    expect(apply).toThrow(message);
  });

  it.each`
    name                 | patchText                                                                                                                 | message
    ${'not YAML'}        | ${'kind: ConfigMap\nmetadata: {name: [\n'}                                                                                | ${/^production\/flux-patch\.yaml:3:1: not valid YAML: /}
    ${'not a patch'}     | ${'- a\n- b\n'}                                                                                                           | ${'production/flux-patch.yaml:1:1: a patch must be a map with kind and metadata.name'}
    ${'no name'}         | ${'kind: ConfigMap\nmetadata: {}\n'}                                                                                      | ${'production/flux-patch.yaml:1:1: a patch must be a map with kind and metadata.name'}
    ${'two patches'}     | ${'kind: ConfigMap\nmetadata: {name: settings}\n---\nkind: ConfigMap\nmetadata: {name: settings}\n'}                      | ${'production/flux-patch.yaml:4:1: two patches for default:configmap/settings (lines 1 and 4)'}
    ${'a bad directive'} | ${'kind: Deployment\nmetadata: {name: podinfo, namespace: demo}\nspec: {template: {spec: {containers: [{image: x}]}}}\n'} | ${'production/flux-patch.yaml:1:1: cannot apply the patch for demo:deployment/podinfo: containers: an item has no "name" (the merge key of containers)'}
  `('reports $name, naming the file and line', ({ patchText, message }) => {
    const apply = (): unknown => applyPatchFile(generated, patchText, { file });

    expect(apply).toThrow(PatchError);
    expect(apply).toThrow(message);
  });

  it('accepts an empty patch file, or one with only comments', () => {
    expect(applyPatchFile(generated, '', { file }).every((p) => !p.patched)).toBe(true);
    expect(applyPatchFile(generated, '# nothing yet\n', { file }).every((p) => !p.patched)).toBe(true);
  });
});

describe('createPatchFile', () => {
  it('writes one patch per changed resource, sorted by ID, keys sorted, as Flux v1 does', () => {
    const edited = generated.map((r) => res(structuredClone(r.object)));
    const [dep, svc, cm, ns, hr] = edited.map((r) => r.object) as [Obj, Obj, Obj, Obj, Obj];
    ((dep.metadata as Obj).annotations as Obj)['fluxcd.io/automated'] = 'true';
    ((dep.spec as { template: { spec: { containers: Obj[] } } }).template.spec.containers[0] as Obj).image =
      'stefanprodan/podinfo:3.1.0';
    ((hr.spec as { values: { image: Obj } }).values.image as Obj).tag = '7';
    cm.data = { a: '1', b: 'yes' };
    void svc;
    void ns;

    const text = createPatchFile(generated, edited);

    expect(text).toBe(`---
apiVersion: v1
data:
  b: "yes"
kind: ConfigMap
metadata:
  name: settings
---
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
        - name: sidecar
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
    const reapplied = applyPatchFile(generated, text, { file: 'p.yaml' });
    expect(reapplied.map((p) => p.object)).toEqual(edited.map((r) => r.object));
  });

  it('writes nothing when nothing changed, and skips resources missing from the edit', () => {
    expect(createPatchFile(generated, generated.slice(0, 2))).toBe('');
    expect(createPatches(generated, [])).toEqual([]);
  });

  it('renders streams without aliases, quoting what YAML 1.1 readers would not read as a string', () => {
    const shared = { a: 1 };

    expect(renderStream([{ x: shared, y: shared, mode: '0755', on: 'yes' }])).toBe(
      '---\nx:\n  a: 1\n"y":\n  a: 1\nmode: "0755"\n"on": "yes"\n',
    );
  });
});

// -------------------------------------------------------------------------------------------
// Round trip: apply(original, diff(original, edited)) deep-equals edited, over random documents.

/** A small deterministic PRNG (mulberry32), so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const keyOf = (x: unknown, mergeKey: string | undefined): unknown =>
  mergeKey && typeof x === 'object' && x !== null ? (x as Obj)[mergeKey] : x;

class Gen {
  readonly random: () => number;
  constructor(random: () => number) {
    this.random = random;
  }
  int(n: number): number {
    return Math.floor(this.random() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)] as T;
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
}

const fieldNames = [
  'a',
  'b',
  'spec',
  'containers',
  'env',
  'ports',
  'volumes',
  'args',
  'image',
  'value',
  'labels',
];
const itemNames = ['x', 'y', 'z', 'w'];

function scalar(g: Gen): unknown {
  return g.pick<unknown>([g.int(5), `s${g.int(5)}`, g.chance(0.5), '', 'true', 1.5]);
}

const mergeKeyOf = (field: string): string | undefined =>
  mergeKeyFor(field, 'containers', 'Deployment') ?? mergeKeyFor(field, 'spec', 'Deployment');

function value(g: Gen, field: string, depth: number): unknown {
  const mergeKey = mergeKeyOf(field);
  if (depth > 3) return scalar(g);
  const roll = g.random();
  if (mergeKey && roll < 0.8) return mergeList(g, mergeKey, depth + 1);
  if (roll < 0.35) return scalar(g);
  if (roll < 0.7) return map(g, depth + 1);
  return Array.from({ length: g.int(3) }, () => (g.chance(0.5) ? scalar(g) : map(g, depth + 1)));
}

/** Items with distinct merge keys; sometimes one without its key or with a repeated one (cannot merge). */
function mergeList(g: Gen, mergeKey: string, depth: number): Obj[] {
  const keys: unknown[] = mergeKey === 'containerPort' ? [1, 2, 3, 4] : [...itemNames];
  const items = Array.from({ length: g.int(4) }, () => {
    const o = map(g, depth);
    o[mergeKey] = keys.splice(g.int(keys.length), 1)[0];
    return o;
  });
  const [first] = items;
  if (first && g.chance(0.1)) {
    if (g.chance(0.5)) delete first[mergeKey];
    else items.push({ ...first });
  }
  return items;
}

/** A document with containers and volumes, and random other fields. */
function doc(g: Gen): Obj {
  return {
    ...map(g, 1),
    spec: { ...map(g, 2), containers: mergeList(g, 'name', 2), volumes: mergeList(g, 'name', 2) },
  };
}

function map(g: Gen, depth: number): Obj {
  const o: Obj = {};
  for (let i = g.int(4); i > 0; i--) {
    const k = g.pick(fieldNames);
    o[k] = value(g, k, depth);
  }
  return o;
}

function mutate(g: Gen, v: unknown, field: string, depth: number): unknown {
  if (Array.isArray(v)) {
    let out = v.map((x) => (g.chance(0.3) ? mutate(g, x, field, depth + 1) : structuredClone(x)));
    if (g.chance(0.3)) out = out.filter(() => g.chance(0.7));
    if (g.chance(0.3)) out.reverse();
    if (g.chance(0.3)) {
      const mergeKey = mergeKeyOf(field);
      const fresh = mergeKey ? mergeList(g, mergeKey, depth + 1)[0] : scalar(g);
      if (fresh !== undefined && !out.some((x) => deepEqual(keyOf(x, mergeKey), keyOf(fresh, mergeKey))))
        out.push(fresh);
    }
    return out;
  }
  if (typeof v === 'object' && v !== null) {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) {
      if (g.chance(0.15)) continue;
      out[k] = g.chance(0.4) ? mutate(g, x, k, depth + 1) : structuredClone(x);
    }
    if (g.chance(0.3)) {
      const k = g.pick(fieldNames);
      out[k] = value(g, k, depth + 1);
    }
    return out;
  }
  return g.chance(0.5) ? scalar(g) : value(g, field, depth);
}

describe('patch round trip (property)', () => {
  const seeds = Array.from({ length: 400 }, (_, i) => i + 1);

  it('strategic merge: apply(original, diff(original, edited)) = edited (400 seeds)', () => {
    const seen = { patches: 0, setElementOrder: 0, deletes: 0, replaces: 0 };
    for (const seed of seeds) {
      const g = new Gen(prng(seed));
      const original = doc(g);
      const edited = mutate(g, original, '', 0) as Obj;
      const ctx = { kind: 'Deployment' };

      const patch = createTwoWayMergePatch(original, edited, ctx);
      const applied = strategicMergePatch(original, patch, ctx);

      if (!deepEqual(applied, edited)) {
        expect({ seed, original, edited, patch, applied }).toEqual({
          seed,
          original,
          edited,
          patch,
          applied: edited,
        });
      }
      const json = JSON.stringify(patch);
      if (json !== '{}') seen.patches++;
      if (json.includes('$setElementOrder/')) seen.setElementOrder++;
      if (json.includes('"$patch":"delete"')) seen.deletes++;
      if (json.includes('"$patch":"replace"')) seen.replaces++;
      // And the patch survives being written and read back as YAML.
      const fromYaml = parse(renderStream([patch], { sortKeys: true }).slice(4)) as Obj;
      expect(deepEqual(strategicMergePatch(original, fromYaml ?? {}, ctx), edited)).toBe(true);
    }
    // The random documents reach every kind of list change.
    expect(seen.patches).toBeGreaterThan(250);
    expect(seen.setElementOrder).toBeGreaterThan(40);
    expect(seen.deletes).toBeGreaterThan(20);
    expect(seen.replaces).toBeGreaterThan(30);
  });

  it('JSON merge: apply(original, diff(original, edited)) = edited (400 seeds)', () => {
    for (const seed of seeds) {
      const g = new Gen(prng(seed * 7919));
      const original = doc(g);
      const edited = mutate(g, original, '', 0) as Obj;

      const patch = createJsonMergePatch(original, edited);
      const applied = jsonMergePatch(original, patch);

      if (!deepEqual(applied, edited)) {
        expect({ seed, original, edited, patch, applied }).toEqual({
          seed,
          original,
          edited,
          patch,
          applied: edited,
        });
      }
    }
  });

  it('whole files: applyPatchFile(generated, createPatchFile(generated, edited)) = edited', () => {
    for (const seed of seeds.slice(0, 100)) {
      const g = new Gen(prng(seed * 104729));
      const edited = generated.map((r) => {
        const object = structuredClone(r.object);
        if (g.chance(0.6)) object.spec = mutate(g, object.spec ?? {}, 'spec', 0);
        if (g.chance(0.3)) (object.metadata as Obj).labels = map(g, 2);
        return res(object);
      });

      const text = createPatchFile(generated, edited);
      const applied = applyPatchFile(generated, text, { file: 'p.yaml' });

      expect(applied.map((p) => p.object)).toEqual(edited.map((r) => r.object));
    }
  });
});
