import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: keep parallelism modest so Postgres, Dovecot and Chromium tests don't starve.
    maxWorkers: 2,
    pool: 'forks',
  },
});
