import type { Database } from '../db/client.ts';
import type { CoreContext } from '../core/tickets.ts';
import type { Catalog } from '../core/catalog.ts';

export interface ApiVariables {
  core: CoreContext;
  database: Database;
  catalog: Catalog;
  /** The namespaced idempotency key of this request for a given operation, if the client sent one. */
  idempotencyKey: (operation: string) => string | undefined;
}

export type ApiEnv = { Variables: ApiVariables };
