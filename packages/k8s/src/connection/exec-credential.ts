import { execFile } from 'node:child_process';
import { KubeConfigError } from './kubeconfig-error.ts';
import type { KubeconfigExec } from './kubeconfig-file.ts';

/** What an exec plugin returned: a token or a client certificate, until `expiresAt`. */
export interface ExecCredential {
  token?: string;
  cert?: string;
  key?: string;
  /** Epoch ms; undefined: valid until the process ends. */
  expiresAt?: number;
}

interface ExecCredentialJson {
  status?: {
    token?: string;
    clientCertificateData?: string;
    clientKeyData?: string;
    expirationTimestamp?: string;
  };
}

/**
 * Runs an exec credential plugin (`users[].user.exec`, as EKS, GKE and AKS kubeconfigs use) the way
 * client-go does: environment from the entry, `KUBERNETES_EXEC_INFO` set, ExecCredential JSON on stdout.
 */
export async function runExecPlugin(
  exec: KubeconfigExec,
  user: string,
  options: { cwd?: string; signal?: AbortSignal; cluster?: { server: string; caData?: string } } = {},
): Promise<ExecCredential> {
  const apiVersion = exec.apiVersion ?? 'client.authentication.k8s.io/v1';
  const info = {
    apiVersion,
    kind: 'ExecCredential',
    spec: {
      interactive: false,
      ...(exec.provideClusterInfo && options.cluster
        ? {
            cluster: {
              server: options.cluster.server,
              ...(options.cluster.caData ? { 'certificate-authority-data': options.cluster.caData } : {}),
            },
          }
        : {}),
    },
  };
  const env: NodeJS.ProcessEnv = { ...process.env, KUBERNETES_EXEC_INFO: JSON.stringify(info) };
  for (const e of exec.env ?? []) env[e.name] = e.value;
  const stdout = await new Promise<string>((resolveOut, reject) => {
    execFile(
      exec.command,
      exec.args ?? [],
      {
        env,
        maxBuffer: 4 << 20,
        timeout: 60_000,
        ...(options.cwd ? { cwd: options.cwd } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      },
      (err, out, stderr) => {
        if (!err) return resolveOut(out);
        const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
        // Only the first line of stderr: plugins print their own diagnostics, never the credential there.
        const first = String(stderr).trim().split('\n')[0]?.slice(0, 300) ?? '';
        reject(
          new KubeConfigError(
            missing
              ? `the credential plugin ${exec.command} of user ${user} is not installed`
              : `the credential plugin ${exec.command} of user ${user} failed${first ? `: ${first}` : ''}`,
            exec.installHint?.trim() ||
              `Run ${exec.command} by hand to see why, or use another kubeconfig user.`,
            { cause: err },
          ),
        );
      },
    );
  });
  let parsed: ExecCredentialJson;
  try {
    parsed = JSON.parse(stdout) as ExecCredentialJson;
  } catch {
    throw new KubeConfigError(
      `the credential plugin ${exec.command} of user ${user} printed something other than ExecCredential JSON`,
      'Check the plugin and its apiVersion in the kubeconfig.',
    );
  }
  const status = parsed.status ?? {};
  if (!status.token && !(status.clientCertificateData && status.clientKeyData)) {
    throw new KubeConfigError(
      `the credential plugin ${exec.command} of user ${user} returned neither a token nor a client certificate`,
      'Check the plugin and its apiVersion in the kubeconfig.',
    );
  }
  const expiresAt = status.expirationTimestamp ? Date.parse(status.expirationTimestamp) : Number.NaN;
  return {
    ...(status.token ? { token: status.token } : {}),
    ...(status.clientCertificateData ? { cert: status.clientCertificateData } : {}),
    ...(status.clientKeyData ? { key: status.clientKeyData } : {}),
    ...(Number.isNaN(expiresAt) ? {} : { expiresAt }),
  };
}
