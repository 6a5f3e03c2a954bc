import { randomUUID } from 'node:crypto';
import type { LogFields, Logger, ManualClock } from '@flux-ts/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { imageKey, repoKey, tagKey } from './keys.ts';
import type { CacheStore } from './store.ts';

/** What {@link cacheStoreConformance}'s factory returns for each test. */
export interface CacheStoreHarness {
  /** A fresh, open store; the suite closes it after the test. */
  store: CacheStore;
  /** The clock the store was given; the suite moves it to test expiry. */
  clock: ManualClock;
  /**
   * For persistent backends: closes the store returned last (by the factory or an earlier
   * `restart`) and opens a new one over the same data and clock, as a daemon restart would.
   */
  restart?: () => Promise<CacheStore>;
}

/** One line logged through a {@link RecordingLogger}. */
export interface LoggedLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: LogFields;
  message: string;
}

/** A {@link Logger} that keeps what it is given, for asserting "one warning per outage". */
export interface RecordingLogger extends Logger {
  readonly lines: LoggedLine[];
  /** The lines at `level`. */
  at(level: LoggedLine['level']): LoggedLine[];
}

/** Makes a {@link RecordingLogger}; `child` loggers record into the same list. */
export function createRecordingLogger(): RecordingLogger {
  const lines: LoggedLine[] = [];
  const make = (bindings: LogFields): RecordingLogger => {
    const log =
      (level: LoggedLine['level']) =>
      (fields: LogFields, message: string): void => {
        lines.push({ level, fields: { ...bindings, ...fields }, message });
      };
    return {
      lines,
      at: (level) => lines.filter((l) => l.level === level),
      debug: log('debug'),
      info: log('info'),
      warn: log('warn'),
      error: log('error'),
      child: (more) => make({ ...bindings, ...more }),
    };
  };
  return make({});
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const imageInfo = {
  ID: 'index.docker.io/library/alpine:3.19',
  Digest: 'sha256:6457d53fb065d6f250e1504b9bc42d5b6c65941d57532c072d929dd0628977d0',
  ImageID: 'sha256:05455a08881ea9cf0e752bc48e61bbd71a34c029bb13df01e40e3e70e0d007bd',
  Labels: { 'org.opencontainers.image.created': '2024-01-27T00:00:00Z' },
  CreatedAt: '2024-01-26T23:44:51.843Z',
  LastFetched: '2024-02-01T10:00:00Z',
};

/** Values every backend must hand back unchanged. */
const roundTrips: { label: string; value: unknown }[] = [
  { label: 'an image info object', value: imageInfo },
  {
    label: 'an excluded entry',
    value: { ExcludedReason: 'no suitable manifest (linux amd64) in manifestlist' },
  },
  { label: 'a digest string', value: 'sha256:abc' },
  { label: 'a string starting with ":"', value: ':colon' },
  { label: 'a ":base64:" string', value: ':base64:aGk=' },
  { label: 'an empty string', value: '' },
  { label: 'unicode text', value: 'ünïcødé ✓ 🐳 \u0000\n' },
  { label: 'zero', value: 0 },
  { label: 'a negative float', value: -1.5 },
  { label: 'false', value: false },
  { label: 'null', value: null },
  { label: 'an empty object', value: {} },
  { label: 'an array with nulls', value: [1, 'a', null, { b: [] }] },
];

const unsafeKeys: { label: string; key: string }[] = [
  { label: 'a 1,000-character key', key: `flux-ts:v1|tag|registry.example.com/${'a/'.repeat(500)}` },
  { label: 'a key with spaces', key: 'flux-ts:v1|tag|a b c|latest' },
  { label: 'a key with control characters', key: 'flux-ts:v1|tag|a\nb\r\tc\u0000\u007f' },
  { label: 'a non-ASCII key', key: 'flux-ts:v1|tag|régistry/ïmage|tåg-🐳' },
  { label: 'a key with "#", "|" and "%"', key: 'flux-ts:v1|tag|a#b|c%7Cd' },
  { label: 'an empty key', key: '' },
];

/**
 * Declares the `CacheStore` contract as vitest tests for one backend. `factory` is called
 * before every test. Keys get a per-test random part, so a shared backend (one memcached for the
 * whole file) needs no flushing between tests.
 */
export function cacheStoreConformance(
  name: string,
  factory: () => Promise<CacheStoreHarness>,
  options: { persistent?: boolean } = {},
): void {
  describe(`CacheStore conformance: ${name}`, () => {
    let harness: CacheStoreHarness;
    let store: CacheStore;
    let clock: ManualClock;
    let ns: string;
    const key = (tag: string): string => tagKey(`conformance.test/${ns}/app`, tag);
    const restart = async (): Promise<void> => {
      if (harness.restart === undefined) throw new Error('no restart');
      store = await harness.restart();
    };

    beforeEach(async () => {
      harness = await factory();
      store = harness.store;
      clock = harness.clock;
      ns = randomUUID().slice(0, 8);
    });
    afterEach(async () => {
      await store.close();
    });

    it('misses a key that was never set', async () => {
      expect(await store.get(key('never'))).toBeUndefined();
      expect(store.healthy).toBe(true);
    });

    it.each(roundTrips)('round-trips $label with its refreshAt', async ({ value }) => {
      const refreshAt = clock.now() + 10 * MINUTE;

      await store.set(key('v'), value, { refreshAt });

      expect(await store.get(key('v'))).toEqual({ value, refreshAt });
    });

    it('returns a Date as its ISO-8601 string (values go through JSON)', async () => {
      const created = new Date(Date.UTC(2024, 0, 26, 23, 44, 51, 843));

      await store.set(key('date'), { created }, { refreshAt: clock.now() + HOUR });

      expect(await store.get(key('date'))).toEqual({
        value: { created: '2024-01-26T23:44:51.843Z' },
        refreshAt: clock.now() + HOUR,
      });
    });

    it.each([
      { label: 'undefined', value: undefined },
      { label: 'a function', value: () => 1 },
      { label: 'a BigInt', value: 10n },
      {
        label: 'a cycle',
        value: ((): unknown => {
          const o: Record<string, unknown> = {};
          o.self = o;
          return o;
        })(),
      },
    ])('rejects $label as a value', async ({ value }) => {
      await expect(store.set(key('bad'), value, { refreshAt: clock.now() })).rejects.toThrow(TypeError);

      expect(await store.get(key('bad'))).toBeUndefined();
    });

    it('rejects a deadline that is not a number', async () => {
      await expect(store.set(key('nan'), 1, { refreshAt: Number.NaN })).rejects.toThrow(RangeError);
      await expect(
        store.set(key('nan'), 1, { refreshAt: clock.now(), expireAt: Number.POSITIVE_INFINITY }),
      ).rejects.toThrow(RangeError);
    });

    it('returns an entry past its refreshAt (the caller refetches) until it expires', async () => {
      const refreshAt = clock.now() - MINUTE;

      await store.set(key('stale'), 'old', { refreshAt });
      await clock.advance(30 * MINUTE);

      expect(await store.get(key('stale'))).toEqual({ value: 'old', refreshAt });
    });

    it('returns the last value written', async () => {
      await store.set(key('tag'), 'sha256:one', { refreshAt: clock.now() + HOUR });

      await store.set(key('tag'), 'sha256:two', { refreshAt: clock.now() + 2 * HOUR });

      expect(await store.get(key('tag'))).toEqual({ value: 'sha256:two', refreshAt: clock.now() + 2 * HOUR });
    });

    it('deletes, and deleting a missing key is fine', async () => {
      await store.set(key('gone'), 1, { refreshAt: clock.now() + HOUR });

      await store.delete(key('gone'));
      await store.delete(key('never-there'));

      expect(await store.get(key('gone'))).toBeUndefined();
      expect(store.healthy).toBe(true);
    });

    it.each`
      refreshIn      | keptFor
      ${0}           | ${HOUR}
      ${-DAY}        | ${HOUR}
      ${10 * MINUTE} | ${HOUR}
      ${30 * MINUTE} | ${HOUR}
      ${2 * HOUR}    | ${4 * HOUR}
      ${7 * DAY}     | ${14 * DAY}
    `(
      'keeps an entry due in $refreshIn ms for max(1h, 2 × that) = $keptFor ms by default',
      async ({ refreshIn, keptFor }: { refreshIn: number; keptFor: number }) => {
        const refreshAt = clock.now() + refreshIn;
        await store.set(key('ttl'), 'x', { refreshAt });

        await clock.advance(keptFor - 1);
        const before = await store.get(key('ttl'));
        await clock.advance(1);
        const after = await store.get(key('ttl'));

        expect(before).toEqual({ value: 'x', refreshAt });
        expect(after).toBeUndefined();
      },
    );

    it.each`
      label                         | expireIn
      ${'shorter than the default'} | ${5 * MINUTE}
      ${'longer than the default'}  | ${20 * DAY}
    `('honours an explicit expireAt $label', async ({ expireIn }: { expireIn: number }) => {
      const refreshAt = clock.now() + MINUTE;
      await store.set(key('exp'), 'x', { refreshAt, expireAt: clock.now() + expireIn });

      await clock.advance(expireIn - 1);
      const before = await store.get(key('exp'));
      await clock.advance(1);
      const after = await store.get(key('exp'));

      expect(before).toEqual({ value: 'x', refreshAt });
      expect(after).toBeUndefined();
    });

    it('drops the key when expireAt is not in the future', async () => {
      await store.set(key('old'), 'x', { refreshAt: clock.now() + HOUR });

      await store.set(key('old'), 'y', { refreshAt: clock.now(), expireAt: clock.now() });

      expect(await store.get(key('old'))).toBeUndefined();
    });

    it('ends up with one of the values after concurrent writes to one key', async () => {
      const values = Array.from({ length: 20 }, (_, i) => ({
        n: i,
        tags: Array.from({ length: 50 }, (_, j) => `v${j}`),
      }));

      await Promise.all(values.map((v) => store.set(key('race'), v, { refreshAt: clock.now() + HOUR })));

      const entry = await store.get<{ n: number }>(key('race'));
      expect(values).toContainEqual(entry?.value);
    });

    it('keeps every entry after concurrent writes to many keys', async () => {
      const tags = Array.from({ length: 200 }, (_, i) => `1.0.${i}`);

      await Promise.all(tags.map((t) => store.set(key(t), { tag: t }, { refreshAt: clock.now() + HOUR })));

      const read = await Promise.all(
        tags.map(async (t) => (await store.get<{ tag: string }>(key(t)))?.value.tag),
      );
      expect(read).toEqual(tags);
    });

    it.each(unsafeKeys)('stores under $label', async ({ key: raw }) => {
      const k = `${raw}${ns}`;

      await store.set(k, { raw }, { refreshAt: clock.now() + HOUR });

      expect(await store.get(k)).toEqual({ value: { raw }, refreshAt: clock.now() + HOUR });
    });

    it('keeps long keys with a common 300-character prefix apart', async () => {
      const prefix = `flux-ts:v1|tag|${ns}/${'x'.repeat(300)}`;

      await store.set(`${prefix}|a`, 'a', { refreshAt: clock.now() + HOUR });
      await store.set(`${prefix}|b`, 'b', { refreshAt: clock.now() + HOUR });

      expect((await store.get(`${prefix}|a`))?.value).toBe('a');
      expect((await store.get(`${prefix}|b`))?.value).toBe('b');
    });

    it('keeps the repo, tag and image keys of one name apart', async () => {
      const repo = `conformance.test/${ns}/same`;
      await store.set(repoKey(repo), 'repo', { refreshAt: clock.now() + HOUR });
      await store.set(tagKey(repo, 'latest'), 'tag', { refreshAt: clock.now() + HOUR });
      await store.set(imageKey(`sha256:${ns}`), 'image', { refreshAt: clock.now() + HOUR });

      const read = await Promise.all(
        [repoKey(repo), tagKey(repo, 'latest'), imageKey(`sha256:${ns}`)].map(
          async (k) => (await store.get(k))?.value,
        ),
      );

      expect(read).toEqual(['repo', 'tag', 'image']);
    });

    // Under memcached's default 1 MB item limit; bigger items are refused there (and logged).
    it('stores a large value (a repo record with 1,000 tags, ~420 KiB)', async () => {
      const tags = Array.from({ length: 1000 }, (_, i) => `v1.2.${i}-build.${'0'.repeat(8)}`);
      const record = {
        Tags: tags,
        Images: Object.fromEntries(
          tags.map((t) => [t, { ...imageInfo, ID: `index.docker.io/library/alpine:${t}` }]),
        ),
        LastError: '',
        LastUpdate: '2024-02-01T10:00:00Z',
      };
      expect(JSON.stringify(record).length).toBeGreaterThan(400_000);

      await store.set(key('big'), record, { refreshAt: clock.now() + HOUR });

      expect(await store.get(key('big'))).toEqual({ value: record, refreshAt: clock.now() + HOUR });
    });

    it("rejects a get whose signal is aborted, with the signal's reason", async () => {
      await store.set(key('abort'), 1, { refreshAt: clock.now() + HOUR });
      const controller = new AbortController();
      const reason = new Error('stop');
      controller.abort(reason);

      await expect(store.get(key('abort'), controller.signal)).rejects.toBe(reason);
    });

    it('misses after close, ignores writes, and closes twice', async () => {
      await store.set(key('closed'), 1, { refreshAt: clock.now() + HOUR });

      await store.close();
      await store.set(key('closed'), 2, { refreshAt: clock.now() + HOUR });
      await store.delete(key('closed'));
      await store.close();

      expect(await store.get(key('closed'))).toBeUndefined();
    });

    // Only persistent backends are declared with these; a restart of the others loses everything by design.
    if (!options.persistent) return;

    it('keeps entries, deletions and deadlines across a restart (persistent backends)', async () => {
      const refreshAt = clock.now() + 2 * HOUR;
      await store.set(key('kept'), imageInfo, { refreshAt });
      await store.set(key('deleted'), 1, { refreshAt });
      await store.delete(key('deleted'));
      await store.set(key('short'), 1, { refreshAt, expireAt: clock.now() + 5 * MINUTE });

      await restart();
      const kept = await store.get(key('kept'));
      const deleted = await store.get(key('deleted'));
      await clock.advance(5 * MINUTE);
      const short = await store.get(key('short'));

      expect(kept).toEqual({ value: imageInfo, refreshAt });
      expect(deleted).toBeUndefined();
      expect(short).toBeUndefined();
    });

    it('takes writes after a restart (persistent backends)', async () => {
      await store.set(key('w'), 'before', { refreshAt: clock.now() + HOUR });

      await restart();
      await store.set(key('w'), 'after', { refreshAt: clock.now() + HOUR });
      await restart();

      expect((await store.get(key('w')))?.value).toBe('after');
    });
  });
}
