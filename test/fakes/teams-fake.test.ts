import { Client } from '@microsoft/teams.api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { addressed, TeamsPlatform } from '../../src/channels/teams/adapter.ts';
import { appOptions } from '../../src/channels/teams/auth.ts';
import type { TeamsTurn } from '../../src/channels/teams/platform.ts';
import { referenceOf, type StoredReference } from '../../src/channels/teams/reference.ts';
import { logger } from '../../src/logger.ts';
import { teamsChannelMessage, teamsPersonalMessage, type InboundActivity } from './teams/activities.ts';
import {
  BOT_FRAMEWORK_SCOPE,
  fakeBotFrameworkAuthentication,
  startBotAuthFake,
  type BotAuthFake,
  type ChannelTokenClaims,
  type SignTokenOptions,
} from './teams/auth.ts';
import { startConnectorFake, type ConnectorCall, type ConnectorFake } from './teams/connector.ts';
import { TEAMS_FAKE_DEFAULTS } from './teams/defaults.ts';

type Logic = (turn: TeamsTurn) => Promise<void>;
type Processed = { status: number; body: unknown };

const quiet = logger.child({}, { level: 'silent' });

/**
 * Drives the Teams SDK the way our Hono route does (src/channels/teams/adapter.ts): the
 * App authenticates the parsed activity and runs the turn; a refusal is a 401.
 */
async function post(platform: TeamsPlatform, activity: InboundActivity, logic: Logic, authorization?: string): Promise<Processed> {
  const handled = await platform.handle(activity, authorization, async (turn) => {
    await logic(turn);
    return undefined;
  });
  return handled.refused ? { status: 401, body: undefined } : { status: 200, body: handled.answer?.body };
}

/** A proactive send through a stored reference, as the outbox sends: a reply to the activity it was taken from. */
async function sendProactively(platform: TeamsPlatform, reference: StoredReference, text: string): Promise<string | undefined> {
  return platform.connector(reference.serviceUrl).reply(reference.conversation.id, String(reference.activityId), addressed(reference, text));
}

const ada = TEAMS_FAKE_DEFAULTS.user;
const isSend = (call: ConnectorCall): boolean => call.route === 'sendToConversation' || call.route === 'replyToActivity';

describe('Teams connector fake, driven by the real Teams SDK without auth', () => {
  let connector: ConnectorFake;
  let adapter: TeamsPlatform;
  /** The SDK's Bot Connector client, for the calls our interface does not make. */
  let api: Client;

  beforeAll(async () => {
    connector = await startConnectorFake();
    adapter = await TeamsPlatform.create(appOptions({ appId: undefined, appPassword: undefined, tenantId: undefined }, quiet));
    api = new Client(connector.url);
  });
  afterEach(() => connector.reset());
  afterAll(() => connector.close());

  it('a personal message answered with "hi" reaches the connector as a reply to it, without Authorization', async () => {
    const inbound = teamsPersonalMessage({ serviceUrl: connector.url, text: 'my laptop is on fire' });

    const processed = await post(adapter, inbound, async (turn) => {
      await turn.send('hi');
    });

    expect(processed.status).toBe(200);
    const reply = await connector.waitFor(isSend);
    expect(reply).toMatchObject({
      method: 'POST',
      route: 'replyToActivity',
      conversationId: TEAMS_FAKE_DEFAULTS.personalConversationId,
      activityId: inbound.id,
      status: 200,
      body: { type: 'message', text: 'hi', replyToId: inbound.id, recipient: { id: ada.id } },
    });
    expect(reply.path).toBe(`/v3/conversations/${encodeURIComponent(TEAMS_FAKE_DEFAULTS.personalConversationId)}/activities/${inbound.id}`);
    expect(reply.headers.authorization).toBeUndefined();
  });

  it('a channel thread id arrives decoded, and an update is a PUT on the posted activity', async () => {
    const inbound = teamsChannelMessage({ serviceUrl: connector.url, text: 'printer jammed' });
    const threadId = `${TEAMS_FAKE_DEFAULTS.channelId};messageid=${inbound.id}`;
    let postedId = '';

    await post(adapter, inbound, async (turn) => {
      postedId = (await turn.send('IT-1 opened')) ?? '';
      await turn.update(postedId, { text: 'IT-1 resolved' });
    });

    const reply = await connector.waitFor(isSend);
    expect(reply.conversationId).toBe(threadId);
    expect(reply.path).toContain('%3Bmessageid%3D');
    const update = await connector.waitFor((call) => call.route === 'updateActivity');
    expect(update).toMatchObject({ method: 'PUT', conversationId: threadId, activityId: postedId, body: { text: 'IT-1 resolved' } });
    expect(postedId).toMatch(/^1:fake-\d+$/);
    expect(connector.messagesIn(threadId)).toEqual([expect.objectContaining({ id: postedId, text: 'IT-1 resolved' })]);
  });

  it('a stored conversation reference sends proactively, as a reply to the activity it was taken from', async () => {
    const inbound = teamsPersonalMessage({ serviceUrl: connector.url, text: 'any news?' });
    let reference: StoredReference | null = null;
    await post(adapter, inbound, async (turn) => {
      reference = referenceOf(turn.activity);
    });
    expect(connector.calls).toEqual([]);

    await sendProactively(adapter, reference!, 'IT-2 is waiting for you');

    const sent = await connector.waitFor(isSend);
    // botbuilder "replied" to a made-up uuid (its continuation activity's id); we reply to
    // the reference's own activity id (Teams accepts either in a chat).
    expect(sent).toMatchObject({
      route: 'replyToActivity',
      conversationId: TEAMS_FAKE_DEFAULTS.personalConversationId,
      activityId: inbound.id,
      body: { text: 'IT-2 is waiting for you', recipient: { id: ada.id } },
    });
    expect(sent.headers.authorization).toBeUndefined();
  });

  it('a delete is a DELETE, and the message is gone from the conversation', async () => {
    const inbound = teamsPersonalMessage({ serviceUrl: connector.url, text: 'oops' });
    await post(adapter, inbound, async (turn) => {
      const posted = await turn.send('to be withdrawn');
      await api.conversations.activities(encodeURIComponent(turn.activity.conversation.id)).delete(posted ?? '');
    });

    const deletion = await connector.waitFor((call) => call.route === 'deleteActivity');
    expect(deletion).toMatchObject({ method: 'DELETE', conversationId: TEAMS_FAKE_DEFAULTS.personalConversationId, status: 200 });
    expect(connector.messagesIn(TEAMS_FAKE_DEFAULTS.personalConversationId)).toEqual([]);
  });

  it('a member lookup reads the seeded member; in a team it asks by team id', async () => {
    connector.addMember(ada);
    const members: unknown[] = [];

    await post(adapter, teamsPersonalMessage({ serviceUrl: connector.url, text: 'who am I' }), async (turn) => {
      members.push(await turn.member(ada.id));
    });
    await post(adapter, teamsChannelMessage({ serviceUrl: connector.url, text: 'who am I' }), async (turn) => {
      members.push(await turn.member(ada.aadObjectId));
    });

    const expected = { id: ada.id, aadObjectId: ada.aadObjectId, name: ada.name, email: ada.email, userPrincipalName: ada.email };
    expect(members).toEqual([expect.objectContaining(expected), expect.objectContaining(expected)]);
    const lookups = connector.calls.filter((call) => call.route === 'getConversationMember');
    expect(lookups.map((call) => [call.method, call.conversationId, call.memberId])).toEqual([
      ['GET', TEAMS_FAKE_DEFAULTS.personalConversationId, ada.id],
      ['GET', TEAMS_FAKE_DEFAULTS.teamId, ada.aadObjectId],
    ]);
  });

  it('an unknown member is a 404 MemberNotFoundInConversation that reaches the caller', async () => {
    let failure: unknown;
    await post(adapter, teamsPersonalMessage({ serviceUrl: connector.url, text: 'who?' }), async (turn) => {
      failure = await turn.member('29:nobody').catch((error: unknown) => error);
    });

    expect(failure).toMatchObject({ statusCode: 404, code: 'MemberNotFoundInConversation' });
    expect(connector.calls.map((call) => [call.route, call.status])).toEqual([['getConversationMember', 404]]);
  });

  it('getMembers and getPagedMembers list the registry, page by page', async () => {
    for (const n of [1, 2, 3]) {
      connector.addMember({ id: `29:member-${n}`, aadObjectId: `aad-${n}`, name: `Member ${n}`, email: `m${n}@example.test` });
    }
    const pages: { ids: string[]; continuationToken?: string }[] = [];
    let everyone: string[] = [];

    await post(adapter, teamsPersonalMessage({ serviceUrl: connector.url, text: 'roster' }), async (turn) => {
      const members = api.conversations.members(encodeURIComponent(turn.activity.conversation.id));
      everyone = (await members.get()).map((member) => member.id);
      const first = await members.getPaged(2);
      const second = await members.getPaged(2, first.continuationToken);
      for (const page of [first, second]) {
        pages.push({ ids: page.members.map((member) => member.id), continuationToken: page.continuationToken });
      }
    });

    expect(everyone).toEqual(['29:member-1', '29:member-2', '29:member-3']);
    expect(pages).toEqual([
      { ids: ['29:member-1', '29:member-2'], continuationToken: '2' },
      { ids: ['29:member-3'], continuationToken: undefined },
    ]);
    const paged = connector.calls.filter((call) => call.route === 'getConversationPagedMembers');
    expect(paged.map((call) => call.query)).toEqual([{ pageSize: '2' }, { pageSize: '2', continuationToken: '2' }]);
  });

  it('a new channel thread is a POST v3/conversations, named after its root message', async () => {
    const created = await adapter.connector(connector.url).createConversation({
      isGroup: true,
      bot: { id: `28:${TEAMS_FAKE_DEFAULTS.appId}`, name: 'Switchboard' },
      channelData: { channel: { id: TEAMS_FAKE_DEFAULTS.channelId } },
      activity: { type: 'message', text: 'IT-3 escalated' },
    });

    const creation = await connector.waitFor((call) => call.route === 'createConversation');
    expect(creation).toMatchObject({
      method: 'POST',
      path: '/v3/conversations',
      status: 201,
      body: { isGroup: true, channelData: { channel: { id: TEAMS_FAKE_DEFAULTS.channelId } }, activity: { text: 'IT-3 escalated' } },
    });
    const answered = z.object({ id: z.string(), activityId: z.string() }).parse(creation.response);
    expect(answered.activityId).toMatch(/^1:fake-\d+$/);
    expect(answered.id).toBe(`${TEAMS_FAKE_DEFAULTS.channelId};messageid=${answered.activityId}`);
    expect(created).toMatchObject({ id: answered.id, activityId: answered.activityId });
  });

  it('the team details and channel list of a seeded team are read by team id', async () => {
    connector.addTeam({
      id: TEAMS_FAKE_DEFAULTS.teamId,
      name: TEAMS_FAKE_DEFAULTS.teamName,
      aadGroupId: TEAMS_FAKE_DEFAULTS.teamAadGroupId,
      channels: [{ id: TEAMS_FAKE_DEFAULTS.channelId, name: TEAMS_FAKE_DEFAULTS.channelName }],
    });
    let seen: unknown[] = [];

    await post(adapter, teamsChannelMessage({ serviceUrl: connector.url, text: 'where am I' }), async (turn) => {
      const teamId = encodeURIComponent(turn.activity.channelData?.team?.id ?? '');
      seen = [await api.teams.getById(teamId), await api.teams.getConversations(teamId)];
    });

    expect(seen).toEqual([
      expect.objectContaining({ id: TEAMS_FAKE_DEFAULTS.teamId, name: TEAMS_FAKE_DEFAULTS.teamName, aadGroupId: TEAMS_FAKE_DEFAULTS.teamAadGroupId }),
      [{ id: TEAMS_FAKE_DEFAULTS.teamId }, { id: TEAMS_FAKE_DEFAULTS.channelId, name: TEAMS_FAKE_DEFAULTS.channelName }],
    ]);
    expect(connector.calls.map((call) => [call.method, call.route, call.teamId])).toEqual([
      ['GET', 'fetchTeamDetails', TEAMS_FAKE_DEFAULTS.teamId],
      ['GET', 'fetchChannelList', TEAMS_FAKE_DEFAULTS.teamId],
    ]);
  });

  describe('injected failures', () => {
    it('the SDK does not retry: a 429 (with its Retry-After), a 412 and a 502 reach the caller, for the outbox to retry', async () => {
      connector.failNext('replyToActivity', { status: 429, retryAfter: 3 });
      connector.failNext('updateActivity', { status: 412 });
      connector.failNext('replyToActivity', { status: 502 });
      const failures: unknown[] = [];

      await post(adapter, teamsPersonalMessage({ serviceUrl: connector.url, text: 'ping' }), async (turn) => {
        failures.push(await turn.send('pong').catch((error: unknown) => error));
        failures.push(await turn.update('1:fake-0', { text: 'x' }).catch((error: unknown) => error));
        failures.push(await turn.send('pong').catch((error: unknown) => error));
      });

      expect(failures).toEqual([
        expect.objectContaining({ statusCode: 429, code: 'Throttled', retryAfterMs: 3_000 }),
        expect.objectContaining({ statusCode: 412, code: 'PreconditionFailed' }),
        expect.objectContaining({ statusCode: 502 }),
      ]);
      expect(connector.calls.map((call) => [call.route, call.status])).toEqual([
        ['replyToActivity', 429],
        ['updateActivity', 412],
        ['replyToActivity', 502],
      ]);
    });
  });

  it('waitFor rejects with what the fake did see when nothing matches', async () => {
    await expect(connector.waitFor((call) => call.route === 'deleteActivity', 50)).rejects.toThrow(/no matching call within 50 ms \(calls: none\)/);
  });
});

describe('Teams auth fakes, driven by the real Teams SDK with an app id', () => {
  const { appId, appPassword, tenantId } = TEAMS_FAKE_DEFAULTS;
  let auth: BotAuthFake;
  let connector: ConnectorFake;
  let adapter: TeamsPlatform;
  const withFakes = (fake: BotAuthFake) => TeamsPlatform.create(appOptions({ appId, appPassword, tenantId }, quiet, fakeBotFrameworkAuthentication(fake, appId, appPassword, tenantId)));

  const channelToken = (claims: Partial<ChannelTokenClaims> = {}, options?: SignTokenOptions): Promise<string> =>
    auth.signToken({ aud: appId, serviceurl: connector.url, ...claims }, options);

  beforeAll(async () => {
    auth = await startBotAuthFake();
    connector = await startConnectorFake();
    adapter = await withFakes(auth);
  });
  beforeEach(() => {
    // Nothing should be printed for a rejected request (the SDK logs through our logger); the statuses are asserted.
    vi.spyOn(console, 'error').mockImplementation(() => {});
  });
  afterEach(() => {
    vi.restoreAllMocks();
    connector.reset();
  });
  afterAll(async () => {
    await connector.close();
    await auth.close();
  });

  it('a token Teams would send for our app id is accepted, and the reply carries a bearer token from the fake AAD', async () => {
    const inbound = teamsPersonalMessage({ serviceUrl: connector.url, text: 'hello', appId });

    const processed = await post(adapter, inbound, async (turn) => {
      await turn.send('hi');
    }, `Bearer ${await channelToken()}`);

    expect(processed.status).toBe(200);
    expect(auth.requests.map((request) => `${request.method} ${request.path}`)).toEqual(
      expect.arrayContaining(['GET /v1/.well-known/openidconfiguration', 'GET /v1/.well-known/keys']),
    );
    const reply = await connector.waitFor(isSend);
    expect(auth.issuedTokens).toContain(reply.headers.authorization?.replace(/^Bearer /, ''));
    expect(auth.tokenRequests[0]).toMatchObject({
      tenantId,
      grantType: 'client_credentials',
      clientId: appId,
      clientSecret: appPassword,
      scope: `${BOT_FRAMEWORK_SCOPE}/.default`,
    });
  });

  it('a stored reference sends proactively with Authorization: Bearer from the fake token endpoint', async () => {
    let reference: StoredReference | null = null;
    await post(adapter, teamsPersonalMessage({ serviceUrl: connector.url, text: 'remind me', appId }), async (turn) => {
      reference = referenceOf(turn.activity);
    }, `Bearer ${await channelToken()}`);

    await sendProactively(adapter, reference!, 'reminder');

    const sent = await connector.waitFor(isSend);
    expect(sent.body).toMatchObject({ text: 'reminder' });
    expect(sent.headers.authorization).toMatch(/^Bearer /);
    expect(auth.issuedTokens).toContain(sent.headers.authorization?.replace(/^Bearer /, ''));
  });

  const refusals: { story: string; authorization: () => Promise<string | undefined>; status: number }[] = [
    { story: 'no Authorization header', authorization: async () => undefined, status: 401 },
    { story: 'a token for another app id', authorization: async () => `Bearer ${await channelToken({ aud: 'someone-else' })}`, status: 401 },
    { story: 'an expired token', authorization: async () => `Bearer ${await channelToken({}, { expired: true })}`, status: 401 },
    { story: 'a token from another issuer', authorization: async () => `Bearer ${await channelToken({ iss: 'https://api.botframework.com' })}`, status: 401 },
    { story: 'a token minted for another serviceUrl', authorization: async () => `Bearer ${await channelToken({ serviceurl: 'https://smba.trafficmanager.net/amer/' })}`, status: 401 },
    { story: 'a token signed under a kid the JWKS does not publish', authorization: async () => `Bearer ${await channelToken({}, { unknownKey: true })}`, status: 401 },
    // botbuilder's CloudAdapter.process answered 500 for this one (not an AuthenticationError); the SDK refuses it.
    { story: 'a forged signature under the published kid', authorization: async () => `Bearer ${await channelToken({}, { wrongKey: true })}`, status: 401 },
    { story: 'a malformed bearer', authorization: async () => 'Bearer not-a-jwt', status: 401 },
  ];

  it.each(refusals)('$story is refused with $status and the turn never runs', async ({ authorization, status }) => {
    const turn = vi.fn(async (_turn: TeamsTurn) => {});

    const processed = await post(adapter, teamsPersonalMessage({ serviceUrl: connector.url, text: 'let me in', appId }), turn, await authorization());

    expect(processed.status).toBe(status);
    expect(turn).not.toHaveBeenCalled();
    expect(connector.calls).toEqual([]);
  });

  it('a signing key endorsed only for other channels is refused for msteams', async () => {
    const webchatOnly = await startBotAuthFake({ endorsements: ['webchat'] });
    try {
      const otherAdapter = await withFakes(webchatOnly);
      const token = await webchatOnly.signToken({ aud: appId, serviceurl: connector.url });
      const turn = vi.fn(async (_turn: TeamsTurn) => {});

      const processed = await post(otherAdapter, teamsPersonalMessage({ serviceUrl: connector.url, text: 'hi', appId }), turn, `Bearer ${token}`);

      expect(processed.status).toBe(401);
      expect(turn).not.toHaveBeenCalled();
      // The signature itself was good: the key was fetched, and refused for msteams.
      expect(webchatOnly.requests.map((request) => `${request.method} ${request.path}`)).toContain('GET /v1/.well-known/keys');
    } finally {
      await webchatOnly.close();
    }
  });

  it('settings alone cannot point the outbound token at a local http server: MSAL wants https', async () => {
    // The SDK's own client-credentials path (no token provider), its login endpoint at the fake.
    const settingsOnly = await TeamsPlatform.create(
      appOptions({ appId: 'settings-only-app', appPassword, tenantId }, quiet, { cloud: { openIdMetadataUrl: auth.metadataUrl, tokenIssuer: auth.issuer, loginEndpoint: auth.url } }),
    );
    const reference: StoredReference = {
      channelId: 'msteams',
      serviceUrl: connector.url,
      conversation: { id: TEAMS_FAKE_DEFAULTS.personalConversationId, conversationType: 'personal' },
    };

    const attempt = settingsOnly.connector(connector.url).send(reference.conversation.id, addressed(reference, 'never sent'));

    await expect(attempt).rejects.toThrow(/authority_uri_insecure/);
    expect(connector.calls).toEqual([]);
  });
});
