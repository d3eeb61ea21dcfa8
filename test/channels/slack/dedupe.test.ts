import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import { startSwitchboard, type Running } from '../../../src/runtime.ts';
import { createThrowawayDatabase, dropDatabase, postgresUrl } from '../../support/db.ts';
import { eventCallback, signedSlackRequest, startSlackFake, type SlackFake } from '../../fakes/slack/index.ts';
import { ada, SIGNING_SECRET } from './harness.ts';

/** Event dedupe lives in the database: a Slack retry that arrives after a restart is still a no-op. */
let fake: SlackFake;
let tmp: string;
let databaseUrl: string | undefined;
let config: ReturnType<typeof loadConfig>;
let sb: Running | undefined;

beforeAll(async () => {
  fake = await startSlackFake();
  fake.addUser(ada);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-slack-dedupe-'));
  databaseUrl = postgresUrl ? await createThrowawayDatabase(postgresUrl) : undefined;
  config = loadConfig({
    PORT: '0',
    DATA_DIR: path.join(tmp, 'data'),
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_API_URL: fake.apiUrl,
    LINK_SECRET: 'slack-dedupe-link-secret-0123456789',
    WORKERS: 'off',
  });
}, 120_000);
afterAll(async () => {
  await sb?.stop();
  await fake?.close();
  if (databaseUrl) await dropDatabase(postgresUrl!, databaseUrl);
  fs.rmSync(tmp, { recursive: true, force: true });
}, 60_000);

describe('Slack event dedupe across a restart', () => {
  it('a DM redelivered (X-Slack-Retry-Num) after the process restarted gets no second type picker', async () => {
    const dm = `D${ada.id}`;
    const message = fake.addMessage(dm, { user: ada.id, text: 'VPN drops every hour' });
    const event = eventCallback({ type: 'message', channel: dm, channel_type: 'im', user: ada.id, text: message.text, ts: message.ts }, { eventId: 'Ev0RESTART001' });
    const pickers = () => fake.callsTo('chat.postMessage').filter((c) => c.body.thread_ts === message.ts);

    sb = await startSwitchboard(config);
    expect((await fetch(signedSlackRequest(`${sb.url}/slack/events`, { signingSecret: SIGNING_SECRET, body: event }))).status).toBe(200);
    await fake.waitFor('chat.postMessage', (c) => c.body.thread_ts === message.ts);
    await sb.stop();

    sb = await startSwitchboard(config);
    const retry = await fetch(signedSlackRequest(`${sb.url}/slack/events`, { signingSecret: SIGNING_SECRET, body: event, retryNum: 1, retryReason: 'http_timeout' }));
    expect(retry.status).toBe(200);
    // Give a second picker every chance to go out.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(pickers()).toHaveLength(1);

    // A different event is still taken: the dedupe is per event id, not a blanket refusal.
    const other = fake.addMessage(dm, { user: ada.id, text: 'and the printer too' });
    await fetch(signedSlackRequest(`${sb.url}/slack/events`, { signingSecret: SIGNING_SECRET, body: eventCallback({ type: 'message', channel: dm, channel_type: 'im', user: ada.id, text: other.text, ts: other.ts }, { eventId: 'Ev0RESTART002' }) }));
    await fake.waitFor('chat.postMessage', (c) => c.body.thread_ts === other.ts);
  }, 120_000);
});
