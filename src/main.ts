import { ConfigError, loadConfig } from './config.ts';
import { loadCatalogFile } from './core/catalog.ts';
import { CoreError } from './core/errors.ts';
import { EmbeddedDatabaseInUse } from './db/embedded-lock.ts';
import { logger } from './logger.ts';

/** `npm start`: one clear line and exit 1 on a bad environment or catalog; graceful on SIGTERM. */
async function main(): Promise<void> {
  let running: Awaited<ReturnType<typeof import('./runtime.ts').startSwitchboard>>;
  try {
    const config = loadConfig();
    const catalog = loadCatalogFile(config.catalogFile); // a bad catalog fails here, before the heavy imports
    // Loaded after the config is known good, so a bad value fails fast without loading every SDK.
    const { startSwitchboard } = await import('./runtime.ts');
    running = await startSwitchboard(config, { catalog });
    await keepRunningOnStrayErrors();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof CoreError || error instanceof EmbeddedDatabaseInUse) {
      process.stderr.write(`switchboard: ${error.message}\n`);
      process.exit(1);
    }
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(`switchboard: could not start: ${reason}\n`);
    process.exit(1);
  }
  let signals = 0;
  const shutdown = (signal: string) => {
    signals += 1;
    if (signals > 1) process.exit(1);
    logger.info({ signal }, 'shutting down: finishing in-flight requests and deliveries');
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

void main();

/**
 * Once started, an error that escapes every handler (a driver callback throwing on a dead socket,
 * a promise nobody awaited) is logged and counted, and the process keeps serving: every request
 * and delivery is its own transaction, so one failure is no reason to drop all the others.
 * Before start-up finishes, the same error still stops the process with one line.
 */
async function keepRunningOnStrayErrors(): Promise<void> {
  const { uncaughtErrors } = await import('./metrics.ts');
  const keep = (kind: 'exception' | 'rejection') => (error: unknown) => {
    uncaughtErrors.inc({ kind });
    logger.error({ err: error, kind }, 'uncaught error: logged, still running (this is a bug worth reporting)');
  };
  process.on('uncaughtException', keep('exception'));
  process.on('unhandledRejection', keep('rejection'));
}
