import type { Logger } from '@flux-ts/core';
import { describe, expect, it } from 'vitest';
import { type Event, eventJson, eventText, eventTime, goQuote, shortRevision } from './event.ts';
import { logEventSink } from './event-sink.ts';

const base = {
  id: 0,
  startedAt: '2020-01-01T00:00:00Z',
  endedAt: '2020-01-01T00:00:01Z',
  logLevel: 'info',
} as const;

const revA = 'aaaaaaa1111111111111111111111111111111111';
const revB = 'bbbbbbb2222222222222222222222222222222222';
const revC = 'ccccccc3333333333333333333333333333333333';

describe('eventText', () => {
  it('sync: one or two commits show the newest, more show oldest..newest; ids sorted', () => {
    const sync = (commits: string[], ids: string[]): Event => ({
      ...base,
      type: 'sync',
      serviceIDs: ids,
      metadata: { commits: commits.map((revision) => ({ revision, message: 'm' })) },
    });
    expect(eventText(sync([revA], ['ns:deployment/b', 'ns:deployment/a']))).toBe(
      'Sync: aaaaaaa, ns:deployment/a, ns:deployment/b',
    );
    expect(eventText(sync([revB, revA], []))).toBe('Sync: bbbbbbb, no workloads changed');
    expect(eventText(sync([revC, revB, revA], ['x:deployment/y']))).toBe(
      'Sync: aaaaaaa..ccccccc, x:deployment/y',
    );
    expect(eventText(sync([], []))).toBe('Sync: <no revision>, no workloads changed');
    expect(
      eventText({ ...base, type: 'sync', serviceIDs: [], metadata: { revisions: ['1234567890'] } }),
    ).toBe('Sync: 1234567, no workloads changed');
  });

  it('commit', () => {
    expect(
      eventText({
        ...base,
        type: 'commit',
        serviceIDs: ['b:deployment/x', 'a:deployment/x'],
        metadata: { revision: revA },
      }),
    ).toBe('Commit: aaaaaaa, a:deployment/x, b:deployment/x');
    expect(eventText({ ...base, type: 'commit', serviceIDs: [], metadata: { revision: 'abc' } })).toBe(
      'Commit: abc, <no changes>',
    );
  });

  const result = {
    'default:deployment/a': {
      Status: 'success',
      PerContainer: [
        { Container: 'c', Current: 'repo/a:1', Target: 'repo/a:2' },
        { Container: 'd', Current: 'repo/z:1', Target: 'repo/z:2' },
      ],
    },
    'default:deployment/b': {
      Status: 'success',
      PerContainer: [{ Container: 'c', Current: 'repo/a:1', Target: 'repo/a:2' }],
    },
    'default:deployment/c': {
      Status: 'failed',
      Error: 'boom',
      PerContainer: [{ Container: 'c', Current: 'repo/q:1', Target: 'repo/q:2' }],
    },
  };

  it('release: images of successful workloads, sorted and deduplicated; user and quoted message', () => {
    const event: Event = {
      ...base,
      type: 'release',
      serviceIDs: ['default:deployment/b', 'default:deployment/a'],
      metadata: {
        Revision: revA,
        result,
        spec: {
          Type: 'releaseImageSpecType',
          ReleaseImageSpec: {
            ServiceSpecs: ['default:deployment/a'],
            ImageSpec: 'repo/a:2',
            Kind: 'execute',
            Excludes: null,
            Force: false,
          },
          ReleaseContainersSpec: null,
        },
        cause: { User: 'jane', Message: 'ship "it"\n' },
      },
    };
    expect(eventText(event)).toBe(
      'Released: repo/a:2, repo/z:2 to default:deployment/a, default:deployment/b, by jane, with message "ship \\"it\\"\\n"',
    );
  });

  it('release to <all>, with no changes, no user and no message', () => {
    const event: Event = {
      ...base,
      type: 'release',
      serviceIDs: [],
      metadata: {
        Revision: revA,
        result: null,
        spec: {
          Type: '',
          ReleaseImageSpec: {
            ServiceSpecs: ['<all>'],
            ImageSpec: '<all latest>',
            Kind: 'execute',
            Excludes: null,
            Force: false,
          },
          ReleaseContainersSpec: null,
        },
        cause: { User: '', Message: '' },
      },
    };
    expect(eventText(event)).toBe('Released: no image changes to all workloads');
    const containers: Event = {
      ...event,
      metadata: {
        ...event.metadata,
        spec: {
          Type: 'releaseContainersSpecType',
          ReleaseImageSpec: null,
          ReleaseContainersSpec: { Kind: 'execute', ContainerSpecs: {}, SkipMismatches: false, Force: false },
        },
      },
    };
    expect(eventText(containers)).toBe('Released: no image changes to no workloads');
  });

  it('autorelease', () => {
    expect(
      eventText({
        ...base,
        type: 'autorelease',
        serviceIDs: [],
        metadata: { Revision: revA, result, spec: { Changes: [] } },
      }),
    ).toBe('Automated release of repo/a:2, repo/z:2');
    expect(
      eventText({
        ...base,
        type: 'autorelease',
        serviceIDs: [],
        metadata: { Revision: revA, result: {}, spec: { Changes: [] } },
      }),
    ).toBe('Automated release of no image changes');
  });

  it('policy events', () => {
    const ids = ['b:deployment/x', 'a:deployment/x'];
    expect(eventText({ ...base, type: 'automate', serviceIDs: ids })).toBe(
      'Automated: a:deployment/x, b:deployment/x',
    );
    expect(eventText({ ...base, type: 'deautomate', serviceIDs: ids })).toBe(
      'Deautomated: a:deployment/x, b:deployment/x',
    );
    expect(eventText({ ...base, type: 'lock', serviceIDs: ids })).toBe(
      'Locked: a:deployment/x, b:deployment/x',
    );
    expect(eventText({ ...base, type: 'unlock', serviceIDs: ids })).toBe(
      'Unlocked: a:deployment/x, b:deployment/x',
    );
    expect(eventText({ ...base, type: 'update_policy', serviceIDs: ids })).toBe(
      'Updated policies: a:deployment/x, b:deployment/x',
    );
  });

  it('a message wins over the metadata', () => {
    expect(eventText({ ...base, type: 'lock', serviceIDs: ['a:b/c'], message: 'hello' })).toBe('hello');
  });
});

describe('helpers', () => {
  it('shortRevision keeps short revisions', () => {
    expect(shortRevision('abc')).toBe('abc');
    expect(shortRevision('1234567890')).toBe('1234567');
  });

  it('goQuote escapes like Go %q', () => {
    expect(goQuote('a"b\\c\td\x01é\u2028')).toBe('"a\\"b\\\\c\\td\\x01é\\u2028"');
  });

  it('eventTime is RFC3339Nano', () => {
    expect(eventTime(new Date(Date.UTC(2020, 0, 2, 3, 4, 5, 120)))).toBe('2020-01-02T03:04:05.12Z');
    expect(eventTime(new Date(Date.UTC(2020, 0, 2, 3, 4, 5)))).toBe('2020-01-02T03:04:05Z');
  });

  it('eventJson keeps Flux v1 field order and omits empty message/metadata', () => {
    const json = eventJson({ ...base, type: 'lock', serviceIDs: ['a:b/c'], message: '' });
    expect(JSON.stringify(json)).toBe(
      '{"id":0,"serviceIDs":["a:b/c"],"type":"lock","startedAt":"2020-01-01T00:00:00Z","endedAt":"2020-01-01T00:00:01Z","logLevel":"info"}',
    );
  });
});

describe('logEventSink', () => {
  it('logs event=<text> logupstream=false', async () => {
    const lines: Array<[Record<string, unknown>, string]> = [];
    const record = (fields: Record<string, unknown>, msg: string): void => {
      lines.push([fields, msg]);
    };
    const logger: Logger = { debug: record, info: record, warn: record, error: record, child: () => logger };
    await logEventSink(logger).logEvent({ ...base, type: 'lock', serviceIDs: ['a:b/c'] });
    expect(lines).toEqual([[{ event: 'Locked: a:b/c', logupstream: false }, 'event']]);
  });
});
