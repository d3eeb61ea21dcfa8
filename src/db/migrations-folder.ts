import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The SQL migrations drizzle-kit writes (migrations/NNNN_*.sql and meta/_journal.json). */
export const migrationsFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');
