import { describe, expect, it } from 'vitest';
import { formatWhy } from './why-table.ts';

describe('formatWhy', () => {
  it('golden: one row per tag, the platform reason for a tag without our platform', () => {
    const out = formatWhy([
      {
        ID: 'demo:deployment/multi',
        Container: 'multi',
        Image: 'registry.example.com/team/multi:1.1.0',
        Filter: 'glob:*',
        Tags: [
          { Tag: '1.1.0', CreatedAt: '2024-02-01T00:00:00Z', Verdict: 'current', Detail: 'running now' },
          {
            Tag: '1.0.0',
            CreatedAt: '2024-01-01T00:00:00Z',
            Verdict: 'not-newer',
            Detail: 'not newer than 1.1.0 under glob:*',
          },
          {
            Tag: '1.2.0',
            Verdict: 'platform',
            Detail: 'no image for linux/amd64 (it has linux/arm64/v8, linux/s390x)',
          },
        ],
      },
    ]);
    expect(out).toBe(
      [
        'demo:deployment/multi multi: registry.example.com/team/multi:1.1.0 (filter glob:*)',
        '     TAG    CREATED              VERDICT    REASON',
        "'->  1.1.0  01 Feb 24 00:00 UTC  current    running now",
        '     1.0.0  01 Jan 24 00:00 UTC  not-newer  not newer than 1.1.0 under glob:*',
        '     1.2.0                       platform   no image for linux/amd64 (it has linux/arm64/v8, linux/s390x)',
        '',
      ].join('\n'),
    );
  });

  it('says what blocks automation and why no tags are known', () => {
    const out = formatWhy([
      {
        ID: 'demo:deployment/a',
        Container: 'c',
        Image: 'x:1',
        Filter: 'glob:*',
        Blocked: 'the workload is locked',
        Error: 'the repository has not been scanned yet',
        Tags: [],
      },
    ]);
    expect(out.split('\n').slice(0, 3)).toEqual([
      'demo:deployment/a c: x:1 (filter glob:*)',
      'automation does not apply: the workload is locked',
      'no tags known: the repository has not been scanned yet',
    ]);
  });
});
