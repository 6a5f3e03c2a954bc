import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';

/**
 * The key ID Docker Distribution expects in a token's `kid`: libtrust's fingerprint of the public key
 * (SHA-256 of the SPKI DER, first 30 bytes, base32 without padding, 12 groups of 4 joined by `:`).
 */
export function libtrustKeyId(publicKey: KeyObject): string {
  const digest = createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest()
    .subarray(0, 30);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of digest) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return (out.match(/.{4}/g) ?? []).join(':');
}

export interface TokenServerOptions {
  port: number;
  keyPem: string;
  certPem: string;
  issuer: string;
  username: string;
  password: string;
}

/** A running token server. `requests` counts token requests, for tests of token caching. */
export interface TokenServer {
  readonly url: string;
  readonly requests: number;
  close(): Promise<void>;
}

const b64u = (data: string | Buffer): string => Buffer.from(data).toString('base64url');

/**
 * A minimal Docker token server (the Bearer realm of a registry configured with `auth.token`): grants
 * the requested scopes to the configured user, and an empty grant to anyone else, signed ES256.
 */
export function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const key = createPrivateKey(options.keyPem);
  const kid = libtrustKeyId(createPublicKey(options.certPem));
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    const url = new URL(req.url ?? '/', 'http://token');
    const basic = (req.headers.authorization ?? '').replace(/^Basic /i, '');
    const [user, pass] = Buffer.from(basic, 'base64').toString().split(':');
    const authenticated = user === options.username && pass === options.password;
    const access = url.searchParams.getAll('scope').map((scope) => {
      const parts = scope.split(':');
      const actions = (parts.pop() ?? '').split(',');
      const [type, ...name] = parts;
      return { type, name: name.join(':'), actions: authenticated ? actions : [] };
    });
    const now = Math.floor(Date.now() / 1000);
    const header = b64u(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid }));
    const claims = b64u(
      JSON.stringify({
        iss: options.issuer,
        sub: authenticated ? user : '',
        aud: url.searchParams.get('service'),
        exp: now + 300,
        nbf: now - 10,
        iat: now,
        jti: `${now}-${requests}`,
        access,
      }),
    );
    const input = `${header}.${claims}`;
    const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
    const token = `${input}.${b64u(signature)}`;
    res.setHeader('Content-Type', 'application/json');
    res.end(
      JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${options.port}/token`,
        get requests() {
          return requests;
        },
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}
