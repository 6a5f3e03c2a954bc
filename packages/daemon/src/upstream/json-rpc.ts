import { ErrorKind, FluxError } from '@flux-ts/core';

/**
 * Go `net/rpc/jsonrpc` (JSON-RPC 1.0) over a byte stream, the upstream protocol of Flux v1
 * (`flux-v1.md` §11). The peer writes concatenated JSON values (Go's `json.Encoder`); websocket
 * frames are only a transport, so a value may span frames and a frame may hold several values.
 */

/** The byte stream from upstream is not a sequence of JSON values, or a request is malformed. */
export class JsonRpcProtocolError extends FluxError {
  constructor(message: string) {
    super(message, {
      code: 'upstream.protocol',
      kind: ErrorKind.Server,
      help: 'The upstream service sent something that is not a Go JSON-RPC 1.0 request; fluxd drops the connection and redials.',
    });
  }
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

function endsScalar(b: number): boolean {
  return (
    isSpace(b) ||
    b === OPEN_BRACE ||
    b === CLOSE_BRACE ||
    b === OPEN_BRACKET ||
    b === CLOSE_BRACKET ||
    b === QUOTE ||
    b === COMMA ||
    b === COLON
  );
}

/** Options of {@link JsonValueSplitter}. */
export interface JsonValueSplitterOptions {
  /** The largest value accepted, in bytes (default 64 MiB). */
  maxValueBytes?: number;
}

/**
 * Splits a byte stream into complete JSON values, as Go's `json.Decoder` reads them: values may be
 * separated by whitespace or nothing, and split anywhere (even inside a UTF-8 sequence). It tracks
 * only structure (nesting, strings, escapes); `JSON.parse` validates each value.
 */
export class JsonValueSplitter {
  readonly #maxValueBytes: number;
  readonly #decoder = new TextDecoder('utf-8');
  /** Bytes of the current value received in earlier chunks. */
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #started = false;
  #depth = 0;
  #inString = false;
  #escape = false;
  #inScalar = false;

  constructor(options: JsonValueSplitterOptions = {}) {
    this.#maxValueBytes = options.maxValueBytes ?? 64 * 1024 * 1024;
  }

  /** Bytes held for a value not yet complete. */
  get buffered(): number {
    return this.#pendingBytes;
  }

  /** Feeds bytes; returns the text of every value they complete, in order. */
  push(chunk: Uint8Array): string[] {
    const values: string[] = [];
    let start = this.#started ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i] as number;
      if (!this.#started) {
        if (isSpace(b)) continue;
        if (b === CLOSE_BRACE || b === CLOSE_BRACKET || b === COMMA || b === COLON) {
          throw new JsonRpcProtocolError(
            `invalid character ${JSON.stringify(String.fromCharCode(b))} looking for beginning of value`,
          );
        }
        this.#started = true;
        start = i;
        if (b === OPEN_BRACE || b === OPEN_BRACKET) this.#depth = 1;
        else if (b === QUOTE) this.#inString = true;
        else this.#inScalar = true;
        continue;
      }
      if (this.#inString) {
        if (this.#escape) this.#escape = false;
        else if (b === BACKSLASH) this.#escape = true;
        else if (b === QUOTE) {
          this.#inString = false;
          if (this.#depth === 0) values.push(this.#complete(chunk, start, i + 1));
        }
        continue;
      }
      if (this.#inScalar) {
        if (endsScalar(b)) {
          values.push(this.#complete(chunk, start, i));
          i--; // this byte starts the next value (or is whitespace)
        }
        continue;
      }
      if (b === QUOTE) this.#inString = true;
      else if (b === OPEN_BRACE || b === OPEN_BRACKET) this.#depth++;
      else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
        this.#depth--;
        if (this.#depth === 0) values.push(this.#complete(chunk, start, i + 1));
      }
    }
    if (this.#started) {
      const rest = chunk.subarray(Math.max(start, 0));
      this.#pendingBytes += rest.length;
      if (this.#pendingBytes > this.#maxValueBytes) {
        throw new JsonRpcProtocolError(`a JSON value exceeds ${this.#maxValueBytes} bytes`);
      }
      // Copy: the caller may reuse its buffer.
      if (rest.length > 0) this.#pending.push(Uint8Array.from(rest));
    }
    return values;
  }

  #complete(chunk: Uint8Array, start: number, end: number): string {
    const tail = chunk.subarray(Math.max(start, 0), end);
    let bytes: Uint8Array;
    if (this.#pending.length === 0) bytes = tail;
    else {
      bytes = new Uint8Array(this.#pendingBytes + tail.length);
      let offset = 0;
      for (const part of this.#pending) {
        bytes.set(part, offset);
        offset += part.length;
      }
      bytes.set(tail, offset);
    }
    if (bytes.length > this.#maxValueBytes) {
      throw new JsonRpcProtocolError(`a JSON value exceeds ${this.#maxValueBytes} bytes`);
    }
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#started = false;
    this.#depth = 0;
    this.#inString = false;
    this.#escape = false;
    this.#inScalar = false;
    return this.#decoder.decode(bytes);
  }
}

/** Scans one JSON value in `text` from `i` (no leading space); returns the index after it. */
function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return skipString(text, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const d = text[j];
      if (d === '"') j = skipString(text, j) - 1;
      else if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    throw new JsonRpcProtocolError('unexpected end of JSON input');
  }
  let j = i;
  while (j < text.length && !/[\s{}[\]",:]/.test(text[j] as string)) j++;
  return j;
}

function skipString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text[j];
    if (c === '\\') j++;
    else if (c === '"') return j + 1;
  }
  throw new JsonRpcProtocolError('unexpected end of JSON input');
}

function skipSpace(text: string, i: number): number {
  let j = i;
  while (j < text.length && /\s/.test(text[j] as string)) j++;
  return j;
}

/**
 * The members of a JSON object as raw JSON texts, keeping each value's exact bytes (a request's
 * `id` is echoed verbatim, as Go's `json.RawMessage` does). `text` must be valid JSON.
 */
export function rawMembers(text: string): Map<string, string> {
  const members = new Map<string, string>();
  let i = skipSpace(text, 0);
  if (text[i] !== '{') throw new JsonRpcProtocolError('a JSON-RPC request must be an object');
  i = skipSpace(text, i + 1);
  if (text[i] === '}') return members;
  for (;;) {
    const keyEnd = skipString(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipSpace(text, skipSpace(text, keyEnd) + 1); // past ':'
    const valueEnd = skipValue(text, i);
    members.set(key, text.slice(i, valueEnd));
    i = skipSpace(text, valueEnd);
    if (text[i] === '}') return members;
    i = skipSpace(text, i + 1); // past ','
  }
}

/** Looks a member up as Go's `encoding/json` does: exact name first, else case-insensitively. */
export function goField<T>(members: ReadonlyMap<string, T>, name: string): T | undefined {
  const exact = members.get(name);
  if (exact !== undefined) return exact;
  const lower = name.toLowerCase();
  for (const [key, value] of members) if (key.toLowerCase() === lower) return value;
  return undefined;
}

/** A decoded request: `{"method":"RPCServer.<M>","params":[<arg>],"id":n}`. */
export interface RpcRequest {
  /** The raw JSON text of `id`, echoed verbatim in the response (`null` when absent). */
  id: string;
  method: string;
  /** The parsed `params` (Go requires an array), or undefined when absent or null. */
  params: unknown;
}

/**
 * Decodes one request. A value that is not a request object is a connection-level failure in Go
 * (`rpc: server cannot decode request`), so this throws {@link JsonRpcProtocolError}.
 */
export function decodeRpcRequest(text: string): RpcRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new JsonRpcProtocolError(`rpc: server cannot decode request: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new JsonRpcProtocolError('rpc: server cannot decode request: not a JSON object');
  }
  const members = rawMembers(text);
  const methodRaw = goField(members, 'method');
  const method = methodRaw === undefined ? '' : (JSON.parse(methodRaw) as unknown);
  if (method !== null && typeof method !== 'string') {
    throw new JsonRpcProtocolError('rpc: server cannot decode request: method is not a string');
  }
  const paramsRaw = goField(members, 'params');
  return {
    id: goField(members, 'id') ?? 'null',
    method: method ?? '',
    params: paramsRaw === undefined ? undefined : (JSON.parse(paramsRaw) as unknown),
  };
}

/** Go's `json.Encoder` escapes these for HTML safety; we write the same bytes. */
function goEscape(json: string): string {
  return json.replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${(c.codePointAt(0) as number).toString(16).padStart(4, '0')}`,
  );
}

/** Go's JSON encoding of a value (`undefined` as `null`). */
export function goJson(value: unknown): string {
  return goEscape(JSON.stringify(value) ?? 'null');
}

/**
 * Encodes a response as Go's `jsonrpc` server codec does: `{"id":…,"result":…,"error":…}` and a
 * newline; `result` is null when there is an error.
 */
export function encodeRpcResponse(id: string, result: unknown, error: string | null): string {
  if (error !== null) return `{"id":${id},"result":null,"error":${goJson(error)}}\n`;
  return `{"id":${id},"result":${goJson(result)},"error":null}\n`;
}
