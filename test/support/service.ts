import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { startSwitchboard, type Running } from '../../src/runtime.ts';
import { createThrowawayDatabase, dropDatabase, postgresUrl } from './db.ts';
import { freePort } from './net.ts';

export interface TestService {
  sb: Running;
  /** http://127.0.0.1:port — also PUBLIC_URL, so links and redirects point here. */
  url: string;
  stop(): Promise<void>;
}

/**
 * The whole service in-process on a known free port (PUBLIC_URL = its own address, as the
 * OIDC redirect and sign-in links need): PGlite in a temp dir, or a throwaway Postgres database.
 */
export async function startTestService(env: Record<string, string> = {}, options: Parameters<typeof startSwitchboard>[1] = {}): Promise<TestService> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-svc-'));
  const databaseUrl = postgresUrl ? await createThrowawayDatabase(postgresUrl) : undefined;
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const url = env.PUBLIC_URL ?? `http://127.0.0.1:${port}`;
  const sb = await startSwitchboard(
    loadConfig({ PORT: String(port), PUBLIC_URL: url, DATA_DIR: dataDir, API_TOKENS: 'test-token', LOG_LEVEL: 'warn', ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}), ...env }),
    { worker: { pollMs: 100, baseDelayMs: 50 }, ...options },
  );
  return {
    sb,
    url,
    async stop() {
      await sb.stop();
      if (databaseUrl) await dropDatabase(postgresUrl!, databaseUrl);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
