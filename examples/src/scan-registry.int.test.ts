import { freePort, startRegistry, type TestRegistry } from '@flux-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExamples, runExample } from './testing/run.ts';

describe('scan-registry', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    await buildExamples();
    registry = await startRegistry();
    const pushes: [string, string][] = [
      ['1.0.0', '2024-01-01T00:00:00Z'],
      ['1.2.0', '2024-02-01T00:00:00Z'],
      ['2.0.0', '2024-03-01T00:00:00Z'],
      ['main-bbb', '2024-05-01T00:00:00Z'],
      ['main-aaa', '2024-04-01T00:00:00Z'],
    ];
    for (const [tag, created] of pushes) await registry.pushImage({ repo: 'team/app', tag, created });
  });
  afterAll(() => registry?.stop());

  it('prints the newest tag each filter admits: by version for semver, by creation time for glob', async () => {
    const { code, stdout, stderr } = await runExample('scan-registry', [
      '--insecure',
      `${registry.host}/team/app`,
      'semver:^1',
      'glob:main-*',
      'regexp:^2\\.',
      'semver:^3',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        `${registry.host}/team/app: 5 tag(s)`,
        'semver:^1\t1.2.0 (created 2024-02-01T00:00:00.000Z)',
        'glob:main-*\tmain-bbb (created 2024-05-01T00:00:00.000Z)',
        'regexp:^2\\.\t2.0.0 (created 2024-03-01T00:00:00.000Z)',
        'semver:^3\t(no tag matches)',
        '',
      ].join('\n'),
    );
  });

  it('defaults to glob:* (the newest image of all)', async () => {
    const { stdout } = await runExample('scan-registry', ['--insecure', `${registry.host}/team/app`]);
    expect(stdout).toContain('glob:*\tmain-bbb (created 2024-05-01T00:00:00.000Z)');
  });

  it('exits 1 with a clear error when the registry cannot be reached', async () => {
    const port = await freePort();
    const { code, stderr } = await runExample('scan-registry', ['--insecure', `127.0.0.1:${port}/team/app`]);
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`^error: .*127\\.0\\.0\\.1:${port}`, 'm'));
    expect(stderr).toMatch(/^hint: /m);
  });

  it('exits 1 for an invalid filter and 2 without a repository', async () => {
    const bad = await runExample('scan-registry', ['--insecure', `${registry.host}/team/app`, 'semver:>>1']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('error: invalid tag pattern: "semver:>>1"');

    const none = await runExample('scan-registry', []);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('usage: scan-registry [--insecure] <repository> [<filter>...]');
  });
});
