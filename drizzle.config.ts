import { defineConfig } from 'drizzle-kit';

// `npm run db:generate` writes SQL into migrations/; the same journal serves PGlite and Postgres.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './migrations',
});
