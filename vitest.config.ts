import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 has no "exports" map: Node (and every library) loads its CommonJS build, Vite would pick
    // the .mjs one, and two copies of graphql refuse each other's types. Point Vite where Node goes.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // One Kith (and one PGlite, which takes seconds to start) per worker, shared by its test files;
    // every test makes its own data, so files do not depend on each other's order.
    isolate: false,
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
