import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// One project per package. Integration tests (`*.int.test.ts`) talk to real components that
// packages/testkit starts on 127.0.0.1; `pnpm test:unit` leaves them out.
const packages = readdirSync(new URL('./packages', import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

// Beyond the packages: the runnable examples (examples/src) and the whole-system suites (test/).
const extra = [
  { name: 'examples', root: './examples', include: ['src/**/*.test.ts'] },
  { name: 'system', root: './test', include: ['**/*.test.ts'] },
].filter((p) => existsSync(new URL(`${p.root}/`, import.meta.url)));

export default defineConfig({
  resolve: { conditions: ['@flux-ts/source'] },
  ssr: { resolve: { conditions: ['@flux-ts/source'] } },
  test: {
    globalSetup: [fileURLToPath(new URL('./packages/testkit/src/global-setup.ts', import.meta.url))],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    projects: [
      ...packages.map((name) => ({
        extends: true as const,
        test: { name, root: `./packages/${name}`, include: ['src/**/*.test.ts'] },
      })),
      ...extra.map((p) => ({
        extends: true as const,
        test: {
          name: p.name,
          root: p.root,
          include: p.include,
          exclude: ['**/node_modules/**', '**/dist/**'],
        },
      })),
    ],
  },
});
