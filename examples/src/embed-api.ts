// Embeds the Flux v1 HTTP API in another express app. The daemon's router (`createApiRouter`)
// serves any `FluxApi` object; here a small read-only one over a cluster and a folder of manifests:
// `/api/flux/v11/services` lists the cluster's workloads with the policies their manifests carry
// in the folder, `/api/flux/v6/export` dumps the cluster, `/api/flux/v6/identity.pub` shows a deploy
// key. Everything else answers Flux's JSON error. The host app keeps its own routes beside it, and
// `fluxctl --url http://127.0.0.1:3030/api/flux list-workloads` works against it.
//
//   pnpm -s build && node examples/dist/embed-api.js <dir> [--port 3030] [--kubeconfig <path>] \
//       [--identity <ssh private key>]
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ErrorKind, type FluxApi, FluxError, loadManifests, type PublicKeyJson } from '@flux-ts/core';
import { API_PREFIX, buildServiceStatuses, createApiRouter, RepoState } from '@flux-ts/daemon';
import { describeSshKey } from '@flux-ts/git';
import { createKubeClient, exportCluster, listWorkloads } from '@flux-ts/k8s';
import express from 'express';
import { runMain, UsageError } from './cli.ts';

/** What a read-only API answers to jobs, releases, notifications and the like. */
function notServed(what: string): never {
  throw new FluxError(`${what} is not served by this read-only API`, {
    code: 'example.read-only',
    kind: ErrorKind.User,
    help: 'This example only lists workloads; run fluxd for syncs, jobs and releases.',
  });
}

runMain('embed-api <dir> [--port <n>] [--kubeconfig <path>] [--identity <ssh private key>]', async () => {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      port: { type: 'string', default: '3030' },
      kubeconfig: { type: 'string' },
      identity: { type: 'string' },
    },
  });
  const [dir] = positionals;
  const port = Number(values.port);
  if (!dir || positionals.length > 1) throw new UsageError('expected one directory');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`bad port: ${values.port}`);

  const client = createKubeClient({ kubeconfigPath: values.kubeconfig });
  const identity: PublicKeyJson = values.identity
    ? await describeSshKey(values.identity)
    : { key: '', fingerprints: null };

  const api: FluxApi = {
    async ping() {},
    async version() {
      return 'embed-api-example';
    },
    async listServices({ namespace, services }, options) {
      const namespaces = namespace ? [namespace] : undefined;
      const [live, manifests] = await Promise.all([
        listWorkloads(client, { namespaces, signal: options?.signal }),
        loadManifests(dir, { defaultNamespace: client.contextNamespace }),
      ]);
      const wanted = services?.length ? new Set(services) : undefined;
      return buildServiceStatuses({
        workloads: live.filter((w) => !wanted || wanted.has(w.id)),
        repo: new Map(manifests.resources.map((r) => [r.id.toString(), r])),
        repoState: RepoState.Ready,
        readOnly: true,
        syncErrors: new Map(),
      });
    },
    async export() {
      return exportCluster(client);
    },
    async gitRepoConfig(regenerate) {
      if (regenerate) notServed('regenerating the deploy key');
      const remote = { url: `file://${resolve(dir)}`, branch: '', path: '' };
      return { remote, publicSSHKey: identity, status: 'ready', errors: '' };
    },
    listImages: async () => notServed('listing images'),
    notifyChange: async () => notServed('notify'),
    updateManifests: async () => notServed('updating manifests'),
    jobStatus: async () => notServed('job status'),
    syncStatus: async () => notServed('sync status'),
    explain: async () => notServed('why'),
    syncErrors: async () => [],
  };

  const app = express();
  app.get('/', (_req, res) => {
    res.json({ app: 'embed-api-example', fluxApi: API_PREFIX });
  });
  app.use(API_PREFIX, createApiRouter(api));

  const server = app.listen(port, '127.0.0.1', () => {
    const address = server.address();
    const bound = typeof address === 'object' && address ? address.port : port;
    console.log(`listening on http://127.0.0.1:${bound} (Flux API under ${API_PREFIX})`);
  });
  server.on('error', (err) => {
    console.error(`error: cannot listen on 127.0.0.1:${port}: ${err.message}`);
    process.exit(1);
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => server.close());
});
