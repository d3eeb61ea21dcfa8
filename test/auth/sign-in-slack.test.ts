import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ada, fileViaDm, startSlackDesk, textOf, type SlackDesk } from '../channels/slack/harness.ts';

describe('a one-time sign-in link goes to the Slack DM of someone who last talked to us on Slack', () => {
  let desk: SlackDesk;
  beforeAll(async () => {
    desk = await startSlackDesk();
  });
  afterAll(async () => {
    await desk?.stop();
  });

  it('Ada filed on Slack: her link arrives as a DM from the bot, works once, and signs her in', async () => {
    const { key } = await fileViaDm(desk, ada, 'My keyboard is missing keys');
    const form = (body: Record<string, string>) =>
      fetch(`${desk.sb.url}/login`, { method: 'POST', redirect: 'manual', headers: { origin: desk.sb.url, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body).toString() });
    const asked = await form({ email: ada.email });
    expect(await asked.text()).toContain('Check your messages');

    const sent = await desk.fake.waitFor('chat.postMessage', (c) => /login\?t=/.test(String(c.body.text ?? '')), 8_000);
    const text = String(sent.body.text) + textOf(sent.body.blocks ?? []);
    expect(String(sent.body.channel)).toMatch(/^D/);
    expect(sent.body.thread_ts).toBeUndefined();
    const token = /login\?t=([\w-]{43})/.exec(text)![1]!;

    const signedIn = await form({ t: token });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/my');
    const cookie = signedIn.headers.getSetCookie().find((c) => c.startsWith('sb_session='))!.split(';')[0]!;
    const mine = await fetch(`${desk.sb.url}/my`, { headers: { cookie } });
    expect(await mine.text()).toContain(key);
    expect((await form({ t: token })).status).toBe(400);
  });
});
