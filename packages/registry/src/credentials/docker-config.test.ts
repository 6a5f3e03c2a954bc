import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CredentialsConfigError,
  dockerConfigSource,
  firstOf,
  normaliseRegistryHost,
  parseDockerConfig,
  pullSecretCredentials,
  staticSource,
} from './docker-config.ts';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('normaliseRegistryHost', () => {
  it.each`
    key                                  | host
    ${'https://index.docker.io/v1/'}     | ${'index.docker.io'}
    ${'docker.io'}                       | ${'index.docker.io'}
    ${'registry-1.docker.io'}            | ${'index.docker.io'}
    ${'GHCR.io'}                         | ${'ghcr.io'}
    ${'http://localhost:5000/some/path'} | ${'localhost:5000'}
  `('$key', ({ key, host }) => {
    expect(normaliseRegistryHost(key)).toBe(host);
  });
});

describe('parseDockerConfig', () => {
  it('reads auths (base64 and explicit), the bare dockercfg form, helpers and identity tokens', () => {
    const config = parseDockerConfig(
      JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': { auth: b64('hub:pw:with:colons') },
          'quay.io': { username: 'q', password: 'qp' },
          'acr.example.io': { identitytoken: 'tok' },
          'empty.example.io': {},
        },
        credHelpers: { 'ecr.example.io': 'ecr-login' },
      }),
      'config.json',
    );
    const bare = parseDockerConfig(JSON.stringify({ 'ghcr.io': { auth: b64('g:gp') } }), '.dockercfg');

    expect(Object.fromEntries(config.auths)).toEqual({
      'index.docker.io': { username: 'hub', password: 'pw:with:colons' },
      'quay.io': { username: 'q', password: 'qp' },
      'acr.example.io': { username: '<token>', password: 'tok' },
    });
    expect(Object.fromEntries(config.credHelpers)).toEqual({ 'ecr.example.io': 'ecr-login' });
    expect(Object.fromEntries(bare.auths)).toEqual({ 'ghcr.io': { username: 'g', password: 'gp' } });
  });

  it('names the source and never the content of a bad config', () => {
    const secretish = JSON.stringify({ auths: { 'x.io': { auth: b64('no-colon-here-s3cret') } } });

    expect(() => parseDockerConfig('{not json', '/etc/docker/config.json')).toThrow(
      /cannot read registry credentials from \/etc\/docker\/config\.json: not JSON/,
    );
    expect(() => parseDockerConfig(secretish, 'cfg')).toThrow(CredentialsConfigError);
    expect(() => parseDockerConfig(secretish, 'cfg')).not.toThrow(/s3cret/);
  });
});

describe('pull secrets', () => {
  it.each`
    type                                | key
    ${'kubernetes.io/dockerconfigjson'} | ${'.dockerconfigjson'}
    ${'kubernetes.io/dockercfg'}        | ${'.dockercfg'}
  `('reads $type', ({ type, key }) => {
    const payload =
      key === '.dockercfg'
        ? { 'ghcr.io': { auth: b64('u:p') } }
        : { auths: { 'ghcr.io': { auth: b64('u:p') } } };

    const creds = pullSecretCredentials({
      metadata: { namespace: 'n', name: 's' },
      type,
      data: { [key]: b64(JSON.stringify(payload)) },
    });

    expect(creds.get('ghcr.io')).toEqual({ username: 'u', password: 'p' });
  });

  it('says which secret lacks its key', () => {
    expect(() =>
      pullSecretCredentials({ metadata: { namespace: 'n', name: 's' }, type: 'Opaque', data: {} }),
    ).toThrow('cannot read registry credentials from secret n/s: no .dockerconfigjson key (type Opaque)');
  });
});

describe('dockerConfigSource', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flux-ts-creds-'));
    // A real credential helper on PATH: docker-credential-test answers for the host on stdin.
    const helper = join(dir, 'docker-credential-test');
    await writeFile(
      helper,
      '#!/bin/sh\nread host\nprintf \'{"ServerURL":"%s","Username":"helper-user","Secret":"helper-secret"}\' "$host"\n',
    );
    await chmod(helper, 0o755);
    process.env.PATH = `${dir}:${process.env.PATH}`;
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('re-reads the file on each lookup and runs credential helpers', async () => {
    const path = join(dir, 'config.json');
    await writeFile(
      path,
      JSON.stringify({
        auths: { 'ghcr.io': { auth: b64('a:1') } },
        credHelpers: { 'private.example.io': 'test' },
      }),
    );
    const source = dockerConfigSource(path);

    expect(await source('ghcr.io')).toEqual({ username: 'a', password: '1' });
    expect(await source('private.example.io')).toEqual({
      username: 'helper-user',
      password: 'helper-secret',
    });
    await writeFile(path, JSON.stringify({ auths: { 'ghcr.io': { auth: b64('a:2') } } }));
    expect(await source('ghcr.io')).toEqual({ username: 'a', password: '2' });
    expect(await source('nowhere.example.io')).toBeUndefined();
  });

  it('takes the first source that knows a host', async () => {
    const first = staticSource(new Map([['ghcr.io', { username: 'pod', password: 'secret' }]]));
    const second = staticSource(
      new Map([
        ['ghcr.io', { username: 'file', password: 'x' }],
        ['quay.io', { username: 'q', password: 'y' }],
      ]),
    );

    const source = firstOf(first, second);

    expect(await source('ghcr.io')).toEqual({ username: 'pod', password: 'secret' });
    expect(await source('quay.io')).toEqual({ username: 'q', password: 'y' });
  });
});
