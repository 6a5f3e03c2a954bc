import { describe, expect, it } from 'vitest';
import { formatTable } from './tabwriter.ts';

describe('formatTable', () => {
  it('pads terminated cells to the widest in the block plus two', () => {
    const out = formatTable([
      'WORKLOAD\tCONTAINER\tIMAGE\tRELEASE\tPOLICY',
      'default:deployment/helloworld\thelloworld\tquay.io/weaveworks/helloworld:master-a000001\tready\tautomated',
    ]);

    expect(out).toBe(
      'WORKLOAD                       CONTAINER   IMAGE                                         RELEASE  POLICY\n' +
        'default:deployment/helloworld  helloworld  quay.io/weaveworks/helloworld:master-a000001  ready    automated\n',
    );
  });

  it('keeps trailing spaces of empty terminated cells and ends a block at a shorter line', () => {
    const out = formatTable(['a\t\tc', 'bb\t\t', 'x', 'yyy\tz']);

    expect(out).toBe('a     c\nbb    \nx\nyyy  z\n');
  });

  it('counts runes, not UTF-16 units', () => {
    expect(formatTable(['é\tx', 'ab\ty'])).toBe('é   x\nab  y\n');
  });
});
