import type { CoreContext } from '../../src/core/context.ts';
import { freshDatabase, type TestDatabase } from './db.ts';
import { forSuite } from './suite.ts';

/** A fresh, migrated database (freshDatabase) for the file or describe block it is called in, dropped after its last story. */
export function databaseForSuite(options?: Parameters<typeof freshDatabase>[0]): TestDatabase {
  return forSuite(
    () => freshDatabase(options),
    (database) => database.drop(),
  );
}

/**
 * That database and the core context commands run in: its clock (`now`) and the outbound
 * channels that are on (deliveries are planned for those only).
 */
export function coreForSuite(now: () => Date, enabled: string[] = [], options?: Parameters<typeof freshDatabase>[0]): { database: TestDatabase; ctx: CoreContext } {
  const database = databaseForSuite(options);
  const ctx: CoreContext = {
    get db() {
      return database.db;
    },
    now,
    enabled: new Set(enabled),
  };
  return { database, ctx };
}
