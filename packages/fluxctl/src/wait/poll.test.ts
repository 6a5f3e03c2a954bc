import {
  type ChangeJson,
  type FluxApi,
  type GitConfigJson,
  type JobStatusJson,
  ManualClock,
  type ResourceErrorJson,
} from '@flux-ts/core';
import { describe, expect, it } from 'vitest';
import {
  awaitJob,
  awaitSync,
  JobFailedError,
  loadErrorsOf,
  RevisionNotAppliedError,
  retryRepository,
  WaitTimeoutError,
} from './poll.ts';

function api(
  statuses: JobStatusJson[],
  pending: string[][] = [],
  syncErrors: ResourceErrorJson[] = [],
): FluxApi {
  return {
    jobStatus: async () => statuses.shift() ?? { Result: {}, Err: '', StatusString: 'running' },
    syncStatus: async () => pending.shift() ?? ['abc'],
    syncErrors: async () => syncErrors,
  } as unknown as FluxApi;
}

async function drive<T>(clock: ManualClock, promise: Promise<T>): Promise<T> {
  let done = false;
  const p = promise.finally(() => {
    done = true;
  });
  while (!done) {
    await new Promise((r) => setImmediate(r));
    if (!done) await clock.advance(100);
  }
  return p;
}

describe('awaitJob', () => {
  it('polls until the job succeeds, backing off from 100 ms', async () => {
    const clock = new ManualClock();
    const start = clock.now();
    const status = await drive(
      clock,
      awaitJob(
        api([
          { Result: {}, Err: '', StatusString: 'queued' },
          { Result: {}, Err: '', StatusString: 'running' },
          { Result: { revision: 'abc' }, Err: '', StatusString: 'succeeded' },
        ]),
        'id',
        { timeoutMs: 60_000, clock },
      ),
    );
    expect(status.Result.revision).toBe('abc');
    expect(clock.now() - start).toBe(300); // 100 + 200
  });

  it('turns a failed job into an error that keeps its result', async () => {
    const clock = new ManualClock();
    const failed = {
      Result: { revision: 'def' },
      Err: 'no changes made in repo',
      StatusString: 'failed' as const,
    };
    const err = await drive(
      clock,
      awaitJob(api([failed]), 'id', { timeoutMs: 1000, clock }).catch((e) => e),
    );
    expect(err).toBeInstanceOf(JobFailedError);
    expect((err as JobFailedError).message).toBe('no changes made in repo');
    expect((err as JobFailedError).status.Result.revision).toBe('def');
  });

  it('gives up after --timeout', async () => {
    const clock = new ManualClock();
    const err = await drive(
      clock,
      awaitJob(api([]), 'id', { timeoutMs: 2_000, clock }).catch((e) => e),
    );
    expect(err).toBeInstanceOf(WaitTimeoutError);
  });
});

describe('awaitSync', () => {
  it('polls until the revision is applied', async () => {
    const clock = new ManualClock();
    const start = clock.now();
    await drive(clock, awaitSync(api([], [['a'], ['a'], []]), 'abc1234', { timeoutMs: 60_000, clock }));
    expect(clock.now() - start).toBe(3_000); // 1 s + 2 s
  });

  it('stops at once when fluxd could not load files of that revision, naming them', async () => {
    const clock = new ManualClock();
    const errors: ResourceErrorJson[] = [
      { ID: 'demo:deployment/web', Path: 'web.yaml', Error: 'apply failed', Revision: 'abc1234ff' },
      { ID: '', Path: 'bad.yaml', Error: 'bad.yaml:3:1: cannot parse YAML', Revision: 'abc1234ff' },
      { ID: '', Path: 'old.yaml', Error: 'old.yaml:1:1: cannot parse YAML', Revision: 'def5678aa' },
    ];
    const err = await drive(
      clock,
      awaitSync(api([], [['a']], errors), 'abc1234', { timeoutMs: 60_000, clock }).catch((e: unknown) => e),
    );
    expect(err).toBeInstanceOf(RevisionNotAppliedError);
    expect((err as Error).message).toBe(
      'abc1234 is not applied: a manifest did not load:\n  bad.yaml:3:1: cannot parse YAML',
    );
  });
});

describe('loadErrorsOf', () => {
  it('counts only the load errors of that revision, not apply failures or a refused garbage collection', async () => {
    const rev = 'abcdef1234567890';
    const errors = await loadErrorsOf(
      api(
        [],
        [],
        [
          { ID: '', Path: 'broken.yaml', Error: 'yaml: line 3', Revision: rev, Stage: 'load' },
          { ID: '', Path: 'old.yaml', Error: 'older flux-ts: no Stage', Revision: rev },
          { ID: 'ns:deployment/a', Path: 'a.yaml', Error: 'invalid', Revision: rev, Stage: 'apply' },
          { ID: '', Path: '', Error: 'garbage collection refused: 2 objects', Revision: rev, Stage: 'gc' },
          { ID: '', Path: 'other.yaml', Error: 'another revision', Revision: 'ffff', Stage: 'load' },
        ],
      ),
      'abcdef1',
    );
    expect(errors.map((e) => e.Path)).toEqual(['broken.yaml', 'old.yaml']);
  });
});

describe('retryRepository', () => {
  const config = (status: GitConfigJson['status'], errors = ''): GitConfigJson => ({
    remote: { url: 'ssh://git@example.com/config', branch: 'main', path: '' },
    publicSSHKey: { key: '', fingerprints: null },
    status,
    errors,
  });
  function repoApi(statuses: GitConfigJson['status'][]) {
    const notified: ChangeJson[] = [];
    const fake = {
      notifyChange: async (change: ChangeJson) => {
        notified.push(change);
      },
      gitRepoConfig: async () => config(statuses.shift() ?? 'new', 'Permission denied (publickey)'),
    } as unknown as FluxApi;
    return { fake, notified };
  }

  it('asks fluxd to try the repository now and returns once it is ready', async () => {
    const clock = new ManualClock();
    const start = clock.now();
    const { fake, notified } = repoApi(['new', 'ready']);
    const got = await drive(clock, retryRepository(fake, config('new'), { timeoutMs: 60_000, clock }));
    expect(got.status).toBe('ready');
    expect(notified).toEqual([
      { Kind: 'git', Source: { URL: 'ssh://git@example.com/config', Branch: 'main' } },
    ]);
    // Two polls 250 ms apart (the test clock moves in 100 ms steps).
    expect(clock.now() - start).toBeLessThanOrEqual(600);
  });

  it('gives up after a few seconds with the last error, not the whole --timeout', async () => {
    const clock = new ManualClock();
    const start = clock.now();
    const { fake } = repoApi([]);
    const got = await drive(clock, retryRepository(fake, config('new'), { timeoutMs: 60_000, clock }));
    expect(got).toMatchObject({ status: 'new', errors: 'Permission denied (publickey)' });
    expect(clock.now() - start).toBeGreaterThanOrEqual(4_500);
    expect(clock.now() - start).toBeLessThanOrEqual(5_000);
  });

  it('does nothing for a ready or unconfigured repository', async () => {
    const { fake, notified } = repoApi([]);
    for (const status of ['ready', 'unconfigured'] as const) {
      expect((await retryRepository(fake, config(status), { timeoutMs: 1_000 })).status).toBe(status);
    }
    expect(notified).toEqual([]);
  });

  it('still waits when fluxd has no notify route (a 404 from an old fluxd)', async () => {
    const clock = new ManualClock();
    const fake = {
      notifyChange: async () => {
        throw Object.assign(new Error('404'), { status: 404 });
      },
      gitRepoConfig: async () => config('ready'),
    } as unknown as FluxApi;
    const got = await drive(clock, retryRepository(fake, config('new'), { timeoutMs: 60_000, clock }));
    expect(got.status).toBe('ready');
  });
});
