import { describe, expect, it } from 'vitest';
import { DuplicateResourceError, InvalidManifestError, ManifestParseError } from './errors.ts';
import { parseManifests } from './parse.ts';

const deployment = (name: string, namespace?: string): string =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n${namespace ? `  namespace: ${namespace}\n` : ''}spec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.19\n`;

describe('parseManifests', () => {
  it('reads every document of a stream with IDs, lines and containers', () => {
    const text = `# lead\n---\n${deployment('a')}---\n${deployment('b', 'prod')}`;

    const { resources, errors } = parseManifests(text, 'apps.yaml');

    expect(errors).toEqual([]);
    expect(resources.map((r) => [r.id.toString(), r.file, r.line])).toEqual([
      ['default:deployment/a', 'apps.yaml', 3],
      ['prod:deployment/b', 'apps.yaml', 14],
    ]);
    expect(resources[0]?.containers).toEqual([
      {
        name: 'app',
        image: 'nginx:1.19',
        ref: expect.objectContaining({ path: 'nginx', tag: '1.19' }),
        kind: 'container',
      },
    ]);
  });

  it('uses the default namespace and knows cluster-scoped kinds, including CRDs in the same set', () => {
    const text = [
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n  namespace: ignored\n',
      'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.acme.io\nspec:\n  group: acme.io\n  scope: Cluster\n  names: {kind: Widget, plural: widgets}\n  versions: [{name: v1, served: true, storage: true}]\n',
      'apiVersion: acme.io/v1\nkind: Widget\nmetadata:\n  name: w\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n',
    ].join('---\n');

    const ids = parseManifests(text, 'x.yaml', { defaultNamespace: 'team' }).resources.map((r) =>
      r.id.toString(),
    );

    expect(ids).toEqual([
      '<cluster>:namespace/team',
      '<cluster>:customresourcedefinition/widgets.acme.io',
      '<cluster>:widget/w',
      'team:configmap/c',
    ]);
  });

  it('lets injected discovery decide scope', () => {
    const text = 'apiVersion: acme.io/v1\nkind: Gadget\nmetadata:\n  name: g\n  namespace: x\n';

    const [resource] = parseManifests(text, 'g.yaml', { isNamespaced: () => false }).resources;

    expect(resource?.id.toString()).toBe('<cluster>:gadget/g');
  });

  it('treats the items of a List as resources with their own lines', () => {
    const text =
      'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: one}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: two}\n';

    const { resources } = parseManifests(text, 'list.yaml');

    expect(resources.map((r) => [r.id.toString(), r.line])).toEqual([
      ['default:configmap/one', 4],
      ['default:configmap/two', 7],
    ]);
  });

  it('reports a broken document with file, line and column, and keeps the others', () => {
    const text = `${deployment('good')}---\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n`;

    const { resources, errors } = parseManifests(text, 'mixed.yaml');

    expect(resources.map((r) => r.name)).toEqual(['good']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ManifestParseError);
    expect(errors[0]?.message).toMatch(/^mixed\.yaml:15:\d+: cannot parse YAML: /);
    expect(errors[0]?.help).toContain('mixed.yaml');
  });

  it('skips documents that are not Kubernetes objects, saying why', () => {
    const text = 'just: values\n---\n- a\n- b\n---\n# only a comment\n---\nplain scalar\n';

    const { resources, errors, skipped } = parseManifests(text, 'values.yaml');

    expect(resources).toEqual([]);
    expect(errors).toEqual([]);
    expect(skipped.map((s) => [s.position.line, s.reason])).toEqual([
      [1, 'not a Kubernetes object (no kind)'],
      [3, 'not a Kubernetes object (no kind)'],
      [8, 'not a Kubernetes object (no kind)'],
    ]);
  });

  it('reports objects without name or apiVersion, and duplicates naming both places', () => {
    const text = `kind: Deployment\nmetadata:\n  name: x\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {}\n---\n${deployment('d')}---\n${deployment('d')}`;

    const { resources, errors } = parseManifests(text, 'dup.yaml');

    expect(resources.map((r) => r.name)).toEqual(['d']);
    expect(errors.map((e) => e.constructor)).toEqual([
      InvalidManifestError,
      InvalidManifestError,
      DuplicateResourceError,
    ]);
    expect(errors[2]?.message).toBe(
      "duplicate definition of 'default:deployment/d' (in dup.yaml:9:1 and dup.yaml:20:1)",
    );
  });

  it('reads JSON', () => {
    const text = '{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "n"}}';

    expect(parseManifests(text, 's.json').resources[0]?.id.toString()).toBe('n:service/s');
  });
});

describe('parseManifests: keys given twice', () => {
  it('loads the object with the last value, and warns naming file, line and key', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: "1"\n  a: "2"\n';
    const parsed = parseManifests(text, 'cfg.yaml');
    expect(parsed.errors).toEqual([]);
    expect(parsed.resources).toHaveLength(1);
    expect(parsed.warnings).toEqual([
      {
        position: { file: 'cfg.yaml', line: 7, column: 3 },
        reason: "key 'a' is given twice; the last value is used",
      },
    ]);
  });
});
