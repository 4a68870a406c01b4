import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Bundles under test import 'dbx-ts': give them these sources, as bin/dbx-ts.mjs does in a clone
  // (the package's exports point at dist/, which only the package build writes).
  resolve: { alias: [{ find: /^dbx-ts$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) }] },
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
