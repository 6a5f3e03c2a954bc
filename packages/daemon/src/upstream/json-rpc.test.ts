import { describe, expect, it } from 'vitest';
import {
  decodeRpcRequest,
  encodeRpcResponse,
  JsonRpcProtocolError,
  JsonValueSplitter,
  rawMembers,
} from './json-rpc.ts';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('JsonValueSplitter', () => {
  it('returns several values from one frame', () => {
    const s = new JsonValueSplitter();
    expect(s.push(bytes('{"a":1}\n{"b":[1,2]} {"c":{}}{"d":null}\n'))).toEqual([
      '{"a":1}',
      '{"b":[1,2]}',
      '{"c":{}}',
      '{"d":null}',
    ]);
    expect(s.buffered).toBe(0);
  });

  it('joins a value split across frames, at every position', () => {
    const text = '{"method":"RPCServer.Ping","params":[{}],"id":7}\n{"x":"y"}';
    for (let cut = 0; cut <= text.length; cut++) {
      const s = new JsonValueSplitter();
      const out = [...s.push(bytes(text.slice(0, cut))), ...s.push(bytes(text.slice(cut)))];
      expect(out).toEqual(['{"method":"RPCServer.Ping","params":[{}],"id":7}', '{"x":"y"}']);
    }
  });

  it('handles one byte at a time, including split UTF-8 sequences', () => {
    const text = '{"s":"héllo ☃ 🚀"}';
    const s = new JsonValueSplitter();
    const out: string[] = [];
    for (const b of bytes(text)) out.push(...s.push(Uint8Array.of(b)));
    expect(out).toEqual([text]);
  });

  it('is not fooled by braces, brackets and escaped quotes inside strings', () => {
    const s = new JsonValueSplitter();
    const v = '{"a":"}{][\\"}","b":["]","\\\\"],"c":"\\\\\\"{"}';
    expect(s.push(bytes(`${v.slice(0, 9)}`))).toEqual([]);
    expect(s.push(bytes(`${v.slice(9)}{"n":1}`))).toEqual([v, '{"n":1}']);
    expect(JSON.parse(v)).toEqual({ a: '}{][\\"}'.replace('\\"', '"'), b: [']', '\\'], c: '\\"{' });
  });

  it('splits top-level scalars at delimiters and keeps a trailing one pending', () => {
    const s = new JsonValueSplitter();
    expect(s.push(bytes('12 true"s"[1]null'))).toEqual(['12', 'true', '"s"', '[1]']);
    expect(s.buffered).toBe(4);
    expect(s.push(bytes(' '))).toEqual(['null']);
  });

  it('rejects a stray closing token and an oversized value', () => {
    expect(() => new JsonValueSplitter().push(bytes('}'))).toThrow(JsonRpcProtocolError);
    const s = new JsonValueSplitter({ maxValueBytes: 8 });
    expect(() => s.push(bytes('{"aaaaaaaaaa'))).toThrow(/exceeds 8 bytes/);
  });

  it('copies pending bytes (callers may reuse buffers)', () => {
    const s = new JsonValueSplitter();
    const buf = bytes('{"a":');
    s.push(buf);
    buf.fill(0x20);
    expect(s.push(bytes('1}'))).toEqual(['{"a":1}']);
  });
});

describe('requests and responses', () => {
  it('keeps raw member values', () => {
    expect([...rawMembers(' { "id" : 12345678901234567890 , "params":[{"a":"}"}], "m":"x" } ')]).toEqual([
      ['id', '12345678901234567890'],
      ['params', '[{"a":"}"}]'],
      ['m', '"x"'],
    ]);
  });

  it('decodes a request, echoing the id verbatim; names match case-insensitively as in Go', () => {
    expect(
      decodeRpcRequest('{"method":"RPCServer.Version","params":[{}],"id":12345678901234567890}'),
    ).toEqual({
      method: 'RPCServer.Version',
      params: [{}],
      id: '12345678901234567890',
    });
    expect(decodeRpcRequest('{"Method":"RPCServer.Ping","ID":"x"}')).toEqual({
      method: 'RPCServer.Ping',
      params: undefined,
      id: '"x"',
    });
    expect(() => decodeRpcRequest('[1]')).toThrow(JsonRpcProtocolError);
    expect(() => decodeRpcRequest('{"method":1}')).toThrow(JsonRpcProtocolError);
    expect(() => decodeRpcRequest('{nope}')).toThrow(JsonRpcProtocolError);
  });

  it('encodes responses as Go does, newline-terminated and HTML-escaped', () => {
    expect(encodeRpcResponse('3', { Result: '<a&b>' }, null)).toBe(
      '{"id":3,"result":{"Result":"\\u003ca\\u0026b\\u003e"},"error":null}\n',
    );
    expect(encodeRpcResponse('3', { x: 1 }, 'boom')).toBe('{"id":3,"result":null,"error":"boom"}\n');
    expect(encodeRpcResponse('null', undefined, null)).toBe('{"id":null,"result":null,"error":null}\n');
  });
});
