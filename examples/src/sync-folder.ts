// Applies a folder of manifests to a cluster the way fluxd syncs a git path: server-side apply,
// namespaces and CRDs first, every object stamped with Flux's garbage-collection mark; unchanged
// objects are not re-applied. With --gc-dry-run it then reports what garbage collection would
// delete (objects this sync set created earlier whose manifest is gone) and deletes nothing; with
// --gc it deletes them. A manifest that does not load is reported, the rest is applied, and garbage
// collection is refused for that run (nothing is deleted that could not be read).
//
//   pnpm -s build && node examples/dist/sync-folder.js <dir> [--gc-dry-run | --gc] \
//       [--kubeconfig <path>] [--context <name>] [--sync-set <name>]
//
// The sync set (default: derived from the folder's absolute path) names what this sync owns; two
// folders synced under different sets never collect each other's objects.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadManifests } from '@flux-ts/core';
import { ChangeAction, createKubeClient, syncResources, syncSetName } from '@flux-ts/k8s';
import { runMain, UsageError } from './cli.ts';

runMain(
  'sync-folder <dir> [--gc-dry-run | --gc] [--kubeconfig <path>] [--context <name>] [--sync-set <name>]',
  async () => {
    const { values, positionals } = parseArgs({
      allowPositionals: true,
      options: {
        gc: { type: 'boolean', default: false },
        'gc-dry-run': { type: 'boolean', default: false },
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        'sync-set': { type: 'string' },
      },
    });
    const [dir] = positionals;
    if (!dir || positionals.length > 1) throw new UsageError('expected one directory');
    if (values.gc && values['gc-dry-run']) throw new UsageError('--gc and --gc-dry-run exclude each other');

    const client = createKubeClient({ kubeconfigPath: values.kubeconfig, context: values.context });
    const { resources, errors } = await loadManifests(dir, { defaultNamespace: client.contextNamespace });
    for (const err of errors) console.error(`warning: ${err.message}`);

    const collect = values.gc || values['gc-dry-run'];
    const { changes, gc } = await syncResources(client, resources, {
      syncSetName: values['sync-set'] ?? syncSetName(`file://${resolve(dir)}`, '', []),
      loadErrors: errors.length,
      ...(collect ? { gc: { dryRun: values['gc-dry-run'] } } : {}),
    });

    for (const c of changes) console.log([c.action, c.id, c.reason ?? ''].join('\t').trimEnd());
    if (gc?.refused) console.log(`garbage collection refused: ${gc.refused}`);
    if (values['gc-dry-run']) for (const o of gc?.delete ?? []) console.log(`would delete\t${o.id}`);
    for (const s of gc?.skipped ?? []) console.log(`kept\t${s.id}\t${s.reason}`);

    const failed = changes.filter((c) => c.action === ChangeAction.Failed).length;
    if (failed > 0) throw new Error(`${failed} resource(s) failed to apply`);
  },
);
