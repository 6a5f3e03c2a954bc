/** One challenge of a `WWW-Authenticate` header, e.g. `Bearer realm="…",service="…"`. */
export interface AuthChallenge {
  /** Lower-cased scheme: `basic` or `bearer` for registries. */
  scheme: string;
  /** Parameters with lower-cased names. */
  params: Record<string, string>;
}

const token = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y;

/**
 * Parses a `WWW-Authenticate` header (RFC 7235) into its challenges. Quoted values may contain
 * commas and escaped quotes; unknown or malformed trailing input is ignored, never thrown.
 */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  let i = 0;
  const skip = (chars: RegExp): void => {
    while (i < header.length && chars.test(header.charAt(i))) i++;
  };
  const readToken = (): string | undefined => {
    token.lastIndex = i;
    const m = token.exec(header);
    if (!m) return undefined;
    i = token.lastIndex;
    return m[0];
  };
  const readQuoted = (): string => {
    let value = '';
    i++; // opening quote
    while (i < header.length && header[i] !== '"') {
      if (header[i] === '\\' && i + 1 < header.length) i++;
      value += header[i];
      i++;
    }
    i++; // closing quote
    return value;
  };

  while (i < header.length) {
    skip(/[\s,]/);
    const scheme = readToken();
    if (!scheme) break;
    const challenge: AuthChallenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(challenge);
    for (;;) {
      skip(/[\s,]/);
      const start = i;
      const name = readToken();
      skip(/\s/);
      if (!name || header[i] !== '=') {
        i = start; // the next challenge's scheme
        break;
      }
      i++;
      skip(/\s/);
      const value = header[i] === '"' ? readQuoted() : (readToken() ?? '');
      challenge.params[name.toLowerCase()] = value;
    }
  }
  return out;
}
