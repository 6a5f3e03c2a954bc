import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is at packages/demo/{src,dist}/seed.*). */
export const repoRoot: string = fileURLToPath(new URL('../../../', import.meta.url));

/** The seed repository's manifests, in examples/getting-started. */
export const seedDir: string = join(repoRoot, 'examples/getting-started');

/** The registry host the seed manifests name; the demo rewrites it to its registry's address. */
export const PLACEHOLDER_REGISTRY = 'localhost:5000';

/** A sample image the demo pushes before fluxd starts. */
export interface SampleImage {
  repo: string;
  tag: string;
  created: string;
}

/**
 * The sample images: podinfo with semver tags (2.0.0 is outside `semver:~1.0`), app with
 * `main-build-N` tags whose creation times disagree with their string order, and redis for the
 * HelmRelease. The seed manifests run the newest allowed tag of each, so automation starts idle.
 */
export const SAMPLE_IMAGES: readonly SampleImage[] = [
  { repo: 'demo/podinfo', tag: '0.9.0', created: '2024-01-10T09:00:00Z' },
  { repo: 'demo/podinfo', tag: '1.0.0', created: '2024-02-01T09:00:00Z' },
  { repo: 'demo/podinfo', tag: '2.0.0', created: '2024-03-01T09:00:00Z' },
  { repo: 'demo/app', tag: 'main-build-9', created: '2024-02-20T18:30:00Z' },
  { repo: 'demo/app', tag: 'main-build-12', created: '2024-02-27T18:30:00Z' },
  { repo: 'demo/app', tag: 'main-build-17', created: '2024-03-05T18:30:00Z' },
  { repo: 'demo/redis', tag: '6.0.0', created: '2024-01-05T12:00:00Z' },
  { repo: 'demo/redis', tag: '6.2.0', created: '2024-03-01T12:00:00Z' },
];

/** The tag the demo pushes to show automation: newer than 1.0.0 and inside `semver:~1.0`. */
export const NEW_TAG: SampleImage = { repo: 'demo/podinfo', tag: '1.0.1', created: '2024-03-15T09:00:00Z' };

/** The image the demo releases by hand (the HelmRelease is not automated). */
export const MANUAL_RELEASE: SampleImage = { repo: 'demo/redis', tag: '6.2.0', created: '' };

/** The seed manifests (file name → text) with the registry placeholder replaced by `registryHost`. */
export async function seedFiles(
  registryHost: string,
  dir: string = seedDir,
): Promise<Record<string, string>> {
  const names = (await readdir(dir)).filter((n) => /\.ya?ml$/.test(n)).sort();
  const files: Record<string, string> = {};
  for (const name of names) {
    files[name] = (await readFile(join(dir, name), 'utf8')).replaceAll(PLACEHOLDER_REGISTRY, registryHost);
  }
  return files;
}
