import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { startSwitchboard, type Running, type StartOptions } from '../../src/runtime.ts';
import { createThrowawayDatabase, dropDatabase, postgresUrl } from '../support/db.ts';
import { forSuite } from '../support/suite.ts';

/**
 * The whole service in-process for the file or describe block it is called in (see forSuite):
 * PGlite in a temp DATA_DIR, or a throwaway database next to TEST_DATABASE_URL, with no
 * background workers and no logs unless `env` says otherwise (a function is read when the
 * service starts, after the hooks registered before this call have run, e.g. one that writes a
 * folder the service reads). Stories (and hooks registered after this call, e.g. one that seeds
 * history) use it as the running service.
 */
export function apiServiceForSuite(env: Record<string, string> | (() => Record<string, string>), options: StartOptions = {}): Running {
  let dataDir = '';
  let dbUrl: string | undefined;
  return forSuite(
    async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-api-'));
      dbUrl = postgresUrl ? await createThrowawayDatabase(postgresUrl) : undefined;
      return startSwitchboard(loadConfig({ PORT: '0', DATA_DIR: dataDir, DATABASE_URL: dbUrl, WORKERS: 'off', LOG_LEVEL: 'silent', ...(typeof env === 'function' ? env() : env) }), options);
    },
    async (app) => {
      await app.stop();
      if (dbUrl) await dropDatabase(postgresUrl!, dbUrl);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  );
}

/** A request to the service's /api/v1 with a bearer token: a JSON body (a string goes as it is) and extra headers. */
export function apiCaller(app: Running, token: string) {
  return (method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${app.url}/api/v1${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
}
