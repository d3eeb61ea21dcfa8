import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { apiApp } from '../../src/api/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createThrowawayDatabase, dropDatabase, postgresUrl } from '../support/db.ts';
import { startFuzzDesk } from '../fuzz/desk.ts';

const root = path.resolve(import.meta.dirname, '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-defaults-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The real entry point, stopped once it has printed its start-up line (or exited). */
function runMain(env: Record<string, string>): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: path.join(tmp, `data-${Math.random()}`), PORT: '0', WORKERS: 'off', ...env },
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('Switchboard listening')) child.kill('SIGTERM');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

describe('safe defaults at start', { timeout: 90_000 }, () => {
  it('Teams without an app id binds to 127.0.0.1 only and says so; a chat channel on a localhost PUBLIC_URL warns', () => {
    const local = loadConfig({ TEAMS_ENABLED: '1' });
    expect(local.host).toBe('127.0.0.1');
    expect(local.warnings.join('\n')).toMatch(/TEAMS_ENABLED=1 without TEAMS_APP_ID.*127\.0\.0\.1 only/);
    expect(local.warnings.join('\n')).toMatch(/PUBLIC_URL is unset/);
    const real = loadConfig({ TEAMS_APP_ID: 'app', TEAMS_APP_PASSWORD: 'pw', PUBLIC_URL: 'https://desk.example.com' });
    expect(real.host).toBe('0.0.0.0');
    expect(real.warnings).toEqual([]);
    expect(loadConfig({ SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxb-1', PUBLIC_URL: 'http://127.0.0.1:3000' }).warnings[0]).toMatch(/Slack on, but PUBLIC_URL is http:\/\/127\.0\.0\.1:3000/);
    expect(loadConfig({}).warnings).toEqual([]);
  });

  it('a bad LOG_LEVEL stops start-up with one line naming it (not a stack from the logger)', async () => {
    const { code, stderr } = await runMain({ LOG_LEVEL: 'loud' });
    expect(code).toBe(1);
    expect(stderr.trim()).toBe('switchboard: invalid configuration: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")');
  });

  it('the start-up line names the catalog, the channels, whether the API is on, and the warnings', async () => {
    const databaseUrl = postgresUrl ? await createThrowawayDatabase(postgresUrl) : undefined;
    const { stdout } = await runMain({ TEAMS_ENABLED: '1', LOG_LEVEL: 'info', ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) });
    if (databaseUrl) await dropDatabase(postgresUrl!, databaseUrl);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const start = lines.find((l) => String(l.msg).startsWith('Switchboard listening'))!;
    expect(start).toMatchObject({ catalog: 'built-in sample', channels: expect.arrayContaining(['teams']), api: 'off', host: '127.0.0.1' });
    // The service runs on the Node the `node` dependency installs (24), not the machine's own.
    expect(start.node).toMatch(/^v2[4-9]\./);
    expect(String(start.msg)).toContain(`on Node ${String(start.node)};`);
    expect(start.warnings).toHaveLength(2);
    expect(String(start.msg)).toMatch(/catalog built-in sample; channels .*teams.*; API off; 2 warning\(s\): TEAMS_ENABLED=1 without TEAMS_APP_ID/);
    expect(lines.filter((l) => l.level === 40 && String(l.msg).startsWith('WARNING:'))).toHaveLength(2);
  });

});

describe('/api/v1/docs, and where Teams without an app id listens', { timeout: 90_000 }, () => {
  it('serves Swagger UI from our own routes (no CDN) when the API is on; Teams without an app id is not reachable from another interface', async () => {
    const desk = await startFuzzDesk({ TEAMS_ENABLED: '1' });
    try {
      const page = await (await fetch(`${desk.sb.url}/api/v1/docs`)).text();
      expect(page).toContain('/api/v1/docs/swagger-ui-bundle.js');
      expect(page).not.toMatch(/https?:\/\//);
      for (const asset of ['swagger-ui-bundle.js', 'swagger-ui.css', 'init.js']) {
        const response = await fetch(`${desk.sb.url}/api/v1/docs/${asset}`);
        expect(response.status).toBe(200);
        expect((await response.text()).length).toBeGreaterThan(50);
      }
      const external = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
      // A sandbox with loopback only has nothing else to connect from.
      if (external) {
        const reached = await new Promise<boolean>((resolve) => {
          const socket = net.connect({ host: external, port: desk.sb.port }, () => {
            socket.destroy();
            resolve(true);
          });
          socket.on('error', () => resolve(false));
        });
        expect(reached).toBe(false);
      }
    } finally {
      await desk.stop();
    }
  });

  it('is off (404) when the API is off', async () => {
    // Only the route table is exercised: with no tokens the docs are never mounted.
    const app = apiApp({ core: undefined as never, database: undefined as never, catalog: undefined as never, tokens: [] });
    expect((await app.request('/docs')).status).toBe(404);
    expect((await app.request('/docs/swagger-ui-bundle.js')).status).toBe(404);
  });
});
