import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// One project per package. Integration tests (`*.int.test.ts`) talk to real components that
// packages/testkit starts on 127.0.0.1; `pnpm test:unit` leaves them out.
const packages = readdirSync(new URL('./packages', import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

export default defineConfig({
  resolve: { conditions: ['@flux-ts/source'] },
  ssr: { resolve: { conditions: ['@flux-ts/source'] } },
  test: {
    globalSetup: [fileURLToPath(new URL('./packages/testkit/src/global-setup.ts', import.meta.url))],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    projects: packages.map((name) => ({
      extends: true,
      test: {
        name,
        root: `./packages/${name}`,
        include: ['src/**/*.test.ts'],
      },
    })),
  },
});
