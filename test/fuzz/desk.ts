import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { startSwitchboard, type Running } from '../../src/runtime.ts';
import type { StartOptions } from '../../src/runtime.ts';
import { createThrowawayDatabase, dropDatabase, postgresUrl } from '../support/db.ts';

/**
 * A desk for the fuzz suites: the real service on a throwaway database on TEST_DATABASE_URL's
 * server (CI), else embedded PGlite; API on, background workers off (fuzzing is about
 * what the inbound routes answer). No vitest import: bench/fuzz.ts uses it too.
 */
export async function startFuzzDesk(env: Record<string, string> = {}, options: StartOptions = {}): Promise<{ sb: Running; token: string; stop(): Promise<void> }> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-fuzz-'));
  const token = 'fuzz-token';
  const databaseUrl = postgresUrl ? await createThrowawayDatabase(postgresUrl) : undefined;
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: path.join(tmp, 'data'),
    API_TOKENS: token,
    WORKERS: 'off',
    LINK_SECRET: 'fuzz-link-secret-0123456789abcdef',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...env,
  });
  const sb = await startSwitchboard(config, options);
  return {
    sb,
    token,
    async stop() {
      await sb.stop();
      if (databaseUrl) await dropDatabase(postgresUrl!, databaseUrl);
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** fast-check settings: FUZZ_RUNS / FUZZ_SECONDS override (bench/fuzz.ts raises them). */
export function fuzzSettings(defaultRuns: number, defaultSeconds: number) {
  const runs = Number(process.env.FUZZ_RUNS) || defaultRuns;
  const seconds = Number(process.env.FUZZ_SECONDS) || defaultSeconds;
  return { numRuns: runs, interruptAfterTimeLimit: seconds * 1000, ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}) };
}
