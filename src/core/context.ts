import type { Db } from '../db/client.ts';
import type { EventView, TicketView } from './view.ts';

/** What every core command needs: the database, the clock, and the outbound channels that are on. */
export interface CoreContext {
  db: Db;
  now: () => Date;
  enabled: ReadonlySet<string>;
}

export interface CommandResult {
  ticket: TicketView;
  event: EventView | null;
  /** True when the idempotency key had been seen: nothing was written. */
  replayed: boolean;
}
