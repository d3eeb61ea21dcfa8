import { createRequire } from 'node:module';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { App, Receiver } from '@slack/bolt';
// bolt's root entry requires @slack/socket-mode, whose peer dependency `undici` is not
// installed, so `import … from '@slack/bolt'` throws at load time. The verifier has no such tail.
import { isValidSlackRequest, verifySlackRequest } from '@slack/bolt/dist/receivers/verify-request.js';
import {
  ErrorCode,
  LogLevel,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  WebClient,
  WebClientEvent,
  type WebClientOptions,
} from '@slack/web-api';
import {
  SLACK_FAKE_DEFAULTS,
  blockActions,
  eventCallback,
  interactionBody,
  messageShortcut,
  signSlackRequest,
  signedSlackRequest,
  slashCommandBody,
  startSlackFake,
  viewSubmission,
  type SlackFake,
} from './slack/index.ts';

const TOKEN = 'xoxb-test-token';
const boltLoads = (() => {
  try {
    createRequire(import.meta.url).resolve('undici');
    return true;
  } catch {
    return false;
  }
})();
const CHANNEL = 'C0HELPDESK';

let fake: SlackFake;

function client(options: WebClientOptions = {}, token = TOKEN): WebClient {
  return new WebClient(token, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR, ...options });
}

const ticketBlocks = [
  { type: 'section', block_id: 'summary', text: { type: 'mrkdwn', text: '*IT-42* Printer on 3rd floor jams' } },
  { type: 'actions', elements: [{ type: 'button', action_id: 'take', text: { type: 'plain_text', text: 'Take it' }, value: 'IT-42' }] },
];

beforeAll(async () => {
  fake = await startSlackFake();
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  fake.reset();
});

describe('the Slack fake, driven by the real WebClient', () => {
  it('records a form-encoded postMessage with blocks parsed, then an update, and plays both back in history', async () => {
    const slack = client();
    const posted = await slack.chat.postMessage({ channel: CHANNEL, text: 'IT-42 Printer jams', blocks: ticketBlocks });

    expect(posted.ok).toBe(true);
    expect(posted.channel).toBe(CHANNEL);
    expect(posted.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(posted.message?.blocks).toEqual(ticketBlocks);

    const [call] = fake.callsTo('chat.postMessage');
    expect(call?.contentType).toBe('application/x-www-form-urlencoded');
    expect(call?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(call?.body.blocks).toEqual(ticketBlocks);
    expect(new URLSearchParams(call?.rawBody).get('blocks')).toBe(JSON.stringify(ticketBlocks));

    const second = await slack.chat.postMessage({ channel: CHANNEL, text: 'IT-43 VPN down' });
    expect(Number(second.ts)).toBeGreaterThan(Number(posted.ts));

    const updated = await slack.chat.update({ channel: CHANNEL, ts: posted.ts ?? '', text: 'IT-42 Printer jams (taken by Ana)' });
    expect(updated).toMatchObject({ ok: true, channel: CHANNEL, ts: posted.ts, text: 'IT-42 Printer jams (taken by Ana)' });

    const history = await slack.conversations.history({ channel: CHANNEL });
    expect(history.messages?.map((m) => m.text)).toEqual(['IT-43 VPN down', 'IT-42 Printer jams (taken by Ana)']);
    expect(history.messages?.[1]?.edited?.user).toBe(SLACK_FAKE_DEFAULTS.botUserId);
  });

  it("keeps a thread: a requester's seeded message, the bot's reply, both in conversations.replies", async () => {
    const slack = client();
    const parent = fake.addMessage(CHANNEL, { user: 'U0REQUESTER', text: 'my laptop will not boot' });
    const reply = await slack.chat.postMessage({ channel: CHANNEL, thread_ts: parent.ts, text: 'Ticket IT-44 opened' });

    const thread = await slack.conversations.replies({ channel: CHANNEL, ts: parent.ts });
    expect(thread.messages?.map((m) => [m.user, m.text])).toEqual([
      ['U0REQUESTER', 'my laptop will not boot'],
      [SLACK_FAKE_DEFAULTS.botUserId, 'Ticket IT-44 opened'],
    ]);
    expect(thread.messages?.[0]).toMatchObject({ reply_count: 1, latest_reply: reply.ts, thread_ts: parent.ts });

    const permalink = await slack.chat.getPermalink({ channel: CHANNEL, message_ts: reply.ts ?? '' });
    expect(permalink.permalink).toContain(`/archives/${CHANNEL}/p${(reply.ts ?? '').replace('.', '')}?thread_ts=${parent.ts}`);

    await slack.reactions.add({ channel: CHANNEL, timestamp: parent.ts, name: 'eyes' });
    await expect(slack.reactions.add({ channel: CHANNEL, timestamp: parent.ts, name: 'eyes' })).rejects.toMatchObject({
      data: { error: 'already_reacted' },
    });
    expect(fake.messagesIn(CHANNEL)[0]?.reactions).toEqual([{ name: 'eyes', users: [SLACK_FAKE_DEFAULTS.botUserId], count: 1 }]);
  });

  it('answers users.info and users.lookupByEmail from seeded users, and user_not_found otherwise', async () => {
    fake.addUser({ id: 'U0ANA', name: 'ana', realName: 'Ana Ruiz', email: 'ana@example.com', tz: 'Europe/Madrid' });
    const slack = client();

    const info = await slack.users.info({ user: 'U0ANA' });
    expect(info.user).toMatchObject({ id: 'U0ANA', name: 'ana', real_name: 'Ana Ruiz', tz: 'Europe/Madrid', is_bot: false });
    expect(info.user?.profile?.email).toBe('ana@example.com');
    expect([3600, 7200]).toContain(info.user?.tz_offset);

    const byEmail = await slack.users.lookupByEmail({ email: 'ANA@example.com' });
    expect(byEmail.user?.id).toBe('U0ANA');

    const missing = await slack.users.info({ user: 'U0NOBODY' }).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(WebAPIPlatformError);
    expect(missing).toMatchObject({ code: ErrorCode.PlatformError, data: { ok: false, error: 'user_not_found' } });
  });

  it('opens a DM, describes channels, and keeps ephemerals out of history', async () => {
    const slack = client();
    const dm = await slack.conversations.open({ users: 'U0ANA' });
    expect(dm.channel?.id).toBe('DU0ANA');
    const again = await slack.conversations.open({ users: 'U0ANA' });
    expect(again).toMatchObject({ already_open: true, channel: { id: 'DU0ANA' } });

    fake.addChannel({ id: CHANNEL, name: 'it-helpdesk' });
    const info = await slack.conversations.info({ channel: CHANNEL });
    expect(info.channel).toMatchObject({ id: CHANNEL, name: 'it-helpdesk', is_channel: true, is_private: false });

    const ephemeral = await slack.chat.postEphemeral({ channel: CHANNEL, user: 'U0ANA', text: 'Only you can see this' });
    expect(ephemeral.message_ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(fake.ephemerals).toMatchObject([{ channel: CHANNEL, user: 'U0ANA', text: 'Only you can see this' }]);
    expect((await slack.conversations.history({ channel: CHANNEL })).messages).toEqual([]);
  });

  it('opens, updates and pushes views, with hash conflicts and single-use trigger ids', async () => {
    const slack = client();
    const modal = {
      type: 'modal' as const,
      callback_id: 'new_ticket',
      title: { type: 'plain_text' as const, text: 'New ticket' },
      blocks: [{ type: 'input', block_id: 'subject', label: { type: 'plain_text', text: 'Subject' }, element: { type: 'plain_text_input', action_id: 'value' } }],
    };
    const opened = await slack.views.open({ trigger_id: '111.222.abc', view: modal });
    expect(opened.view?.id).toMatch(/^V[0-9A-Z]{10}$/);
    expect(opened.view).toMatchObject({ callback_id: 'new_ticket', private_metadata: '', state: { values: {} } });
    expect(fake.callsTo('views.open')[0]?.body.view).toEqual(modal);

    const viewId = opened.view?.id ?? '';
    const updated = await slack.views.update({ view_id: viewId, hash: opened.view?.hash, view: { ...modal, private_metadata: 'IT-42' } });
    expect(updated.view?.hash).not.toBe(opened.view?.hash);
    expect(fake.view(viewId)?.private_metadata).toBe('IT-42');

    await expect(slack.views.update({ view_id: viewId, hash: opened.view?.hash, view: modal })).rejects.toMatchObject({
      data: { error: 'hash_conflict' },
    });
    await expect(slack.views.open({ trigger_id: '111.222.abc', view: modal })).rejects.toMatchObject({
      data: { error: 'exchanged_trigger_id' },
    });
    const pushed = await slack.views.push({ trigger_id: '333.444.def', view: modal });
    expect(pushed.view?.id).not.toBe(viewId);
  });

  it('answers auth.test, refuses missing and foreign tokens, and unknown methods', async () => {
    const identity = await client().auth.test();
    expect(identity).toMatchObject({ ok: true, user_id: SLACK_FAKE_DEFAULTS.botUserId, bot_id: SLACK_FAKE_DEFAULTS.botId, team_id: SLACK_FAKE_DEFAULTS.teamId });
    expect(identity.response_metadata?.scopes).toContain('chat:write');

    const anonymous = new WebClient(undefined, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR });
    await expect(anonymous.auth.test()).rejects.toMatchObject({ data: { error: 'not_authed' } });
    await expect(client({}, 'xoxp-user-token').auth.test()).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
    await expect(client().apiCall('chat.teleport', {})).rejects.toMatchObject({ data: { error: 'unknown_method' } });
  });

  it('speaks JSON too, where only the Authorization header counts', async () => {
    const post = (headers: Record<string, string>, body: object) =>
      fetch(`${fake.apiUrl}chat.postMessage`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) });

    const ok = await post({ authorization: `Bearer ${TOKEN}` }, { channel: CHANNEL, blocks: ticketBlocks, text: 'IT-42' });
    expect(await ok.json()).toMatchObject({ ok: true, channel: CHANNEL });
    expect(fake.callsTo('chat.postMessage')[0]?.body.blocks).toEqual(ticketBlocks);

    const tokenInBody = await post({}, { token: TOKEN, channel: CHANNEL, text: 'IT-42' });
    expect(await tokenInBody.json()).toEqual({ ok: false, error: 'not_authed' });
  });
});

describe('fault injection, as the real WebClient reports it', () => {
  it('with rejectRateLimitedCalls, a 429 throws WebAPIRateLimitedError carrying retryAfter at once; the next call succeeds', async () => {
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 30 });
    const slack = client({ rejectRateLimitedCalls: true });

    const error = await slack.chat.postMessage({ channel: CHANNEL, text: 'IT-42' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebAPIRateLimitedError);
    expect(error).toMatchObject({ code: ErrorCode.RateLimitedError, retryAfter: 30 });

    expect((await slack.chat.postMessage({ channel: CHANNEL, text: 'IT-42' })).ok).toBe(true);
    expect(fake.callsTo('chat.postMessage').map((call) => call.status)).toEqual([429, 200]);
    expect(fake.calls[0]?.response).toEqual({ ok: false, error: 'ratelimited' });
  });

  it('without it, retries: 0 sleeps Retry-After seconds, then throws a WebAPIRequestError (no retryAfter on it)', async () => {
    fake.failNext('chat.update', { status: 429, retryAfter: 1 });
    const slack = client();
    const rateLimited: number[] = [];
    slack.on(WebClientEvent.RATE_LIMITED, (retrySec: number) => rateLimited.push(retrySec));

    const started = Date.now();
    const error = await slack.chat.update({ channel: CHANNEL, ts: '1.000000', text: 'x' }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    // The client throws a plain Error to make p-retry try again, and its own catch wraps that.
    expect(error).toBeInstanceOf(WebAPIRequestError);
    expect(error).not.toHaveProperty('retryAfter');
    expect(error).toMatchObject({
      code: ErrorCode.RequestError,
      message: expect.stringMatching(/^A request error occurred: A rate limit was exceeded \(url: .*chat\.update, retry-after: 1\)$/),
    });
    expect(rateLimited).toEqual([1]);
  });

  it('with retries, the client waits out Retry-After and the second attempt lands', async () => {
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const slack = client({ retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 0 } });

    expect((await slack.chat.postMessage({ channel: CHANNEL, text: 'IT-42' })).ok).toBe(true);
    const [first, second] = fake.callsTo('chat.postMessage');
    expect([first?.status, second?.status]).toEqual([429, 200]);
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('a 500 is a WebAPIHTTPError; an { error } fault is a platform error; both only for the times asked', async () => {
    fake.failNext('chat.postMessage', { status: 500 });
    fake.failNext('users.info', { error: 'fatal_error' }, 2);
    fake.addUser({ id: 'U0ANA', name: 'ana' });
    const slack = client();

    const http = await slack.chat.postMessage({ channel: CHANNEL, text: 'IT-42' }).catch((e: unknown) => e);
    expect(http).toBeInstanceOf(WebAPIHTTPError);
    expect(http).toMatchObject({ code: ErrorCode.HTTPError, statusCode: 500 });

    await expect(slack.users.info({ user: 'U0ANA' })).rejects.toMatchObject({ code: ErrorCode.PlatformError, data: { error: 'fatal_error' } });
    await expect(slack.users.info({ user: 'U0ANA' })).rejects.toMatchObject({ data: { error: 'fatal_error' } });
    expect((await slack.users.info({ user: 'U0ANA' })).ok).toBe(true);
    expect((await slack.chat.postMessage({ channel: CHANNEL, text: 'IT-42' })).ok).toBe(true);
  });
});

describe('waitFor', () => {
  it('resolves when a matching call arrives later, or at once for one already recorded', async () => {
    const slack = client();
    const waiting = fake.waitFor('chat.postMessage', (call) => call.body.thread_ts === '1700000000.000100');
    setTimeout(() => {
      void slack.chat.postMessage({ channel: CHANNEL, text: 'top level' });
      void slack.chat.postMessage({ channel: CHANNEL, text: 'in thread', thread_ts: '1700000000.000100' });
    }, 20);

    const call = await waiting;
    expect(call.body.text).toBe('in thread');
    expect(call.at).toBeLessThanOrEqual(Date.now());
    await expect(fake.waitFor('chat.postMessage', (c) => c.body.text === 'in thread')).resolves.toBe(call);
  });

  it('rejects after the timeout, naming what it saw', async () => {
    await client().auth.test();
    await expect(fake.waitFor('chat.postMessage', undefined, 50)).rejects.toThrow(/no matching chat.postMessage call within 50 ms \(calls seen: auth.test\)/);
  });
});

describe('inbound helpers', () => {
  const secret = 'signing-secret-for-tests';

  it("sign requests so bolt's own verifier accepts them, and rejects tampering and stale timestamps", () => {
    const body = JSON.stringify(eventCallback({ type: 'app_mention', user: 'U0ANA', text: 'help', channel: CHANNEL, ts: '1700000000.000100' }));
    const headers = signSlackRequest(secret, body);
    const asBoltWants = (h: typeof headers) => ({ 'x-slack-signature': h['x-slack-signature'], 'x-slack-request-timestamp': Number(h['x-slack-request-timestamp']) });

    expect(headers['x-slack-signature']).toMatch(/^v0=[0-9a-f]{64}$/);
    expect(() => verifySlackRequest({ signingSecret: secret, body, headers: asBoltWants(headers) })).not.toThrow();
    expect(isValidSlackRequest({ signingSecret: secret, body: `${body} `, headers: asBoltWants(headers) })).toBe(false);
    const stale = signSlackRequest(secret, body, Math.floor(Date.now() / 1000) - 6 * 60);
    expect(isValidSlackRequest({ signingSecret: secret, body, headers: asBoltWants(stale) })).toBe(false);
  });

  it('build a signed Request with Slack retry headers', async () => {
    const request = signedSlackRequest('http://localhost/slack/events', { signingSecret: secret, body: eventCallback({ type: 'app_mention' }), retryNum: 1, retryReason: 'http_timeout' });
    const raw = await request.text();
    expect(request.headers.get('content-type')).toBe('application/json');
    expect(request.headers.get('x-slack-retry-num')).toBe('1');
    expect(
      isValidSlackRequest({
        signingSecret: secret,
        body: raw,
        headers: { 'x-slack-signature': request.headers.get('x-slack-signature') ?? '', 'x-slack-request-timestamp': Number(request.headers.get('x-slack-request-timestamp')) },
      }),
    ).toBe(true);
  });

  it.skipIf(!boltLoads)('build payloads that bolt routes to the right listeners, and whose say() lands in the fake', async () => {
    const { App } = await import('@slack/bolt');
    const seen: string[] = [];
    let app: App | undefined;
    const receiver: Receiver = {
      init: (boltApp) => {
        app = boltApp;
      },
      start: async () => undefined,
      stop: async () => undefined,
    };
    const bolt: App = new App({
      token: TOKEN,
      receiver,
      tokenVerificationEnabled: false,
      botId: SLACK_FAKE_DEFAULTS.botId,
      botUserId: SLACK_FAKE_DEFAULTS.botUserId,
      clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } },
      logLevel: LogLevel.ERROR,
    });
    bolt.event('app_mention', async ({ event, say }) => {
      seen.push(`event:${event.text}`);
      await say({ text: 'Ticket IT-45 opened', thread_ts: event.ts });
    });
    bolt.command('/ticket', async ({ command, ack }) => {
      seen.push(`command:${command.text}`);
      await ack();
    });
    bolt.action('take', async ({ action, ack }) => {
      seen.push(`action:${'value' in action ? action.value : ''}`);
      await ack();
    });
    bolt.view('new_ticket', async ({ view, ack }) => {
      seen.push(`view:${view.state.values.subject?.value?.value}`);
      await ack();
    });
    bolt.shortcut('make_ticket', async ({ shortcut, ack }) => {
      seen.push(`shortcut:${shortcut.type}`);
      await ack();
    });

    const deliver = async (body: Record<string, unknown>) => app?.processEvent({ body, ack: async () => undefined });
    const fromForm = (form: string) => Object.fromEntries(new URLSearchParams(form));
    const fromInteraction = (form: string): Record<string, unknown> => JSON.parse(new URLSearchParams(form).get('payload') ?? '{}');
    const message = { ts: '1700000000.000100', text: 'printer jams', user: 'U0ANA' };

    await deliver(eventCallback({ type: 'app_mention', user: 'U0ANA', text: 'printer jams', channel: CHANNEL, ts: message.ts }));
    await deliver(fromForm(slashCommandBody({ command: '/ticket', text: 'VPN down', user_id: 'U0ANA', channel_id: CHANNEL })));
    await deliver(fromInteraction(interactionBody(blockActions({ user: { id: 'U0ANA' }, actions: [{ action_id: 'take', value: 'IT-42' }], channel: { id: CHANNEL }, message }))));
    await deliver(fromInteraction(interactionBody(viewSubmission({ user: { id: 'U0ANA' }, view: { callback_id: 'new_ticket' }, values: { subject: { value: { type: 'plain_text_input', value: 'Monitor flickers' } } } }))));
    await deliver(fromInteraction(interactionBody(messageShortcut({ callbackId: 'make_ticket', user: { id: 'U0ANA' }, channel: { id: CHANNEL }, message }))));

    expect(seen).toEqual(['event:printer jams', 'command:VPN down', 'action:IT-42', 'view:Monitor flickers', 'shortcut:message_action']);
    const reply = await fake.waitFor('chat.postMessage');
    expect(reply.body).toMatchObject({ channel: CHANNEL, text: 'Ticket IT-45 opened', thread_ts: message.ts });
  });
});
