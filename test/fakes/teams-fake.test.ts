import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  MessageFactory,
  TeamsInfo,
  TurnContext,
  type Activity,
  type ConversationReference,
} from 'botbuilder';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { teamsChannelMessage, teamsPersonalMessage, type InboundActivity } from './teams/activities.ts';
import {
  BOT_FRAMEWORK_SCOPE,
  authSettings,
  fakeBotFrameworkAuthentication,
  startBotAuthFake,
  type BotAuthFake,
  type ChannelTokenClaims,
  type SignTokenOptions,
} from './teams/auth.ts';
import { startConnectorFake, type ConnectorCall, type ConnectorFake } from './teams/connector.ts';
import { TEAMS_FAKE_DEFAULTS } from './teams/defaults.ts';

type Logic = (context: TurnContext) => Promise<void>;
type Processed = { status: number; body: unknown };

/**
 * Drives CloudAdapter.process the way our Hono route will: `req` is {method, headers,
 * body} with the body already parsed; `res` needs status/header/send/end (botbuilder
 * checks those four with zod; the `socket` field is only in its TypeScript interface).
 */
async function post(adapter: CloudAdapter, activity: InboundActivity, logic: Logic, authorization?: string): Promise<Processed> {
  const processed: Processed = { status: 0, body: undefined };
  const res = {
    socket: null,
    status(code: number) {
      processed.status = code;
    },
    header() {},
    send(body: unknown) {
      processed.body = body;
    },
    end() {},
  };
  const headers = authorization === undefined ? {} : { authorization };
  await adapter.process({ method: 'POST', headers, body: activity }, res, logic);
  return processed;
}

const ada = TEAMS_FAKE_DEFAULTS.user;
const isSend = (call: ConnectorCall): boolean => call.route === 'sendToConversation' || call.route === 'replyToActivity';

// TeamsInfo.sendMessageToTeamsChannel is typed with a full Activity, whose typing marks
// fields botbuilder fills itself (label, valueType, listenFor…) as required.
const outgoing = (text: string): Activity => MessageFactory.text(text) as Activity;

describe('Teams connector fake, driven by the real botbuilder CloudAdapter without auth', () => {
  let connector: ConnectorFake;
  let adapter: CloudAdapter;

  beforeAll(async () => {
    connector = await startConnectorFake();
    adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  });
  afterEach(() => connector.reset());
  afterAll(() => connector.close());

  it('a personal message answered with "hi" reaches the connector as a reply to it, without Authorization', async () => {
    const inbound = teamsPersonalMessage({ serviceUrl: connector.url, text: 'my laptop is on fire' });

    const processed = await post(adapter, inbound, async (context) => {
      await context.sendActivity('hi');
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

  it('a channel thread id arrives decoded, and ctx.updateActivity is a PUT on the posted activity', async () => {
    const inbound = teamsChannelMessage({ serviceUrl: connector.url, text: 'printer jammed' });
    const threadId = `${TEAMS_FAKE_DEFAULTS.channelId};messageid=${inbound.id}`;
    let postedId = '';

    await post(adapter, inbound, async (context) => {
      const posted = await context.sendActivity('IT-1 opened');
      postedId = posted?.id ?? '';
      await context.updateActivity({ id: postedId, type: 'message', text: 'IT-1 resolved' });
    });

    const reply = await connector.waitFor(isSend);
    expect(reply.conversationId).toBe(threadId);
    expect(reply.path).toContain('%3Bmessageid%3D');
    const update = await connector.waitFor((call) => call.route === 'updateActivity');
    expect(update).toMatchObject({ method: 'PUT', conversationId: threadId, activityId: postedId, body: { text: 'IT-1 resolved' } });
    expect(postedId).toMatch(/^1:fake-\d+$/);
    expect(connector.messagesIn(threadId)).toEqual([expect.objectContaining({ id: postedId, text: 'IT-1 resolved' })]);
  });

  it('a stored conversation reference sends proactively through continueConversationAsync', async () => {
    const inbound = teamsPersonalMessage({ serviceUrl: connector.url, text: 'any news?' });
    let reference: Partial<ConversationReference> | undefined;
    await post(adapter, inbound, async (context) => {
      reference = TurnContext.getConversationReference(context.activity);
    });
    expect(connector.calls).toEqual([]);

    await adapter.continueConversationAsync(TEAMS_FAKE_DEFAULTS.appId, reference ?? {}, async (context) => {
      await context.sendActivity('IT-2 is waiting for you');
    });

    const sent = await connector.waitFor(isSend);
    // The continuation activity gets a fresh uuid as its id, so botbuilder posts the
    // proactive message as a "reply" to that made-up id (Teams accepts it).
    expect(sent).toMatchObject({
      route: 'replyToActivity',
      conversationId: TEAMS_FAKE_DEFAULTS.personalConversationId,
      activityId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-/),
      body: { text: 'IT-2 is waiting for you', recipient: { id: ada.id } },
    });
    expect(sent.headers.authorization).toBeUndefined();
  });

  it('ctx.deleteActivity is a DELETE, and the message is gone from the conversation', async () => {
    const inbound = teamsPersonalMessage({ serviceUrl: connector.url, text: 'oops' });
    await post(adapter, inbound, async (context) => {
      const posted = await context.sendActivity('to be withdrawn');
      await context.deleteActivity(posted?.id ?? '');
    });

    const deletion = await connector.waitFor((call) => call.route === 'deleteActivity');
    expect(deletion).toMatchObject({ method: 'DELETE', conversationId: TEAMS_FAKE_DEFAULTS.personalConversationId, status: 200 });
    expect(connector.messagesIn(TEAMS_FAKE_DEFAULTS.personalConversationId)).toEqual([]);
  });

  it('TeamsInfo.getMember reads the seeded member; in a team it asks by team id', async () => {
    connector.addMember(ada);
    const members: unknown[] = [];

    await post(adapter, teamsPersonalMessage({ serviceUrl: connector.url, text: 'who am I' }), async (context) => {
      members.push(await TeamsInfo.getMember(context, ada.id));
    });
    await post(adapter, teamsChannelMessage({ serviceUrl: connector.url, text: 'who am I' }), async (context) => {
      members.push(await TeamsInfo.getMember(context, ada.aadObjectId));
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
    await post(adapter, teamsPersonalMessage({ serviceUrl: connector.url, text: 'who?' }), async (context) => {
      failure = await TeamsInfo.getMember(context, '29:nobody').catch((error: unknown) => error);
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

    await post(adapter, teamsPersonalMessage({ serviceUrl: connector.url, text: 'roster' }), async (context) => {
      everyone = (await TeamsInfo.getMembers(context)).map((member) => member.id);
      const first = await TeamsInfo.getPagedMembers(context, 2);
      const second = await TeamsInfo.getPagedMembers(context, 2, first.continuationToken);
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

  it('TeamsInfo.sendMessageToTeamsChannel starts a thread with POST v3/conversations (needs a bot app id even without auth)', async () => {
    let created: [Partial<ConversationReference>, string] | undefined;
    // Without a botAppId TeamsInfo falls back to adapter.createConnectorClient, which CloudAdapter lacks.
    let withoutAppId: unknown;
    await post(adapter, teamsChannelMessage({ serviceUrl: connector.url, text: 'escalate' }), async (context) => {
      withoutAppId = await TeamsInfo.sendMessageToTeamsChannel(context, outgoing('lost'), TEAMS_FAKE_DEFAULTS.channelId).catch((error: unknown) => error);
      created = await TeamsInfo.sendMessageToTeamsChannel(context, outgoing('IT-3 escalated'), TEAMS_FAKE_DEFAULTS.channelId, TEAMS_FAKE_DEFAULTS.appId);
    });

    expect(String(withoutAppId)).toContain('createConnectorClient is not a function');
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
    const [reference, secondValue] = created ?? [{}, ''];
    expect(reference.conversation?.id).toBe(answered.id);
    // With CloudAdapter the second value is the new conversation id, NOT the root message id
    // botbuilder documents: read the id from `;messageid=` (or the createConversation answer).
    expect(secondValue).toBe(answered.id);
  });

  it('TeamsInfo reads the team details and channel list of a seeded team', async () => {
    connector.addTeam({
      id: TEAMS_FAKE_DEFAULTS.teamId,
      name: TEAMS_FAKE_DEFAULTS.teamName,
      aadGroupId: TEAMS_FAKE_DEFAULTS.teamAadGroupId,
      channels: [{ id: TEAMS_FAKE_DEFAULTS.channelId, name: TEAMS_FAKE_DEFAULTS.channelName }],
    });
    let seen: unknown[] = [];

    await post(adapter, teamsChannelMessage({ serviceUrl: connector.url, text: 'where am I' }), async (context) => {
      seen = [await TeamsInfo.getTeamDetails(context), await TeamsInfo.getTeamChannels(context)];
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
    it('botbuilder itself retries a 429 that carries Retry-After, so the send succeeds on the second POST', async () => {
      connector.failNext('replyToActivity', { status: 429, retryAfter: 0 });

      await post(adapter, teamsPersonalMessage({ serviceUrl: connector.url, text: 'ping' }), async (context) => {
        await context.sendActivity('pong');
      });

      expect(connector.calls.filter(isSend).map((call) => call.status)).toEqual([429, 200]);
    });

    it('a 429 without Retry-After and a 412 are not retried: the status reaches the caller', async () => {
      connector.failNext('replyToActivity', { status: 429 });
      connector.failNext('updateActivity', { status: 412 });
      const failures: unknown[] = [];

      await post(adapter, teamsPersonalMessage({ serviceUrl: connector.url, text: 'ping' }), async (context) => {
        failures.push(await context.sendActivity('pong').catch((error: unknown) => error));
        failures.push(await context.updateActivity({ id: '1:fake-0', type: 'message', text: 'x' }).catch((error: unknown) => error));
      });

      expect(failures).toEqual([
        expect.objectContaining({ statusCode: 429, code: 'Throttled' }),
        expect.objectContaining({ statusCode: 412, code: 'PreconditionFailed' }),
      ]);
      expect(connector.calls.map((call) => [call.route, call.status])).toEqual([
        ['replyToActivity', 429],
        ['updateActivity', 412],
      ]);
    });

    it('a 502 is retried with backoff by botbuilder (about a second later)', async () => {
      connector.failNext((request) => request.method === 'POST', { status: 502 });

      await post(adapter, teamsPersonalMessage({ serviceUrl: connector.url, text: 'ping' }), async (context) => {
        await context.sendActivity('pong');
      });

      const [failed, retried] = connector.calls;
      expect([failed?.status, retried?.status]).toEqual([502, 200]);
      expect((retried?.at ?? 0) - (failed?.at ?? 0)).toBeGreaterThanOrEqual(500);
    });
  });

  it('waitFor rejects with what the fake did see when nothing matches', async () => {
    await expect(connector.waitFor((call) => call.route === 'deleteActivity', 50)).rejects.toThrow(/no matching call within 50 ms \(calls: none\)/);
  });
});

describe('Teams auth fakes, driven by the real botbuilder CloudAdapter with an app id', () => {
  const { appId, appPassword, tenantId } = TEAMS_FAKE_DEFAULTS;
  let auth: BotAuthFake;
  let connector: ConnectorFake;
  let adapter: CloudAdapter;

  const channelToken = (claims: Partial<ChannelTokenClaims> = {}, options?: SignTokenOptions): Promise<string> =>
    auth.signToken({ aud: appId, serviceurl: connector.url, ...claims }, options);

  beforeAll(async () => {
    auth = await startBotAuthFake();
    connector = await startConnectorFake();
    adapter = new CloudAdapter(fakeBotFrameworkAuthentication(auth, appId, appPassword, tenantId));
  });
  beforeEach(() => {
    // botbuilder console.error()s every rejected request; the statuses are asserted instead.
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
    let callerId: string | undefined;

    const processed = await post(adapter, inbound, async (context) => {
      callerId = context.activity.callerId;
      await context.sendActivity('hi');
    }, `Bearer ${await channelToken()}`);

    expect(processed.status).toBe(200);
    expect(callerId).toBe('urn:botframework:azure');
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
    let reference: Partial<ConversationReference> | undefined;
    await post(adapter, teamsPersonalMessage({ serviceUrl: connector.url, text: 'remind me', appId }), async (context) => {
      reference = TurnContext.getConversationReference(context.activity);
    }, `Bearer ${await channelToken()}`);

    await adapter.continueConversationAsync(appId, reference ?? {}, async (context) => {
      await context.sendActivity('reminder');
    });

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
    // jsonwebtoken's "invalid signature" is not an AuthenticationError, and CloudAdapter.process
    // maps only AuthenticationError to 401: a forgery under the published kid gets a 500.
    { story: 'a forged signature under the published kid', authorization: async () => `Bearer ${await channelToken({}, { wrongKey: true })}`, status: 500 },
  ];

  it.each(refusals)('$story is refused with $status and the turn never runs', async ({ authorization, status }) => {
    const turn = vi.fn(async () => {});

    const processed = await post(adapter, teamsPersonalMessage({ serviceUrl: connector.url, text: 'let me in', appId }), turn, await authorization());

    expect(processed.status).toBe(status);
    expect(turn).not.toHaveBeenCalled();
    expect(connector.calls).toEqual([]);
  });

  it('a signing key endorsed only for other channels is refused for msteams', async () => {
    const webchatOnly = await startBotAuthFake({ endorsements: ['webchat'] });
    try {
      const otherAdapter = new CloudAdapter(fakeBotFrameworkAuthentication(webchatOnly, appId, appPassword, tenantId));
      const token = await webchatOnly.signToken({ aud: appId, serviceurl: connector.url });

      const processed = await post(otherAdapter, teamsPersonalMessage({ serviceUrl: connector.url, text: 'hi', appId }), async () => {}, `Bearer ${token}`);

      expect(processed.status).toBe(401);
      expect(vi.mocked(console.error).mock.calls.flat().map(String).join('\n')).toContain('Could not validate endorsement');
    } finally {
      await webchatOnly.close();
    }
  });

  it('settings alone cannot point the outbound token at a local http server: MSAL wants https', async () => {
    // Another app id: botbuilder caches tokens process-wide per app id + scope.
    const otherAppId = 'settings-only-app';
    const settings = { ...authSettings(auth, otherAppId, appPassword, tenantId), ToChannelFromBotLoginUrl: `${auth.url}/${tenantId}` };
    const settingsOnly = new CloudAdapter(new ConfigurationBotFrameworkAuthentication(settings));
    const reference: Partial<ConversationReference> = {
      channelId: 'msteams',
      serviceUrl: connector.url,
      conversation: { id: TEAMS_FAKE_DEFAULTS.personalConversationId, isGroup: false, conversationType: 'personal', name: '' },
    };

    const attempt = settingsOnly.continueConversationAsync(otherAppId, reference, async (context) => {
      await context.sendActivity('never sent');
    });

    await expect(attempt).rejects.toThrow(/authority_uri_insecure/);
    expect(connector.calls).toEqual([]);
  });
});
