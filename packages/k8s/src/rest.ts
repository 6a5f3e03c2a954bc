import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeConnection } from './connection/kube-connection.ts';

// Requests sent per connection, for benchmarks and metrics (a WeakMap: no connection is kept alive).
const sent = new WeakMap<KubeConnection, number>();

/** How many requests {@link kubeRequest} has sent over this connection. */
export function requestCount(connection: KubeConnection): number {
  return sent.get(connection) ?? 0;
}

/** One answer of the API server, as raw JSON. */
export interface KubeResponse {
  status: number;
  body: unknown;
}

/** Options of {@link kubeRequest}. */
export interface KubeRequestOptions {
  method?: string;
  /** Path and query, e.g. `/apis/apps/v1/namespaces/x/deployments/y?fieldManager=flux`. */
  path: string;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

/**
 * A raw JSON request to the API server with the kubeconfig's credentials. flux-ts sends manifests as
 * they are: client-node's typed serializer would drop fields its models lack (`x-kubernetes-*`).
 */
// One keep-alive agent per connection: requests reuse TLS connections instead of each opening
// one (and building a TLS context from the CA bundle): thousands of applies stay cheap in CPU and memory.
const agents = new WeakMap<KubeConnection, HttpAgent>();

function agentFor(connection: KubeConnection, tls: boolean): HttpAgent {
  let agent = agents.get(connection);
  if (!agent) {
    const options = { keepAlive: true, maxSockets: 16, maxFreeSockets: 4, timeout: 60_000 };
    agent = tls ? new HttpsAgent(options) : new HttpAgent(options);
    agents.set(connection, agent);
  }
  return agent;
}

export async function kubeRequest(
  connection: KubeConnection,
  options: KubeRequestOptions,
): Promise<KubeResponse> {
  const url = new URL(options.path, connection.server);
  const auth = await connection.requestAuth(options.signal);
  const https: RequestOptions = {
    method: options.method ?? 'GET',
    hostname: url.hostname,
    port: url.port,
    path: `${url.pathname}${url.search}`,
    headers: { Accept: 'application/json', ...auth.headers },
    rejectUnauthorized: auth.rejectUnauthorized,
    ...(auth.ca ? { ca: auth.ca } : {}),
    ...(auth.cert ? { cert: auth.cert } : {}),
    ...(auth.key ? { key: auth.key } : {}),
    ...(auth.servername ? { servername: auth.servername } : {}),
  };
  const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
  if (payload) {
    https.headers = {
      ...https.headers,
      'Content-Type': options.contentType ?? 'application/json',
      'Content-Length': String(payload.length),
    };
  }
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
  https.agent = agentFor(connection, url.protocol !== 'http:');
  sent.set(connection, (sent.get(connection) ?? 0) + 1);
  return new Promise((resolve, reject) => {
    const req = send({ ...https, ...(options.signal ? { signal: options.signal } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = text === '' ? undefined : JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}
