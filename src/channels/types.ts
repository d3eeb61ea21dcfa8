import type { Hono } from 'hono';
import type { Config } from '../config.ts';
import type { Catalog } from '../core/catalog.ts';
import type { TicketLinks } from '../core/links.ts';
import type { CoreContext } from '../core/tickets.ts';
import type { Database } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import type { OutboundAdapter } from '../outbox/adapter.ts';
import type { KeptEventsOptions } from './slack/redo.ts';
import type { TeamsOptions } from './teams/options.ts';

/** What a channel gets to work with. */
export interface ChannelDeps {
  config: Config;
  database: Database;
  core: CoreContext;
  catalog: Catalog;
  links: TicketLinks;
  logger: Logger;
  /** Teams overrides (tests inject the Bot Framework authentication). */
  teams?: TeamsOptions | undefined;
  /** Slack tuning for tests (how soon failed event work is redone). */
  slack?: { redo?: KeptEventsOptions } | undefined;
}

/**
 * A channel (slack, teams, email, web, webhook): an inbound half (HTTP routes and/or a
 * background poller) and an outbound half (an adapter the delivery worker calls).
 */
export interface Channel {
  name: string;
  /** Mount inbound HTTP routes on the app. */
  routes?(app: Hono): void;
  outbound?: OutboundAdapter;
  /** Start background work (pollers, sockets). Called after the HTTP server listens. */
  start?(): Promise<void>;
  stop?(): Promise<void>;
}
