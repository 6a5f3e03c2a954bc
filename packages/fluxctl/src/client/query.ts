/** Go's `url.QueryEscape`: everything but `[A-Za-z0-9-_.~]` percent-encoded, space as `+`. */
export function goQueryEscape(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * Go's `url.Values.Encode`, as fluxctl builds its queries: keys sorted, values escaped, empty values
 * still sent (`containerFields=&namespace=default&service=%3Call%3E`).
 */
export function encodeQuery(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .sort()
    .map((k) => `${goQueryEscape(k)}=${goQueryEscape(params[k] ?? '')}`)
    .join('&');
}
