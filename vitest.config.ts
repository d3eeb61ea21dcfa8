import { defineConfig } from 'vitest/config';

/**
 * Data tests (core, outbox, API) run on embedded PGlite, and again on real Postgres when
 * TEST_DATABASE_URL is set (CI sets it). Channel and browser tests run once, on Postgres
 * when it is available.
 */
const dataTests = ['test/core/**/*.test.ts', 'test/outbox/**/*.test.ts', 'test/api/**/*.test.ts'];
const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 90_000,
    // Two cores: keep parallelism modest so Postgres, Dovecot and Chromium tests don't starve.
    maxWorkers: 2,
    pool: 'forks',
    projects: [
      { extends: true as const, test: { name: 'data:pglite', include: dataTests, env: { TEST_ENGINE: 'pglite' } } },
      ...(onPostgres ? [{ extends: true as const, test: { name: 'data:postgres', include: dataTests, env: { TEST_ENGINE: 'postgres' } } }] : []),
      {
        extends: true as const,
        test: {
          name: 'channels',
          include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
          exclude: [...dataTests, '**/node_modules/**'],
          env: { TEST_ENGINE: onPostgres ? 'postgres' : 'pglite' },
        },
      },
    ],
  },
});
