/** The `rel="next"` target of a `Link` header (RFC 8288), or undefined. */
export function nextLink(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (m && /;\s*rel="?next"?/i.test(m[2] ?? '')) return m[1];
  }
  return undefined;
}
