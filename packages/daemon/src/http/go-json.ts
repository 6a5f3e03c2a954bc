/**
 * Go's `encoding/json` escapes that `JSON.stringify` does not make: HTML-sensitive characters,
 * the JavaScript line separators, `\b`/`\f` as `\u00XX`, and unpaired surrogates (invalid UTF-8 in
 * Go) as U+FFFD.
 */
const GO_ESCAPES: Readonly<Record<string, string>> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
  '\\b': '\\u0008',
  '\\f': '\\u000c',
};

// An escape sequence is consumed whole, so `\\b` (an escaped backslash, then `b`) is left alone.
const ESCAPE_OR_SPECIAL = /\\u[0-9a-fA-F]{4}|\\.|[<>&\u2028\u2029]/g;
const LONE_SURROGATE = /^\\ud[89a-f]/i;

/**
 * Encodes a value byte-for-byte as Go's `json.Marshal` does for the same data: compact, no
 * trailing newline, `<`, `>` and `&` escaped (`"<all>"` is `"\u003call\u003e"`).
 */
export function goJson(value: unknown): string {
  const json = JSON.stringify(value) ?? 'null';
  return json.replace(ESCAPE_OR_SPECIAL, (m) => {
    if (m.length === 6 && LONE_SURROGATE.test(m)) return '\\ufffd';
    return GO_ESCAPES[m] ?? m;
  });
}
