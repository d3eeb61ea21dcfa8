import lockfile from 'proper-lockfile';
import { logger } from '../logger.ts';

/** Thrown when another live process holds the embedded database; main.ts prints it as one line. */
export class EmbeddedDatabaseInUse extends Error {
  override name = 'EmbeddedDatabaseInUse';
}

// proper-lockfile's lock is a directory whose mtime the holder refreshes every UPDATE_MS; a lock
// not refreshed for STALE_MS belongs to a process that is gone (kill -9, power cut) and is taken
// over. It works across containers sharing a volume, where a pid check would not.
const STALE_MS = 5_000;
const UPDATE_MS = 1_000;

/**
 * One process per embedded (PGlite) database: two processes writing one data folder corrupt it
 * (both number a ticket IT-7, and one of them is gone after a restart). Waits out a stale lock
 * left by a killed process, then holds the lock until the returned release is called.
 */
export async function lockEmbeddedDatabase(dir: string): Promise<() => Promise<void>> {
  try {
    return await lockfile.lock(dir, {
      stale: STALE_MS,
      update: UPDATE_MS,
      // A killed holder's lock goes stale within STALE_MS: try for a little longer than that.
      retries: { retries: 7, factor: 1, minTimeout: 1_000, maxTimeout: 1_000 },
      realpath: false,
      onCompromised(error) {
        // Someone else took the folder (or it vanished): say so loudly; the process keeps serving.
        logger.error({ err: error, dir }, 'embedded database lock lost: another process may be using this DATA_DIR');
      },
    });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ELOCKED') {
      throw new EmbeddedDatabaseInUse(
        `another Switchboard process is using the embedded database in ${dir}; the embedded database (PGlite) is for one process: stop the other one, give this one its own DATA_DIR, or set DATABASE_URL to a Postgres shared by every replica`,
      );
    }
    throw error;
  }
}
