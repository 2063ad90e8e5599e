import { defineConfig } from 'vitest/config';

// `octavo/testing` resolves to the TypeScript sources in this repository (the `octavo-source`
// export condition) and to the compiled dist/ in the published package.
export default defineConfig({
  resolve: { conditions: ['octavo-source'] },
  ssr: { resolve: { conditions: ['octavo-source'], externalConditions: ['octavo-source'] } },
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['test/helpers/web-bundle.setup.ts'],
  },
});
