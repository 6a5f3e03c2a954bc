import { FluxError } from '@flux-ts/core';
import { describe, expect, it } from 'vitest';
import {
  cleanExported,
  ExportDecodeError,
  saveDocument,
  saveMessage,
  savePath,
  saveToStdout,
} from './save.ts';

const stream = `---
apiVersion: v1
kind: Namespace
metadata:
  name: demo
  uid: 1234
  creationTimestamp: "2020-01-01T00:00:00Z"
spec:
  finalizers:
  - kubernetes
status:
  phase: Active
---
apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    deployment.kubernetes.io/revision: "3"
    kubectl.kubernetes.io/last-applied-configuration: '{"big":"json"}'
    kubernetes.io/change-cause: kubectl apply
    fluxcd.io/automated: "true"
    fluxcd.io/tag.podinfod: semver:~3.1
  labels:
    app: podinfo
    version: 0x1F
  name: podinfo
  namespace: demo
  resourceVersion: "999"
  generation: 4
spec:
  replicas: 1
  selector:
    matchLabels:
      app: podinfo
  strategy: {}
  revisionHistoryLimit: null
  template:
    metadata:
      creationTimestamp: null
      labels:
        app: podinfo
    spec:
      containers:
      - name: podinfod
        image: stefanprodan/podinfo:3.1.0
        args: []
        env:
        - name: EMPTY
          value: ""
        - name: FLAG
          value: "on"
        resources: {}
        command:
        - ./podinfo
        - --port=9898
      dnsPolicy: ClusterFirst
      securityContext: {}
status:
  replicas: 1
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
  namespace: kube-x
  annotations:
    deployment.kubernetes.io/revision: "1"
spec:
  template:
    spec:
      nodeSelector:
        empty: null
`;

describe('cleanExported', () => {
  const objs = cleanExported(stream);

  it('keeps the identity of each object', () => {
    expect(objs.map(({ kind, name, namespace }) => ({ kind, name, namespace }))).toEqual([
      { kind: 'Namespace', name: 'demo', namespace: '' },
      { kind: 'Deployment', name: 'podinfo', namespace: 'demo' },
      { kind: 'DaemonSet', name: 'agent', namespace: 'kube-x' },
    ]);
  });

  it('keeps only what belongs in git, in yaml.v2 layout', () => {
    expect(objs[0]?.text).toBe(
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\nspec:\n  finalizers:\n  - kubernetes\n',
    );
    expect(objs[1]?.text).toBe(
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  annotations:',
        '    fluxcd.io/automated: "true"',
        '    fluxcd.io/tag.podinfod: semver:~3.1',
        '  labels:',
        '    app: podinfo',
        '    version: "0x1F"',
        '  name: podinfo',
        '  namespace: demo',
        'spec:',
        '  replicas: 1',
        '  selector:',
        '    matchLabels:',
        '      app: podinfo',
        '  template:',
        '    metadata:',
        '      labels:',
        '        app: podinfo',
        '    spec:',
        '      containers:',
        '      - command:',
        '        - ./podinfo',
        '        - --port=9898',
        '        env:',
        '        - name: EMPTY',
        '          value: ""',
        '        - name: FLAG',
        '          value: "on"',
        '        image: stefanprodan/podinfo:3.1.0',
        '        name: podinfod',
        '      dnsPolicy: ClusterFirst',
        '',
      ].join('\n'),
    );
  });

  it('drops a map emptied by the cleaning only on the next level up, as Flux v1 does', () => {
    // nodeSelector loses its null entry but stays as {}; metadata.annotations is left out when emptied.
    expect(objs[2]?.text).toBe(
      'apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: agent\n  namespace: kube-x\nspec:\n  template:\n    spec:\n      nodeSelector: {}\n',
    );
  });

  it('skips empty documents and rejects what does not parse', () => {
    expect(cleanExported('---\n---\n')).toEqual([]);
    expect(cleanExported('')).toEqual([]);
    expect(() => cleanExported('a: [\n')).toThrow(ExportDecodeError);
    expect(() => cleanExported('- a\n')).toThrow(FluxError);
  });

  it('writes long and multi-line strings without folding', () => {
    const long = 'x '.repeat(60).trim();
    const [obj] = cleanExported(
      `kind: ConfigMap\nmetadata:\n  name: c\nspec:\n  long: ${long}\n  script: |\n    echo a\n    echo b\n`,
    );
    expect(obj?.text).toBe(
      `kind: ConfigMap\nmetadata:\n  name: c\nspec:\n  long: ${long}\n  script: |\n    echo a\n    echo b\n`,
    );
  });
});

describe('savePath and output', () => {
  it('names files as Flux v1 does', () => {
    expect(savePath({ kind: 'Namespace', name: 'demo', namespace: '' }, 'out')).toBe('out/demo-ns.yaml');
    expect(savePath({ kind: 'Deployment', name: 'podinfo', namespace: 'demo' }, 'out/')).toBe(
      'out/demo/podinfo-dep.yaml',
    );
    expect(savePath({ kind: 'DaemonSet', name: 'foo', namespace: 'demo' }, './out')).toBe(
      'out/demo/foo-DaemonSet.yaml',
    );
  });

  it('prints each object after a document separator', () => {
    const objs = cleanExported(stream);
    expect(saveToStdout(objs)).toBe(objs.map((o) => `---\n${o.text}`).join(''));
    expect(saveToStdout(objs).startsWith('---\napiVersion: v1\nkind: Namespace\n')).toBe(true);
    expect(saveDocument({ text: 'a: 1\n' })).toBe('---\na: 1\n');
    expect(saveMessage({ kind: 'Deployment', name: 'podinfo' }, 'out/demo/podinfo-dep.yaml')).toBe(
      "Saving Deployment 'podinfo' to out/demo/podinfo-dep.yaml\n",
    );
  });
});
