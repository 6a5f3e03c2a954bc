import { request } from 'node:http';
import type {
  ChangeJson,
  ControllerStatusJson,
  FluxApi,
  GitConfigJson,
  ImageStatusJson,
  JobStatusJson,
  ListImagesOptions,
  ListServicesOptions,
  UpdateSpecJson,
} from '@flux-ts/core';
import { ErrorKind, FluxError } from '@flux-ts/core';
import express from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Listening } from './listen.ts';
import { listen } from './listen.ts';
import { createApiRouter } from './router.ts';

const SERVICE: ControllerStatusJson = {
  ID: 'demo:deployment/podinfo',
  Containers: [
    {
      Name: 'podinfod',
      Current: { ID: 'stefanprodan/podinfo:3.1.0', Labels: {} },
      LatestFiltered: { ID: '', Labels: {} },
    },
  ],
  ReadOnly: '',
  Status: 'ready',
  Rollout: { Desired: 1, Updated: 1, Ready: 1, Available: 1, Outdated: 0, Messages: null },
  SyncError: '',
  Antecedent: '',
  Labels: { app: 'podinfo' },
  Automated: true,
  Locked: false,
  Ignore: false,
  Policies: { automated: 'true', 'tag.podinfod': 'semver:~3.1' },
};
const SERVICE_BYTES =
  '{"ID":"demo:deployment/podinfo","Containers":[{"Name":"podinfod","Current":{"ID":"stefanprodan/podinfo:3.1.0","Labels":{}},"LatestFiltered":{"ID":"","Labels":{}}}],"ReadOnly":"","Status":"ready","Rollout":{"Desired":1,"Updated":1,"Ready":1,"Available":1,"Outdated":0,"Messages":null},"SyncError":"","Antecedent":"","Labels":{"app":"podinfo"},"Automated":true,"Locked":false,"Ignore":false,"Policies":{"automated":"true","tag.podinfod":"semver:~3.1"}}';

const IMAGES: ImageStatusJson = {
  ID: 'demo:deployment/podinfo',
  Containers: [
    {
      Name: 'podinfod',
      Current: {
        ID: 'stefanprodan/podinfo:3.1.0',
        Digest: 'sha256:aa',
        Labels: {},
        CreatedAt: '2020-05-01T10:00:00Z',
      },
      LatestFiltered: { ID: 'stefanprodan/podinfo:3.1.1', Labels: {} },
      Available: [{ ID: 'stefanprodan/podinfo:3.1.1', Labels: {} }],
      AvailableImagesCount: 1,
      NewAvailableImagesCount: 1,
    },
  ],
};
const IMAGES_BYTES =
  '{"ID":"demo:deployment/podinfo","Containers":[{"Name":"podinfod","Current":{"ID":"stefanprodan/podinfo:3.1.0","Digest":"sha256:aa","Labels":{},"CreatedAt":"2020-05-01T10:00:00Z"},"LatestFiltered":{"ID":"stefanprodan/podinfo:3.1.1","Labels":{}},"Available":[{"ID":"stefanprodan/podinfo:3.1.1","Labels":{}}],"AvailableImagesCount":1,"NewAvailableImagesCount":1}]}';

const JOB: JobStatusJson = {
  Result: {
    revision: 'a'.repeat(40),
    result: {
      'default:deployment/foo': {
        Status: 'success',
        PerContainer: [{ Container: 'c', Current: 'img:1', Target: 'img:2' }],
      },
      'default:deployment/bar': { Status: 'skipped', Error: 'image(s) up to date', PerContainer: null },
    },
  },
  Err: '',
  StatusString: 'succeeded',
};
const JOB_BYTES = `{"Result":{"revision":"${'a'.repeat(40)}","result":{"default:deployment/foo":{"Status":"success","PerContainer":[{"Container":"c","Current":"img:1","Target":"img:2"}]},"default:deployment/bar":{"Status":"skipped","Error":"image(s) up to date","PerContainer":null}}},"Err":"","StatusString":"succeeded"}`;

const GIT_CONFIG: GitConfigJson = {
  remote: { url: 'ssh://git@github.com/org/repo', branch: 'master', path: 'dir1,dir2' },
  publicSSHKey: {
    key: 'ssh-rsa AAAA \n',
    fingerprints: { md5: { hash: 'aa:bb', randomart: '+---[RSA 2048]----+\n|  |' } },
  },
  status: 'ready',
  errors: '',
};
const KEY_BYTES =
  '{"key":"ssh-rsa AAAA \\n","fingerprints":{"md5":{"hash":"aa:bb","randomart":"+---[RSA 2048]----+\\n|  |"}}}';
const GIT_CONFIG_BYTES = `{"remote":{"url":"ssh://git@github.com/org/repo","branch":"master","path":"dir1,dir2"},"publicSSHKey":${KEY_BYTES},"status":"ready","errors":""}`;

type Call = [method: string, ...args: unknown[]];

/** A FluxApi returning fixed JSON and recording its calls (without the per-call options). */
function fakeApi(): FluxApi & { calls: Call[]; fail?: unknown } {
  const calls: Call[] = [];
  const fake: FluxApi & { calls: Call[]; fail?: unknown } = {
    calls,
    async ping() {
      calls.push(['ping']);
      if (fake.fail) throw fake.fail;
    },
    async version() {
      calls.push(['version']);
      return '1.25.4';
    },
    async notifyChange(change: ChangeJson) {
      calls.push(['notifyChange', change]);
    },
    async listServices(query: ListServicesOptions) {
      calls.push(['listServices', query]);
      if (fake.fail) throw fake.fail;
      return [SERVICE];
    },
    async listImages(query: ListImagesOptions) {
      calls.push(['listImages', query]);
      return [IMAGES];
    },
    async updateManifests(spec: UpdateSpecJson) {
      calls.push(['updateManifests', spec]);
      if (fake.fail) throw fake.fail;
      return '0a1b2c3d-0000-1111-2222-333344445555';
    },
    async jobStatus(id: string) {
      calls.push(['jobStatus', id]);
      if (fake.fail) throw fake.fail;
      return JOB;
    },
    async syncStatus(ref: string) {
      calls.push(['syncStatus', ref]);
      return ref === 'HEAD' ? [] : ['b'.repeat(40)];
    },
    async export() {
      calls.push(['export']);
      return 'apiVersion: v1\nkind: Namespace\n';
    },
    async syncErrors() {
      calls.push(['syncErrors']);
      return [];
    },
    async explain(workload: string, container?: string) {
      calls.push(['explain', workload, container]);
      return [];
    },
    async gitRepoConfig(regenerate: boolean) {
      calls.push(['gitRepoConfig', regenerate]);
      return GIT_CONFIG;
    },
  };
  return fake;
}

const api = fakeApi();
let server: Listening;
let base: string;

beforeAll(async () => {
  const app = express();
  app.use('/api/flux', createApiRouter(api, { bodyLimit: 1024 }));
  server = await listen(app, '127.0.0.1:0');
  base = `http://127.0.0.1:${server.port}/api/flux`;
});
afterAll(() => server.close());
beforeEach(() => {
  api.calls.length = 0;
  api.fail = undefined;
});

const JSON_HEADERS = { Accept: 'application/json', 'Content-Type': 'application/json' };

async function call(
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = JSON_HEADERS,
) {
  const res = await fetch(`${base}${path}`, { method, headers, body });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text(), res };
}

describe('golden success bodies, route by route', () => {
  it.each([
    ['GET', '/v11/version', undefined, 200, '"1.25.4"', ['version']],
    ['GET', '/v6/services?namespace=', undefined, 200, `[${SERVICE_BYTES}]`, ['listServices', {}]],
    [
      'GET',
      '/v11/services?namespace=&services=demo%3ADeployment%2Fpodinfo',
      undefined,
      200,
      `[${SERVICE_BYTES}]`,
      ['listServices', { services: ['demo:deployment/podinfo'] }],
    ],
    [
      'GET',
      '/v6/images?service=%3Call%3E',
      undefined,
      200,
      `[${IMAGES_BYTES}]`,
      ['listImages', { service: '<all>' }],
    ],
    [
      'GET',
      '/v10/images?containerFields=&namespace=default&service=%3Call%3E',
      undefined,
      200,
      `[${IMAGES_BYTES}]`,
      ['listImages', { service: '<all>', namespace: 'default' }],
    ],
    ['GET', '/v6/jobs?id=abc', undefined, 200, JOB_BYTES, ['jobStatus', 'abc']],
    ['GET', '/v6/sync?ref=abc1234', undefined, 200, `["${'b'.repeat(40)}"]`, ['syncStatus', 'abc1234']],
    ['GET', '/v6/sync?ref=HEAD', undefined, 200, '[]', ['syncStatus', 'HEAD']],
    [
      'GET',
      '/v6/export',
      undefined,
      200,
      `"${Buffer.from('apiVersion: v1\nkind: Namespace\n').toString('base64')}"`,
      ['export'],
    ],
    ['POST', '/v9/git-repo-config', 'false', 200, GIT_CONFIG_BYTES, ['gitRepoConfig', false]],
    ['POST', '/v9/git-repo-config', 'true', 200, GIT_CONFIG_BYTES, ['gitRepoConfig', true]],
    ['GET', '/v6/identity.pub', undefined, 200, KEY_BYTES, ['gitRepoConfig', false]],
  ] as const)('%s %s', async (method, path, body, status, bytes, expected) => {
    const r = await call(method, path, body);
    expect(r.status).toBe(status);
    expect(r.type).toBe('application/json; charset=utf-8');
    expect(r.text).toBe(bytes);
    expect(api.calls).toEqual([expected]);
  });

  it('GET /v11/ping answers 204 with an empty body', async () => {
    const r = await call('GET', '/v11/ping');
    expect([r.status, r.text, r.type]).toEqual([204, '', null]);
    expect(api.calls).toEqual([['ping']]);
  });

  it('POST /v6/identity.pub regenerates the key and answers 204', async () => {
    const r = await call('POST', '/v6/identity.pub');
    expect([r.status, r.text]).toEqual([204, '']);
    expect(api.calls).toEqual([['gitRepoConfig', true]]);
  });

  it('HEAD /v6/export answers 200 with no body', async () => {
    const r = await call('HEAD', '/v6/export');
    expect([r.status, r.text, r.type]).toEqual([200, '', 'application/json; charset=utf-8']);
  });

  it('POST /v11/notify answers 202 with an empty body', async () => {
    const git = { Kind: 'git', Source: { URL: 'git@github.com:org/repo', Branch: 'master' } };
    const r = await call('POST', '/v11/notify', JSON.stringify(git));
    expect([r.status, r.text]).toEqual([202, '']);
    const image = { Kind: 'image', Source: { Name: { Domain: 'docker.io', Image: 'fluxcd/flux' } } };
    await call('POST', '/v11/notify', JSON.stringify(image));
    expect(api.calls).toEqual([
      ['notifyChange', git],
      ['notifyChange', image],
    ]);
  });

  it('encodes HTML characters as Go does', async () => {
    const spec = {
      type: 'image',
      cause: { Message: 'a <b> & c', User: 'me' },
      spec: {
        ServiceSpecs: ['<all>'],
        ImageSpec: '<all latest>',
        Kind: 'plan',
        Excludes: null,
        Force: false,
      },
    };
    const r = await call('POST', '/v9/update-manifests', JSON.stringify(spec));
    expect(r.text).toBe('"0a1b2c3d-0000-1111-2222-333344445555"');
    expect(api.calls).toEqual([['updateManifests', spec]]);
  });
});

describe('POST /v9/update-manifests', () => {
  const cause = { Message: 'msg', User: 'alice' };

  it.each([
    [
      'containers',
      {
        Kind: 'execute',
        ContainerSpecs: { 'default:Deployment/foo': [{ Container: 'foo', Current: '', Target: 'img:2' }] },
        SkipMismatches: false,
        Force: true,
      },
      {
        Kind: 'execute',
        ContainerSpecs: { 'default:deployment/foo': [{ Container: 'foo', Current: '', Target: 'img:2' }] },
        SkipMismatches: false,
        Force: true,
      },
    ],
    [
      'policy',
      { 'default:deployment/foo': { add: { automated: 'true' }, remove: ['locked'] } },
      { 'default:deployment/foo': { add: { automated: 'true' }, remove: { locked: 'true' } } },
    ],
    ['sync', {}, {}],
    [
      'auto',
      {
        Changes: [
          {
            WorkloadID: 'default:deployment/foo',
            Container: { Name: 'c', Image: 'img:1' },
            ImageID: 'img:2',
          },
        ],
      },
      {
        Changes: [
          {
            WorkloadID: 'default:deployment/foo',
            Container: { Name: 'c', Image: 'img:1' },
            ImageID: 'img:2',
          },
        ],
      },
    ],
  ])('accepts type %s', async (type, spec, expected) => {
    const r = await call('POST', '/v9/update-manifests', JSON.stringify({ type, cause, spec }));
    expect(r.status).toBe(200);
    expect(api.calls).toEqual([['updateManifests', { type, cause, spec: expected }]]);
  });

  it('fills Go zero values for missing fields', async () => {
    const r = await call(
      'POST',
      '/v9/update-manifests',
      JSON.stringify({ type: 'image', spec: { ServiceSpecs: ['<all>'], ImageSpec: 'x:1', Kind: 'plan' } }),
    );
    expect(r.status).toBe(200);
    expect(api.calls[0]?.[1]).toEqual({
      type: 'image',
      cause: { Message: '', User: '' },
      spec: { ServiceSpecs: ['<all>'], ImageSpec: 'x:1', Kind: 'plan', Excludes: null, Force: false },
    });
  });

  it('missing type is 422 "no type in update spec"', async () => {
    const r = await call('POST', '/v9/update-manifests', JSON.stringify({ cause, spec: {} }));
    expect(r.status).toBe(422);
    expect(JSON.parse(r.text)).toMatchObject({ type: 'user', error: 'no type in update spec' });
    expect(api.calls).toEqual([]);
  });

  it.each([
    ['unknown type', JSON.stringify({ type: 'nope', spec: {} }), 'unknown update type "nope"'],
    ['malformed JSON', '{"type":', 'malformed JSON in request body'],
    ['wrong field type', JSON.stringify({ type: 'image', spec: { Kind: 'plan', Force: 'yes' } }), 'Force'],
    ['bad release kind', JSON.stringify({ type: 'image', spec: { Kind: 'later' } }), 'Kind'],
    [
      'bad excluded ID',
      JSON.stringify({ type: 'image', spec: { Kind: 'plan', Excludes: ['x'] } }),
      'Excludes',
    ],
    ['bad policy ID', JSON.stringify({ type: 'policy', spec: { nope: {} } }), 'invalid resource ID "nope"'],
    ['not an object', '[]', 'expected a JSON object'],
    ['empty body', '', 'empty request body'],
  ])('%s is a 400 with a flux error body', async (_name, body, error) => {
    const r = await call('POST', '/v9/update-manifests', body);
    expect(r.status).toBe(400);
    expect(r.type).toBe('application/json; charset=utf-8');
    const parsed = JSON.parse(r.text) as { type: string; help: string; error: string };
    expect(parsed.type).toBe('user');
    expect(parsed.error).toContain(error);
    expect(parsed.help).toContain(parsed.error);
    expect(api.calls).toEqual([]);
  });

  it('a body over the limit is a 413 with a flux error body', async () => {
    const r = await call(
      'POST',
      '/v9/update-manifests',
      JSON.stringify({ type: 'sync', pad: 'x'.repeat(2000) }),
    );
    expect(r.status).toBe(413);
    expect(JSON.parse(r.text)).toMatchObject({
      type: 'user',
      error: 'request body too large (limit 1024 bytes)',
    });
  });
});

describe('query validation', () => {
  it('namespace and services together are 422', async () => {
    const r = await call('GET', '/v11/services?namespace=default&services=default%3Adeployment%2Ffoo');
    expect(r.status).toBe(422);
    expect(JSON.parse(r.text)).toMatchObject({
      type: 'user',
      error: "cannot filter by 'namespace' and 'workloads' at the same time",
    });
  });

  it('an unparsable service is 400', async () => {
    const r = await call('GET', '/v11/services?services=bad');
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).error).toContain('parsing service spec "bad"');
  });

  it('containerFields are split and validated', async () => {
    const ok = await call('GET', '/v10/images?containerFields=Name%2CCurrent&service=');
    expect(ok.status).toBe(200);
    expect(api.calls).toEqual([['listImages', { service: '<all>', containerFields: ['Name', 'Current'] }]]);
    const bad = await call('GET', '/v10/images?containerFields=Name%2CBogus&service=');
    expect(bad.status).toBe(422);
    expect(JSON.parse(bad.text)).toMatchObject({ type: 'user', error: 'Bogus is an invalid field' });
  });

  it('namespace with a specific service is 422', async () => {
    const r = await call('GET', '/v10/images?namespace=default&service=default%3Adeployment%2Ffoo');
    expect(r.status).toBe(422);
    expect(JSON.parse(r.text).error).toBe("cannot filter by 'namespace' and 'workload' at the same time");
  });
});

describe('legacy routes', () => {
  it('POST /v6/update-images builds an image release spec', async () => {
    const q =
      'service=default%3ADeployment%2Ffoo&service=default%2Fbar&image=nginx%3A1.19&kind=execute' +
      '&exclude=default%3Adeployment%2Fbaz&user=alice&message=hi+there';
    const r = await call('POST', `/v6/update-images?${q}`);
    expect(r.status).toBe(200);
    expect(r.text).toBe('"0a1b2c3d-0000-1111-2222-333344445555"');
    expect(api.calls).toEqual([
      [
        'updateManifests',
        {
          type: 'image',
          cause: { Message: 'hi there', User: 'alice' },
          spec: {
            ServiceSpecs: ['default:deployment/foo', 'default:service/bar'],
            ImageSpec: 'nginx:1.19',
            Kind: 'execute',
            Excludes: ['default:deployment/baz'],
            Force: false,
          },
        },
      ],
    ]);
  });

  it('POST /v6/update-images accepts <all> and <all latest>, Excludes null when none', async () => {
    await call('POST', '/v6/update-images?service=%3Call%3E&image=%3Call+latest%3E&kind=plan');
    expect(api.calls[0]?.[1]).toMatchObject({
      spec: { ServiceSpecs: ['<all>'], ImageSpec: '<all latest>', Kind: 'plan', Excludes: null },
      cause: { Message: '', User: '' },
    });
  });

  it.each([
    ['service=%3Call%3E&image=nginx&kind=plan', 'parsing image spec "nginx"'],
    ['service=%3Call%3E&image=nginx%3A1&kind=later', 'parsing release kind "later"'],
    ['service=nope&image=nginx%3A1&kind=plan', 'parsing service spec "nope"'],
    ['service=%3Call%3E&image=nginx%3A1&kind=plan&exclude=x', 'parsing excluded service "x"'],
  ])('POST /v6/update-images?%s is a 400', async (q, error) => {
    const r = await call('POST', `/v6/update-images?${q}`);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).error).toContain(error);
  });

  it('POST /v6/update-images without a required parameter does not match (404)', async () => {
    const r = await call('POST', '/v6/update-images?service=%3Call%3E&image=nginx%3A1');
    expect(r.status).toBe(404);
    expect(JSON.parse(r.text).error).toBe('API endpoint not found');
  });

  it('PATCH /v6/policies runs a policy update with the cause from the query', async () => {
    const body = { 'default:deployment/foo': { add: ['automated'] } };
    const r = await call('PATCH', '/v6/policies?user=bob&message=auto', JSON.stringify(body));
    expect(r.status).toBe(200);
    expect(api.calls).toEqual([
      [
        'updateManifests',
        {
          type: 'policy',
          cause: { Message: 'auto', User: 'bob' },
          spec: { 'default:deployment/foo': { add: { automated: 'true' } } },
        },
      ],
    ]);
  });
});

describe('fixed errors', () => {
  it.each(['/v1/services', '/v3/anything/else', '/v5/export'])('%s is 410 deprecated', async (path) => {
    for (const method of ['GET', 'POST']) {
      const r = await call(method, path);
      expect(r.status).toBe(410);
      const body = JSON.parse(r.text);
      expect(body).toMatchObject({ type: 'missing', error: 'API endpoint deprecated' });
      expect(body.help).toMatch(/^The API endpoint requested appears to have been deprecated\./);
    }
  });

  it.each([
    ['GET', '/v7/services'],
    ['POST', '/v6/services'],
    ['HEAD', '/v11/ping'],
    ['GET', '/v9/update-manifests'],
    ['GET', '/v6/jobs'],
    ['GET', '/v6/sync'],
    ['GET', '/V6/services'],
    ['GET', '/v6/services/'],
    ['DELETE', '/v6/identity.pub'],
  ])('%s %s is a 404 flux error', async (method, path) => {
    const r = await call(method, path);
    expect(r.status).toBe(404);
    if (method === 'HEAD') return;
    expect(r.type).toBe('application/json; charset=utf-8');
    const body = JSON.parse(r.text);
    expect(body).toMatchObject({ type: 'missing', error: 'API endpoint not found' });
    expect(body.help).toContain(`\n    ${path}\n`);
    expect(api.calls).toEqual([]);
  });
});

describe('errors thrown by the FluxApi', () => {
  it.each([
    [ErrorKind.Missing, 404],
    [ErrorKind.User, 422],
    [ErrorKind.Server, 500],
  ])('kind %s is status %i', async (kind, status) => {
    api.fail = new FluxError('unknown job "x"', { code: 'job.unknown', kind, help: 'Job not found.' });
    const r = await call('GET', '/v6/jobs?id=x');
    expect(r.status).toBe(status);
    expect(r.text).toBe(`{"type":"${kind}","help":"Job not found.","error":"unknown job \\"x\\""}`);
  });

  it('a non-flux error is a user error with the generic help', async () => {
    api.fail = new Error('boom <x>');
    const r = await call('GET', '/v6/jobs?id=x');
    expect(r.status).toBe(422);
    expect(r.text).toBe(
      '{"type":"user","help":"Error: boom \\u003cx\\u003e\\n\\nWe don\'t have a specific help message for the error above.\\n\\nIt would help us remedy this if you log an issue at\\n\\n    https://github.com/fluxcd/flux/issues\\n\\nsaying what you were doing when you saw this, and quoting the message\\nat the top.\\n","error":"boom \\u003cx\\u003e"}',
    );
  });

  it('a failing ping is an error, not 204', async () => {
    api.fail = new FluxError('k8s down', { code: 'x', kind: ErrorKind.Server, help: 'h' });
    const r = await call('GET', '/v11/ping');
    expect(r.status).toBe(500);
  });
});

/** A GET with no Accept header at all (fetch always sends one). */
function getWithoutAccept(url: string): Promise<{ status: number; type: string | undefined; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          type: res.headers['content-type'],
          text: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Accept negotiation of error bodies', () => {
  it('no Accept header at all: the plain message', async () => {
    api.fail = new FluxError('the message', { code: 'x', kind: ErrorKind.Missing, help: 'the help' });
    const r = await getWithoutAccept(`${base}/v6/jobs?id=x`);
    expect(r).toEqual({ status: 404, type: 'text/plain; charset=utf-8', text: 'the message' });
  });

  const fail = () => {
    api.fail = new FluxError('the message', { code: 'x', kind: ErrorKind.Missing, help: 'the help' });
  };
  it.each([
    [undefined, 'text/plain; charset=utf-8', 'the message'],
    [
      'application/json',
      'application/json; charset=utf-8',
      '{"type":"missing","help":"the help","error":"the message"}',
    ],
    ['text/plain', 'text/plain; charset=utf-8', 'the help'],
    ['application/json;q=0.5, text/plain', 'text/plain; charset=utf-8', 'the help'],
    ['text/plain;q=0.9, application/json;q=0.8', 'text/plain; charset=utf-8', 'the help'],
    [
      'text/plain, application/json',
      'application/json; charset=utf-8',
      '{"type":"missing","help":"the help","error":"the message"}',
    ],
    ['*/*', 'text/plain; charset=utf-8', 'the message'],
    ['text/html', 'text/plain; charset=utf-8', 'the message'],
  ])('Accept %s', async (accept, type, body) => {
    fail();
    const res = await fetch(`${base}/v6/jobs?id=x`, { headers: accept ? { Accept: accept } : {} });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe(type);
    expect(await res.text()).toBe(body);
  });
});
