/** TLS material and headers for one request to the API server. Holds credentials: never log it. */
export interface RequestAuth {
  /** CA bundle to trust (PEM); absent: the system's roots. */
  ca?: string | Buffer;
  /** Client certificate and key (PEM). */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** false only with `insecure-skip-tls-verify: true`. */
  rejectUnauthorized: boolean;
  /** `tls-server-name`: the name to verify the server's certificate against. */
  servername?: string;
  /** `Authorization` and the like. */
  headers: Record<string, string>;
}

/**
 * Where the API server is and how to authenticate to it: what flux-ts needs of a kubeconfig (or of
 * the in-cluster configuration), without loading a client library's generated API surface.
 */
export interface KubeConnection {
  /** The API server's URL, e.g. `https://127.0.0.1:6443`. */
  readonly server: string;
  /** The namespace of the current context, `default` when it names none. */
  readonly namespace: string;
  /** The context used, when the configuration came from a kubeconfig. */
  readonly contextName: string | undefined;
  /** TLS options and headers for a request (exec and file tokens are refreshed as they expire). */
  requestAuth(signal?: AbortSignal): Promise<RequestAuth>;
  /** A self-contained kubeconfig (YAML) naming only this connection, for child processes (kubectl). */
  kubeconfig(): Promise<string>;
}
