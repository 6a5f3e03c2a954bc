import { ErrorKind, FluxError } from '@flux-ts/core';
import { describe, expect, it } from 'vitest';
import {
  badRequestError,
  deprecatedError,
  negotiateErrorType,
  notFoundError,
  renderError,
  toWireError,
} from './errors.ts';
import { goJson } from './go-json.ts';

describe('negotiateErrorType', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['*/*', undefined],
    ['application/json', 'application/json'],
    ['application/json; charset=utf-8', 'application/json'],
    ['text/plain', 'text/plain'],
    ['text/plain, application/json', 'application/json'],
    ['application/json;q=0.5, text/plain', 'text/plain'],
    ['application/json;q=0.5, text/plain;q=0.5', 'application/json'],
    ['text/plain;q=0.5, application/json;q=0.4', 'text/plain'],
    ['application/json;q=0, text/html', undefined],
    ['TEXT/PLAIN', 'text/plain'],
  ])('%s → %s', (accept, expected) => {
    expect(negotiateErrorType(accept)).toBe(expected);
  });
});

describe('toWireError', () => {
  it('maps kinds to statuses', () => {
    for (const [kind, status] of [
      [ErrorKind.Missing, 404],
      [ErrorKind.User, 422],
      [ErrorKind.Server, 500],
    ] as const) {
      expect(toWireError(new FluxError('m', { code: 'c', kind, help: 'h' })).status).toBe(status);
    }
  });

  it('keeps fixed statuses', () => {
    expect(toWireError(deprecatedError())).toMatchObject({ status: 410, type: 'missing' });
    expect(toWireError(notFoundError('/x'))).toMatchObject({
      status: 404,
      message: 'API endpoint not found',
    });
    expect(toWireError(badRequestError('bad'))).toMatchObject({ status: 400, type: 'user', message: 'bad' });
  });

  it('wraps other errors as user errors with the generic help', () => {
    const wire = toWireError(new Error('boom'));
    expect(wire).toMatchObject({ status: 422, type: 'user', message: 'boom', flux: false });
    expect(wire.help.startsWith("Error: boom\n\nWe don't have a specific help message")).toBe(true);
  });
});

describe('renderError', () => {
  it('leaves out an empty error message', () => {
    const wire = { status: 500, type: 'server' as const, help: 'h', message: '', flux: true };
    expect(renderError(wire, 'application/json').body).toBe('{"type":"server","help":"h"}');
  });

  it('400 bodies are real flux errors, not {}', () => {
    const r = renderError(toWireError(badRequestError('unexpected end of JSON input')), 'application/json');
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toMatchObject({ type: 'user', error: 'unexpected end of JSON input' });
  });
});

describe('goJson', () => {
  it('escapes as Go does', () => {
    expect(goJson('<all> & \u2028\u2029')).toBe('"\\u003call\\u003e \\u0026 \\u2028\\u2029"');
    expect(goJson('\b\f\n\t\\b')).toBe('"\\u0008\\u000c\\n\\t\\\\b"');
    expect(goJson('\ud800x')).toBe('"\\ufffdx"');
    expect(goJson({ a: [1, null, true], b: undefined })).toBe('{"a":[1,null,true]}');
  });
});
