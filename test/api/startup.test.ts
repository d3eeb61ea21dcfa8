import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { startSwitchboard } from '../../src/runtime.ts';
import { createThrowawayDatabase, dropDatabase, postgresUrl } from '../support/db.ts';

const root = path.resolve(import.meta.dirname, '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-start-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Run the real entry point (`npm start` runs the same file) and collect what it prints. */
function runMain(env: Record<string, string>, args: string[] = ['src/main.ts']): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: path.join(tmp, 'data'), LOG_LEVEL: 'silent', ...env },
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

describe('start-up errors are one clear line', { timeout: 90_000 }, () => {
  it('a bad PORT stops start-up naming the variable', async () => {
    const { code, stderr } = await runMain({ PORT: 'eighty' });
    expect(code).toBe(1);
    expect(stderr.trim()).toBe('switchboard: invalid configuration: PORT must be a whole number between 0 and 65535 (got "eighty")');
  });

  it('a bad DATABASE_URL and a bad token are named, secrets are not echoed', async () => {
    const db = await runMain({ DATABASE_URL: 'mysql://nope' });
    expect(db.code).toBe(1);
    expect(db.stderr.trim().split('\n')).toHaveLength(1);
    expect(db.stderr).toMatch(/DATABASE_URL must be a URL starting with postgres:\/\/ or postgresql:\/\//);
    const slack = await runMain({ SLACK_SIGNING_SECRET: 'abc', SLACK_BOT_TOKEN: 'xoxp-user-token' });
    expect(slack.stderr.trim()).toBe('switchboard: invalid configuration: SLACK_BOT_TOKEN must be a bot token starting with xoxb- (got "***")');
  });

  it('an invalid catalog stops start-up naming the file, the path in it and the problem', async () => {
    const file = path.join(tmp, 'catalog.yaml');
    fs.writeFileSync(file, 'calendars:\n  c: { timezone: Mars/Olympus, hours: 24x7 }\nqueues:\n  IT: { name: IT, calendar: c }\nrequest_types: {}\n');
    const { code, stderr } = await runMain({ CATALOG_FILE: file });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(`catalog ${file}: calendars.c.timezone (line 2):`);
    expect(stderr).toContain('Mars/Olympus is not an IANA time zone');
  });

  it('`switchboard catalog check` validates a file without starting', async () => {
    const good = await runMain({}, ['bin/switchboard.mjs', 'catalog', 'check', 'src/core/sample-catalog.yaml']);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/OK \(3 queues, 10 request types/);
    const file = path.join(tmp, 'bad-type.yaml');
    fs.writeFileSync(file, 'calendars:\n  c: { timezone: UTC, hours: 24x7 }\nqueues:\n  IT: { name: IT, calendar: c }\nrequest_types:\n  laptop: { queue: HR, name: Laptop }\n');
    const bad = await runMain({}, ['bin/switchboard.mjs', 'catalog', 'check', file]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe(`switchboard: catalog ${file}: request_types.laptop.queue (line 6): unknown queue 'HR'`);
  });
});

describe.skipIf(!postgresUrl)('readiness follows the database', () => {
  it('/readyz answers 503 when Postgres goes away while /healthz stays up', async () => {
    const url = await createThrowawayDatabase(postgresUrl!);
    const target = new URL(url);
    // A TCP proxy we can cut stands between the service and Postgres.
    const sockets = new Set<net.Socket>();
    const proxy = net.createServer((client) => {
      const upstream = net.connect(Number(target.port || 5432), target.hostname);
      sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const drop = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', drop);
      upstream.on('error', drop);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const proxied = new URL(url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String((proxy.address() as net.AddressInfo).port);
    const app = await startSwitchboard(loadConfig({ PORT: '0', DATABASE_URL: proxied.toString(), WORKERS: 'off' }));
    try {
      expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
      proxy.close();
      for (const s of sockets) s.destroy();
      const down = await fetch(`${app.url}/readyz`);
      expect(down.status).toBe(503);
      expect((await down.json()).reason).toMatch(/database unreachable/);
      expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    } finally {
      await Promise.race([app.stop(), new Promise((r) => setTimeout(r, 3_000))]);
      await dropDatabase(postgresUrl!, url);
    }
  });
});
