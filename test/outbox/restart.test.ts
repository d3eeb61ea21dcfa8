import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { startSwitchboard } from '../../src/runtime.ts';
import { createThrowawayDatabase, dropDatabase, engine, postgresUrl } from '../support/db.ts';
import { startHttpSink } from '../support/http-sink.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-restart-'));
let dbUrl: string | undefined;
afterAll(async () => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (dbUrl) await dropDatabase(postgresUrl!, dbUrl);
});

describe(`restart on ${engine}`, () => {
  it('keeps an accepted request and its pending update across a restart, and sends the update once', async () => {
    dbUrl = postgresUrl ? await createThrowawayDatabase(postgresUrl) : undefined;
    const env = { PORT: '0', DATA_DIR: dataDir, DATABASE_URL: dbUrl, API_TOKENS: 'tok' };
    const api = (url: string, route: string, body?: unknown) =>
      fetch(`${url}/api/v1${route}`, { method: body ? 'POST' : 'GET', headers: { authorization: 'Bearer tok', 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });

    // First life: the webhook receiver is down, so the delivery stays pending.
    const first = await startSwitchboard(loadConfig({ ...env, WORKERS: 'off' }));
    const sink = await startHttpSink();
    await api(first.url, '/webhooks', { url: sink.url, events: ['created'] });
    const created = await (await api(first.url, '/tickets', { type: 'password-reset', title: 'Locked out', requester: { email: 'eve@example.com' }, fields: { account: 'VPN' } })).json();
    await first.stop();
    expect(sink.requests).toHaveLength(0);

    // Second life: the ticket is there and the pending update goes out, once.
    const second = await startSwitchboard(loadConfig(env), { worker: { pollMs: 50 } });
    try {
      expect((await (await api(second.url, `/tickets/${created.key}`)).json()).title).toBe('Locked out');
      await sink.waitForRequests(1);
      await new Promise((r) => setTimeout(r, 300));
      expect(sink.requests).toHaveLength(1);
      expect(JSON.parse(sink.requests[0]!.body).data.ticket.key).toBe(created.key);
    } finally {
      await second.stop();
      await sink.close();
    }
  }, 120_000); // the first start initialises an embedded database on disk
});
