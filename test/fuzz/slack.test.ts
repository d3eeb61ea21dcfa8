import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockActions, eventCallback, interactionBody, slashCommandBody } from '../fakes/slack/index.ts';
import { ada, GENERAL, SIGNING_SECRET, startSlackDesk, type SlackDesk } from '../channels/slack/harness.ts';
import { fuzzSettings } from './desk.ts';
import { slackProperty } from './slack-cases.ts';

let desk: SlackDesk;
beforeAll(async () => {
  desk = await startSlackDesk();
}, 120_000);
afterAll(async () => desk?.stop(), 60_000);

const dm = `D${ada.id}`;

describe('POST /slack/events under hostile, validly signed bodies', () => {
  const event = () => eventCallback({ type: 'message', channel: dm, channel_type: 'im', user: ada.id, text: 'known case', ts: '1700000001.000100' });

  it.each([
    ['"event": 0', () => ({ ...event(), event: 0 })],
    ['"event": null', () => ({ ...event(), event: null })],
    ['"user": null in the event', () => ({ ...event(), event: { ...event().event, user: null } })],
    ['"team_id": "hasOwnProperty"', () => ({ ...event(), team_id: 'hasOwnProperty', authorizations: [{ team_id: 'hasOwnProperty', user_id: 'U0BOT0001', is_bot: true }] })],
  ])('an event with %s is acknowledged (200) and ignored', async (_what, body) => {
    const response = await desk.post(body());
    expect(response.status).toBe(200);
  });

  it.each([
    ['"user": null', () => interactionBody({ ...blockActions({ user: ada, channel: { id: dm }, message: { ts: '1.1' }, actions: [{ type: 'button', action_id: 'claim', value: 'IT-1' }] }), user: null })],
    ['"actions": 0', () => interactionBody({ ...blockActions({ user: ada, channel: { id: dm }, message: { ts: '1.1' }, actions: [{ type: 'button', action_id: 'claim', value: 'IT-1' }] }), actions: 0 })],
    ['"team": {"id": "hasOwnProperty"}', () => interactionBody({ ...blockActions({ user: ada, channel: { id: dm }, message: { ts: '1.1' }, actions: [{ type: 'button', action_id: 'claim', value: 'IT-1' }] }), team: { id: 'hasOwnProperty' } })],
    ['a slash command from team "hasOwnProperty"', () => slashCommandBody({ command: '/request', text: 'x', user_id: ada.id, channel_id: GENERAL, team_id: 'hasOwnProperty' })],
  ])('an interaction or command with %s is acknowledged (200) and ignored', async (_what, body) => {
    const response = await desk.post(body());
    expect(response.status).toBe(200);
  });

  it('a timestamp more than 5 minutes away is refused either way (401); within the window is accepted', async () => {
    const now = Math.floor(Date.now() / 1000);
    const challenge = { type: 'url_verification', token: 'x', challenge: 'c' };
    expect((await desk.post(challenge, { timestampSeconds: now + 6 * 60 })).status).toBe(401);
    expect((await desk.post(challenge, { timestampSeconds: now - 6 * 60 })).status).toBe(401);
    expect((await desk.post(challenge, { timestampSeconds: now + 4 * 60 })).status).toBe(200);
  });

  it('NUL and lone surrogates in a signed event are cleaned before any listener: the picker goes out', async () => {
    const message = desk.fake.addMessage(dm, { user: ada.id, text: 'printer\u0000 jam' });
    const response = await desk.say({ channel: dm, channel_type: 'im', user: ada.id, text: 'printer\u0000 jam \ud800', ts: message.ts });
    expect(response.status).toBe(200);
    await desk.fake.waitFor('chat.postMessage', (c) => c.body.thread_ts === message.ts);
  });

  it('fuzzed events, commands and interactions, signed as Slack signs them, never get a 5xx', async () => {
    const seeds = { url: `${desk.sb.url}/slack/events`, signingSecret: SIGNING_SECRET, user: ada, dm, channel: GENERAL };
    const result = await fc.check(slackProperty(seeds), fuzzSettings(300, 6));
    expect(result.failed ? `${String(result.errorInstance).slice(0, 900)} (seed ${result.seed})` : null).toBeNull();
  }, 90_000);
});
