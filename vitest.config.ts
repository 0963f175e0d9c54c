import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts', '**/*.test.tsx'],
    // The browser end-to-end tests (editor/e2e/) run too: they wait for visible states with
    // bounded timeouts, and a failing one saves what the browser showed as artifacts/e2e/failed-*.png.
    exclude: ['node_modules/**', '**/dist/**'],
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
