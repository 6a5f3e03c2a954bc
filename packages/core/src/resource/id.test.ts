import { describe, expect, it } from 'vitest';
import { formatResourceId, InvalidResourceIdError, parseResourceId, ResourceId } from './id.ts';

describe('parseResourceId', () => {
  it.each`
    input                              | namespace        | kind             | name
    ${'default:deployment/helloworld'} | ${'default'}     | ${'deployment'}  | ${'helloworld'}
    ${'default:Deployment/helloworld'} | ${'default'}     | ${'deployment'}  | ${'helloworld'}
    ${'<cluster>:namespace/demo'}      | ${'<cluster>'}   | ${'namespace'}   | ${'demo'}
    ${'kube-system:helmrelease/a.b:c'} | ${'kube-system'} | ${'helmrelease'} | ${'a.b:c'}
    ${'demo/legacy'}                   | ${'demo'}        | ${'service'}     | ${'legacy'}
  `('$input', ({ input, namespace, kind, name }) => {
    const id = parseResourceId(input);

    expect({ namespace: id.namespace, kind: id.kind, name: id.name }).toEqual({ namespace, kind, name });
  });

  it.each(['', 'default:deployment', 'deployment/x/y', 'a b:c/d', 'ns:kind/'])(
    'rejects %j with a usable message',
    (input) => {
      expect(() => parseResourceId(input)).toThrow(InvalidResourceIdError);
      expect(() => parseResourceId(input)).toThrow(`invalid resource ID "${input}"`);
    },
  );

  it('formats, compares and serialises as the string form', () => {
    const id = new ResourceId('default', 'Deployment', 'web');

    expect(id.toString()).toBe('default:deployment/web');
    expect(id.equals('default:deployment/web')).toBe(true);
    expect(JSON.stringify({ id })).toBe('{"id":"default:deployment/web"}');
    expect(formatResourceId(undefined, 'ClusterRole', 'admin')).toBe('<cluster>:clusterrole/admin');
    expect(new ResourceId('', 'Namespace', 'x').clusterScoped).toBe(true);
  });
});
