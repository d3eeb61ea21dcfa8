import type { KnipConfig } from 'knip';

/**
 * Unused files, exports and dependencies fail CI (`npx knip`). Entry points beyond what knip
 * finds on its own (package.json scripts, bin, vitest): files loaded by path at run time.
 */
const config: KnipConfig = {
  entry: [
    'src/cli.ts',
    'bench/*.ts',
    'scripts/*.ts',
    // Spawned by path (`tsx worker-process.ts`) in the kill -9 test.
    'test/outbox/fixtures/worker-process.ts',
    // Served as files to the browser (strict CSP: no inline scripts).
    'src/channels/web/assets/*.js',
  ],
  project: ['src/**/*.{ts,tsx}', 'test/**/*.{ts,tsx}', 'bench/**/*.ts', 'scripts/**/*.{ts,mjs}', 'bin/*.mjs'],
  // An export used in its own file is not dead code.
  ignoreExportsUsedInFile: true,
  ignoreDependencies: [
    // Resolved by path (createRequire().resolve) to serve Swagger UI offline.
    'swagger-ui-dist',
    // Injected into Chromium pages by path (test/channels/web/browser.ts).
    'axe-core',
  ],
  // The fakes are libraries for test authors: their exported types are their documentation.
  ignoreIssues: { 'test/fakes/**': ['types'] },
  // bench/ drives the system's pgbench (postgresql-contrib) for its TPC-B anchor.
  ignoreBinaries: ['pgbench', 'perf'],
};

export default config;
