import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'apps/*/e2e/**/*.test.ts'],
    setupFiles: ['./vitest.setup.ts'],
    reporters: ['default', './vitest.summary-reporter.ts'],
    testTimeout: 60_000,
  },
});
