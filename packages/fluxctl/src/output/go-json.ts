/**
 * Encodes a value as Go's `json.Encoder.Encode` does: compact, one line, a trailing newline, and
 * `<`, `>`, `&`, U+2028 and U+2029 escaped (Go escapes HTML characters by default, so e.g. a policy
 * `semver:>=1.0` prints as `semver:\u003e=1.0`). These characters only occur inside JSON strings,
 * so replacing them in the whole text is safe. Key order is the value's own.
 */
export function goJsonLine(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return `${text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}
