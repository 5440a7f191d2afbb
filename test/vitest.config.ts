import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// Load graphql the way Node does (CJS entry) everywhere, so the server code under test and its
// externalized dependencies (graphql-ws, Apollo) share one graphql realm.
const graphqlEntry = createRequire(new URL('../server/package.json', import.meta.url)).resolve('graphql');

export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlEntry }] },
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', ['json', { outputFile: 'test/.artifacts/results.json' }]],
  },
});
