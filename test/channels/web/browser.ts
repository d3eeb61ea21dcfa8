import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadConfig } from '../../../src/config.ts';
import { startSwitchboard, type Running } from '../../../src/runtime.ts';
import { createThrowawayDatabase, dropDatabase, postgresUrl } from '../../support/db.ts';
import { freePort } from '../../support/net.ts';

/** Debian's chromium (apt-get install chromium); .ci/run installs it. */
export const CHROMIUM = '/usr/bin/chromium';
export const chromiumAvailable = fs.existsSync(CHROMIUM);

if (!chromiumAvailable) {
  if (process.env.CI) throw new Error(`${CHROMIUM} is missing: the web tests must run in CI (install the Debian package "chromium")`);
  console.warn(`\n*** SKIPPING the web browser tests: ${CHROMIUM} is missing. Install the Debian package "chromium" (apt-get install chromium). ***\n`);
}

export const ARTIFACTS = path.resolve(import.meta.dirname, '../../../test-artifacts/web');

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  });
}

export interface Service {
  sb: Running;
  /** Absolute URL on the running service. */
  at(pathAndQuery: string): string;
  /** The requester's signed ticket page, as the running service signs it. */
  ticketUrl(key: string, email: string, signedAt?: Date): string;
  // biome-ignore lint/suspicious/noExplicitAny: API JSON under test; what a test reads it asserts.
  api(method: string, pathAndQuery: string, body?: unknown): Promise<{ status: number; json: any }>;
  stop(): Promise<void>;
}

export interface ServiceOptions {
  /** On a known free port that is also PUBLIC_URL, so emailed links point at this service. */
  publicUrl?: boolean;
}

/** The real service in-process: PGlite in a temp dir, or a throwaway Postgres database; `env` adds to its environment (e.g. SMTP_URL). */
export async function startService(env: Record<string, string> = {}, options: ServiceOptions = {}): Promise<Service> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-web-'));
  const databaseUrl = postgresUrl ? await createThrowawayDatabase(postgresUrl) : undefined;
  const port = options.publicUrl ? await freePort() : 0;
  const sb = await startSwitchboard(
    loadConfig({
      PORT: String(port),
      ...(options.publicUrl ? { PUBLIC_URL: `http://127.0.0.1:${port}` } : {}),
      DATA_DIR: dataDir,
      API_TOKENS: 'test-token',
      LOG_LEVEL: 'warn',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      ...env,
    }),
    { worker: { pollMs: 50, baseDelayMs: 50 } },
  );
  const at = (p: string) => `${sb.url}${p}`;
  return {
    sb,
    at,
    ticketUrl(key, email, signedAt) {
      const signed = new URL(sb.links.url(key, email, signedAt ? { now: signedAt } : {}));
      return at(`${signed.pathname}${signed.search}`);
    },
    async api(method, p, body) {
      const response = await fetch(at(`/api/v1${p}`), {
        method,
        headers: { authorization: 'Bearer test-token', ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : null,
      });
      return { status: response.status, json: await response.json() };
    },
    async stop() {
      await sb.stop();
      if (databaseUrl) await dropDatabase(postgresUrl!, databaseUrl);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, name), fullPage: true });
}

/** axe-core in the page: the serious and critical violations, as readable lines. */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: path.resolve(import.meta.dirname, '../../../node_modules/axe-core/axe.min.js') });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown }> }> }> } }).axe;
    const result = await axe.run();
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => JSON.stringify(n.target)) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.targets.join(', ')}`);
}
