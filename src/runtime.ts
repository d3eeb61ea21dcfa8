import { serve, type ServerType } from '@hono/node-server';
import type { Config } from './config.ts';
import { loadCatalogFile, syncCatalog, type Catalog } from './core/catalog.ts';
import { loadLinkSecret, TicketLinks } from './core/links.ts';
import type { CoreContext } from './core/tickets.ts';
import { buildChannels, enabledOutbound } from './channels/index.ts';
import type { Channel, ChannelDeps } from './channels/types.ts';
import type { TeamsOptions } from './channels/teams/options.ts';
import { openDatabase, type Database } from './db/client.ts';
import { migrate } from './db/migrate.ts';
import { logger } from './logger.ts';
import { DeliveryWorker } from './outbox/worker.ts';
import { countDeadLetters } from './outbox/dead-letters.ts';
import { countDeadDeliveriesWith } from './metrics.ts';
import { SlaScanner } from './core/sla/scanner.ts';
import { reportRoutes } from './api/reports.ts';
import { slaRoutes } from './api/sla.ts';
import { forecastRoutes } from './api/forecast.ts';
import { knowledgeRoutes } from './api/knowledge.ts';
import { overviewRoutes } from './api/overview.ts';
import { backfillDurations } from './core/durations.ts';
import { startKnowledge } from './knowledge/index.ts';
import type { KnowledgeWatch } from './knowledge/index-sync.ts';
import { buildServer } from './server.ts';
import { signInNotices } from './auth/sign-in-links.ts';

export interface Running {
  url: string;
  port: number;
  database: Database;
  core: CoreContext;
  catalog: Catalog;
  links: TicketLinks;
  worker: DeliveryWorker | null;
  slaScanner: SlaScanner | null;
  channels: Channel[];
  stop(): Promise<void>;
}

export interface StartOptions {
  now?: () => Date;
  /** Worker tuning for tests. */
  worker?: { pollMs?: number; baseDelayMs?: number; leaseMs?: number };
  /** SLA scanner tuning for tests. */
  slaScanner?: { intervalMs?: number; batchSize?: number };
  /** Teams overrides, e.g. a Bot Framework authentication pointed at local fakes. */
  teams?: TeamsOptions;
  /** Slack overrides, e.g. how soon failed event work is redone. */
  slack?: ChannelDeps['slack'];
  /** The catalog of `config.catalogFile`, when the caller has loaded it already (main.ts checks it first). */
  catalog?: Catalog;
}

/**
 * Assemble the service: open the database, migrate, load the catalog, build the
 * channels and the HTTP app, listen, and start the background workers.
 */
export async function startSwitchboard(config: Config, options: StartOptions = {}): Promise<Running> {
  if (config.logLevel) logger.level = config.logLevel;
  const catalog = options.catalog ?? loadCatalogFile(config.catalogFile);
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  let knowledge: KnowledgeWatch | undefined;
  try {
    await migrate(database);
    await syncCatalog(database.db, catalog);
    knowledge = await startKnowledge(database.db, config.knowledgeDir, catalog, logger);
  } catch (error) {
    await database.close();
    throw error;
  }
  const core: CoreContext = { db: database.db, now: options.now ?? (() => new Date()), enabled: enabledOutbound(config) };
  const links = new TicketLinks(await loadLinkSecret(database.db, config.linkSecret), config.publicUrl);
  const deps = { config, database, core, catalog, links, logger, teams: options.teams, slack: options.slack };
  const channels = await buildChannels(deps);
  const app = buildServer({ ...deps, channels, apiExtensions: [reportRoutes, slaRoutes, forecastRoutes, overviewRoutes, knowledgeRoutes(config.publicUrl)] });

  const server = await listen(app.fetch, config.port, config.host);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const worker = config.workers
    ? new DeliveryWorker({
        database,
        adapters: channels.flatMap((c) => (c.outbound ? [c.outbound] : [])),
        now: core.now,
        maxAttempts: config.deliveryMaxAttempts,
        maxBatchSize: config.deliveryMaxBatch,
        notices: signInNotices(config.publicUrl, core.now),
        maxAgeMs: config.deliveryMaxAgeMs,
        maxDelayMs: config.deliveryMaxBackoffMs,
        ...options.worker,
      })
    : null;
  await worker?.start();
  countDeadDeliveriesWith(() => countDeadLetters(database.db));
  // On Postgres a pass runs three batch lanes (SKIP LOCKED keeps them apart), so a backlog of due
  // clocks uses both cores (see SlaScannerOptions.concurrency); they hold 3 of the pool's 10
  // connections during a pass. PGlite has one connection, so one lane.
  const slaScanner = config.workers ? new SlaScanner({ core, concurrency: config.databaseUrl ? 3 : 1, ...options.slaScanner }) : null;
  slaScanner?.start();
  let backfillStopped = false;
  const backfill = config.workers
    ? backfillDurations(database.db, { stopped: () => backfillStopped })
        .then((done) => {
          if (done) logger.info({ tickets: done }, `ticket durations computed for ${done} tickets from before the reports upgrade`);
        })
        .catch((error: unknown) => logger.warn({ err: error }, 'ticket durations backfill stopped; it resumes at the next start'))
    : Promise.resolve();
  for (const channel of channels) await channel.start?.();
  for (const warning of config.warnings) logger.warn({ warning }, `WARNING: ${warning}`);
  const catalogName = config.catalogFile ?? 'built-in sample';
  const channelNames = channels.map((c) => c.name);
  const api = config.apiTokens.length > 0 ? 'on' : 'off';
  logger.info(
    { port, host: config.host, node: process.version, database: database.engine, catalog: catalogName, channels: channelNames, api, warnings: config.warnings },
    `Switchboard listening on ${config.publicUrl} (${config.host}:${port}) on Node ${process.version}; catalog ${catalogName}; channels ${channelNames.join(', ') || 'none'}; API ${api}; ${config.warnings.length ? `${config.warnings.length} warning(s): ${config.warnings.join(' | ')}` : 'no warnings'}`,
  );

  let stopping: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    database,
    core,
    catalog,
    links,
    worker,
    slaScanner,
    channels,
    stop() {
      stopping ??= (async () => {
        // Stop accepting, let in-flight requests finish, then drain background work.
        await new Promise<void>((resolve) => server.close(() => resolve()));
        for (const channel of channels) await channel.stop?.().catch((error: unknown) => logger.warn({ err: error, channel: channel.name }, 'channel stop failed'));
        knowledge?.close();
        backfillStopped = true;
        await backfill;
        await slaScanner?.stop();
        await worker?.stop();
        for (const channel of channels) channel.outbound?.close?.();
        countDeadDeliveriesWith(null);
        await database.close();
      })();
      return stopping;
    },
  };
}

function listen(fetch: Parameters<typeof serve>[0]['fetch'], port: number, hostname: string): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port, hostname }, () => resolve(server));
    server.once('error', reject);
  });
}
