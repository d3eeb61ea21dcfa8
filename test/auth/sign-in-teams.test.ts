import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEAMS_FAKE_DEFAULTS } from '../fakes/teams/defaults.ts';
import { installed } from '../channels/teams/activities.ts';
import { ada, startDesk, type Desk } from '../channels/teams/harness.ts';

describe('a one-time sign-in link goes to the Teams chat of someone who installed the app', () => {
  let desk: Desk;
  beforeAll(async () => {
    desk = await startDesk();
    expect((await desk.post(installed(desk.connector.url, ada))).status).toBe(200);
  });
  afterAll(() => desk?.stop());

  it("Ada's link arrives in her personal chat with the bot (Bot Connector fake at the wire) and signs her in", async () => {
    const form = (body: Record<string, string>) =>
      fetch(`${desk.sb.url}/login`, { method: 'POST', redirect: 'manual', headers: { origin: desk.sb.url, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body).toString() });
    expect(await (await form({ email: ada.email })).text()).toContain('Check your messages');
    const sent = await desk.connector.waitFor((c) => c.conversationId === TEAMS_FAKE_DEFAULTS.personalConversationId && /login\?t=/.test(String((c.body as { text?: string } | undefined)?.text ?? '')), 8_000);
    const token = /login\?t=([\w-]{43})/.exec(String((sent.body as { text: string }).text))![1]!;
    const signedIn = await form({ t: token });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/my');
  });
});
