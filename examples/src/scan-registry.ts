// Scans one image repository in a registry and prints the newest tag each tag filter admits, the
// way fluxd's automation chooses a tag: `semver:` filters order by version, `glob:` and `regexp:`
// filters by the images' creation time (read from each image's config, fetched once per digest).
//
//   pnpm -s build && node examples/dist/scan-registry.js [--insecure] <repository> [<filter>...]
//   e.g. node examples/dist/scan-registry.js ghcr.io/fluxcd/flux 'semver:~1.24' 'glob:1.2*'
//        node examples/dist/scan-registry.js --insecure 127.0.0.1:5000/app 'semver:^1' 'regexp:^main-'
//
// Filters default to `glob:*`. `--insecure` talks plain HTTP (a local registry).
import { parseArgs } from 'node:util';
import { type Logger, latestAllowed, noopLogger, parseTagPattern } from '@flux-ts/core';
import { createCacheStore, createRegistryClient, createScanner } from '@flux-ts/registry';
import { runMain, UsageError } from './cli.ts';

runMain('scan-registry [--insecure] <repository> [<filter>...]', async () => {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { insecure: { type: 'boolean', default: false } },
  });
  const [repository, ...given] = positionals;
  if (!repository) throw new UsageError('expected an image repository, e.g. ghcr.io/org/app');
  const filters = (given.length > 0 ? given : ['glob:*']).map((f) => parseTagPattern(f));

  // Libraries never print: they log through an injected Logger. Show their warnings on stderr.
  const logger: Logger = {
    ...noopLogger,
    warn: (fields, message) => console.error(`warning: ${message} ${JSON.stringify(fields)}`),
  };
  const scanner = createScanner({
    clientFor: (host) => createRegistryClient({ host, insecure: values.insecure, logger }),
    cache: await createCacheStore({ kind: 'memory' }),
    logger,
  });
  const repo = await scanner.refresh(repository); // the tag list, then every tag's metadata
  console.log(`${repo.name}: ${repo.tags.length} tag(s)`);
  for (const filter of filters) {
    const newest = latestAllowed(repo.images, filter);
    const created = newest?.createdAt ? ` (created ${newest.createdAt.toISOString()})` : '';
    console.log(`${filter.toString()}\t${newest ? `${newest.ref.tag}${created}` : '(no tag matches)'}`);
  }
});
