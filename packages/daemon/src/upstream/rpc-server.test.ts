import type { FluxApi, ListImagesOptions, ListServicesOptions, UpdateSpecJson } from '@flux-ts/core';
import { ErrorKind, FluxError, ManualClock } from '@flux-ts/core';
import { describe, expect, it } from 'vitest';
import { createRpcServer } from './rpc-server.ts';

const missing = new FluxError('unknown job "x"', {
  code: 'job.unknown',
  kind: ErrorKind.Missing,
  help: 'Job not found',
});

function recordingApi(): { api: FluxApi; calls: unknown[] } {
  const calls: unknown[] = [];
  const api: FluxApi = {
    ping: async () => {},
    version: async () => 'v',
    notifyChange: async (change) => {
      calls.push(['notifyChange', change]);
      throw missing;
    },
    listServices: async (query: ListServicesOptions) => {
      calls.push(['listServices', query]);
      return [];
    },
    listImages: async (query: ListImagesOptions) => {
      calls.push(['listImages', query]);
      return [];
    },
    updateManifests: async (spec: UpdateSpecJson) => {
      calls.push(['updateManifests', spec]);
      return 'job-9';
    },
    jobStatus: async () => {
      throw missing;
    },
    syncStatus: async (ref) => {
      calls.push(['syncStatus', ref]);
      return ['abc'];
    },
    export: async () => '',
    explain: async () => [],
    syncErrors: async () => [],
    gitRepoConfig: async () => {
      throw missing;
    },
  };
  return { api, calls };
}

const call = (method: string, params: unknown): { id: string; method: string; params: unknown } => ({
  id: '1',
  method: `RPCServer.${method}`,
  params,
});

describe('createRpcServer', () => {
  it('maps the Go argument structs onto the FluxApi', async () => {
    const { api, calls } = recordingApi();
    const rpc = createRpcServer({ api, timeoutMs: 1000 });
    const spec: UpdateSpecJson = { type: 'sync', cause: { User: 'u', Message: 'm' }, spec: {} };
    expect(
      await rpc.serve(call('ListServicesWithOptions', [{ Namespace: '', Services: ['a:deployment/b'] }])),
    ).toBe('{"id":1,"result":{"Result":[],"ApplicationError":null},"error":null}\n');
    await rpc.serve(
      call('ListImagesWithOptions', [{ spec: '<all>', OverrideContainerFields: ['Name'], Namespace: 'ns' }]),
    );
    await rpc.serve(call('ListImages', ['a:deployment/b']));
    expect(await rpc.serve(call('UpdateManifests', [spec]))).toBe(
      '{"id":1,"result":{"Result":"job-9","ApplicationError":null},"error":null}\n',
    );
    expect(await rpc.serve(call('SyncStatus', ['HEAD']))).toBe(
      '{"id":1,"result":{"Result":["abc"],"ApplicationError":null},"error":null}\n',
    );
    expect(calls).toEqual([
      ['listServices', { namespace: '', services: ['a:deployment/b'] }],
      ['listImages', { service: '<all>', containerFields: ['Name'], namespace: 'ns' }],
      ['listImages', { service: 'a:deployment/b' }],
      ['updateManifests', spec],
      ['syncStatus', 'HEAD'],
    ]);
  });

  it('wraps flux errors with Go zero values for Result', async () => {
    const { api } = recordingApi();
    const rpc = createRpcServer({ api, timeoutMs: 1000 });
    const appErr = '{"type":"missing","help":"Job not found","error":"unknown job \\"x\\""}';
    expect(await rpc.serve(call('JobStatus', ['x']))).toBe(
      `{"id":1,"result":{"Result":{"Result":{"spec":null},"Err":"","StatusString":""},"ApplicationError":${appErr}},"error":null}\n`,
    );
    expect(await rpc.serve(call('NotifyChange', [{ Kind: 'git', Source: { URL: 'u', Branch: 'b' } }]))).toBe(
      `{"id":1,"result":{"ApplicationError":${appErr}},"error":null}\n`,
    );
    expect(await rpc.serve(call('GitRepoConfig', [true]))).toContain(
      '"Result":{"remote":{"url":"","branch":"","path":""},"publicSSHKey":{"key":"","fingerprints":null},"status":"","errors":""}',
    );
  });

  it('answers Go net/rpc errors for bad method names and arguments', async () => {
    const rpc = createRpcServer({ api: recordingApi().api, timeoutMs: 1000 });
    expect(await rpc.serve(call('ListServices', [42]))).toBe(
      '{"id":1,"result":null,"error":"json: cannot unmarshal number into Go value of type string"}\n',
    );
    expect(await rpc.serve(call('Ping', { a: 1 }))).toContain('into Go value of type [1]interface {}');
    expect(await rpc.serve({ id: '2', method: 'Ping', params: [] })).toContain('request ill-formed: Ping');
    expect(await rpc.serve({ id: '2', method: 'Other.Ping', params: [] })).toContain(
      "can't find service Other.Ping",
    );
    expect(await rpc.serve({ id: '2', method: 'RPCServer.toString', params: [] })).toContain(
      "can't find method",
    );
  });

  it('aborts a call at the rpc timeout on the injected clock', async () => {
    const clock = new ManualClock();
    let aborted = false;
    const api: FluxApi = {
      ...recordingApi().api,
      version: (options) =>
        new Promise((_resolve, reject) => {
          options?.signal?.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('aborted'));
          });
        }),
    };
    const rpc = createRpcServer({ api, timeoutMs: 10_000, clock });
    const answer = rpc.serve(call('Version', [{}]));
    await clock.advance(9_999);
    expect(aborted).toBe(false);
    await clock.advance(1);
    expect(await answer).toBe(
      '{"id":1,"result":null,"error":"RPCServer.Version: deadline exceeded after 10000ms (--rpc-timeout)"}\n',
    );
    expect(aborted).toBe(true);
  });
});
