import { createServer, type IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { resolveRoute, type ConnectorRoute, type ResolvedRoute } from './connector-routes.ts';
import { TEAMS_FAKE_DEFAULTS, type TeamsMemberSeed } from './defaults.ts';
import { closeServer, listenLocally, readBody, sendJson } from './http.ts';

export type { ConnectorRoute } from './connector-routes.ts';

/**
 * A local Bot Connector service: the thing an activity's `serviceUrl` points at. The bot
 * under test sends, replies, updates and reads members here; every call is recorded.
 *
 * Not modelled: pacing (use failNext to simulate 429s), attachments upload, the
 * conversation history route, batch (`v3/batch/...`) and meeting (`v1/meetings`) routes.
 */
export type ConnectorRequest = ResolvedRoute & {
  method: string;
  /** The path as received, still percent-encoded, e.g. `/v3/conversations/19%3A…/activities`. */
  path: string;
  query: Record<string, string>;
  /** Parsed JSON when the body was JSON, the raw text otherwise, undefined when empty. */
  body: unknown;
  /** Node's lower-cased headers, e.g. `headers.authorization`. */
  headers: IncomingHttpHeaders;
  /** Epoch milliseconds. */
  at: number;
};

export type ConnectorCall = ConnectorRequest & {
  status: number;
  /** What the fake answered, e.g. `{ id }` for a send or `{ id, activityId }` for a new conversation. */
  response: unknown;
};

export type ConnectorFailure =
  | { status: 429; retryAfter?: number }
  | { status: 400 | 403 | 404 | 412 | 500 | 502 | 503 | 504; code?: string };

export type CallMatcher = ConnectorRoute | ((request: ConnectorRequest) => boolean);

export type TeamSeed = { id: string; name: string; aadGroupId?: string; channels?: { id: string; name?: string }[] };

export type ConnectorFake = {
  /** Base URL with a trailing slash, as Teams sends `serviceUrl`. */
  url: string;
  /** Every request, in arrival order (the same array across reset()). */
  readonly calls: ConnectorCall[];
  addMember(member: TeamsMemberSeed): void;
  addTeam(team: TeamSeed): void;
  /** The bot's activities currently in a conversation (after updates, without deleted ones). */
  messagesIn(conversationId: string): Record<string, unknown>[];
  /** Resolves with the first recorded call (past or future) matching the predicate. */
  waitFor(predicate: (call: ConnectorCall) => boolean, timeoutMs?: number): Promise<ConnectorCall>;
  /** The next `times` requests matching `matcher` get `failure` instead of an answer. */
  failNext(matcher: CallMatcher, failure: ConnectorFailure, times?: number): void;
  /** Requests matching `matcher` get no answer until the returned function is called (a Connector that hangs). */
  hold(matcher: CallMatcher): () => void;
  /** Forgets calls, failures, messages, members and teams. */
  reset(): void;
  close(): Promise<void>;
};

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };
type FailureRule = { matcher: CallMatcher; failure: ConnectorFailure; remaining: number };
type Waiter = { predicate: (call: ConnectorCall) => boolean; resolve: (call: ConnectorCall) => void };

const ActivityBodyT = z.record(z.string(), z.unknown());
const ConversationParametersT = z.looseObject({
  isGroup: z.boolean().optional(),
  tenantId: z.string().optional(),
  channelData: z.looseObject({ channel: z.looseObject({ id: z.string() }).optional() }).optional(),
  activity: ActivityBodyT.optional(),
});

const defaultFailureCodes: Record<number, string> = {
  400: 'BadArgument',
  403: 'BotNotInConversationRoster',
  404: 'NotFound',
  412: 'PreconditionFailed',
  429: 'Throttled',
};

export async function startConnectorFake(): Promise<ConnectorFake> {
  const calls: ConnectorCall[] = [];
  let failures: FailureRule[] = [];
  const holds = new Set<{ matcher: CallMatcher; gate: Promise<void> }>();
  let waiters: Waiter[] = [];
  const members = new Map<string, TeamsMemberSeed>();
  const teams = new Map<string, TeamSeed>();
  const conversations = new Map<string, Map<string, Record<string, unknown>>>();
  let sequence = 0;

  const nextActivityId = (): string => `1:fake-${++sequence}`;
  const conversation = (id: string): Map<string, Record<string, unknown>> => {
    const existing = conversations.get(id);
    if (existing) return existing;
    const created = new Map<string, Record<string, unknown>>();
    conversations.set(id, created);
    return created;
  };
  // Teams resolves a member by its 29: id or by its AAD object id.
  const findMember = (memberId: string): TeamsMemberSeed | undefined =>
    members.get(memberId) ?? [...members.values()].find((member) => member.aadObjectId === memberId);

  function takeFailure(request: ConnectorRequest): ConnectorFailure | undefined {
    const rule = failures.find((candidate) =>
      candidate.remaining > 0 &&
      (typeof candidate.matcher === 'string' ? candidate.matcher === request.route : candidate.matcher(request)));
    if (!rule) return undefined;
    rule.remaining -= 1;
    failures = failures.filter((candidate) => candidate.remaining > 0);
    return rule.failure;
  }

  function answer(request: ConnectorRequest): Reply {
    const { route, conversationId = '', activityId = '', memberId = '', teamId = '' } = request;
    switch (route) {
      case 'createConversation':
        return createConversation(request.body);
      case 'getConversations':
        return { status: 200, body: { conversations: [...conversations.keys()].map((id) => ({ id })) } };
      case 'sendToConversation':
      case 'replyToActivity': {
        const activity = ActivityBodyT.safeParse(request.body);
        if (!activity.success) return connectorError(400, 'BadArgument', 'activity body must be a JSON object');
        const id = nextActivityId();
        conversation(conversationId).set(id, { ...activity.data, id });
        return { status: 200, body: { id } };
      }
      case 'updateActivity': {
        const activity = ActivityBodyT.safeParse(request.body);
        if (!activity.success) return connectorError(400, 'BadArgument', 'activity body must be a JSON object');
        conversation(conversationId).set(activityId, { ...activity.data, id: activityId });
        return { status: 200, body: { id: activityId } };
      }
      case 'deleteActivity':
        conversation(conversationId).delete(activityId);
        return { status: 200 };
      case 'getConversationMembers':
      case 'getActivityMembers':
        return { status: 200, body: [...members.values()].map(toChannelAccount) };
      case 'getConversationPagedMembers':
        return pagedMembers(request.query);
      case 'getConversationMember': {
        const member = findMember(memberId);
        return member
          ? { status: 200, body: toChannelAccount(member) }
          : connectorError(404, 'MemberNotFoundInConversation', 'The specified user is not a member of this conversation');
      }
      case 'fetchChannelList': {
        const team = teams.get(teamId);
        if (!team) return connectorError(404, 'NotFound', `team ${teamId} is unknown to the fake`);
        // The General channel shares the team's id and has no name.
        const channels = [{ id: team.id }, ...(team.channels ?? [])];
        return { status: 200, body: { conversations: channels } };
      }
      case 'fetchTeamDetails': {
        const team = teams.get(teamId);
        if (!team) return connectorError(404, 'NotFound', `team ${teamId} is unknown to the fake`);
        return {
          status: 200,
          body: {
            id: team.id,
            name: team.name,
            aadGroupId: team.aadGroupId,
            channelCount: 1 + (team.channels?.length ?? 0),
            memberCount: members.size,
          },
        };
      }
      case 'unknown':
        return connectorError(404, 'NotFound', `connector fake: no route for ${request.method} ${request.path}`);
    }
  }

  function createConversation(body: unknown): Reply {
    const parsed = ConversationParametersT.safeParse(body);
    if (!parsed.success) return connectorError(400, 'BadArgument', 'ConversationParameters expected');
    const { channelData, activity } = parsed.data;
    const channelId = channelData?.channel?.id;
    if (channelId && !activity) {
      return connectorError(400, 'BadArgument', 'a new channel thread needs an activity to start it');
    }
    const activityId = activity ? nextActivityId() : undefined;
    // A channel post starts a thread named after its root message; a 1:1 chat gets an a: id.
    const conversationId = channelId ? `${channelId};messageid=${activityId}` : `a:fake-conversation-${++sequence}`;
    const messages = conversation(conversationId);
    if (activity && activityId) messages.set(activityId, { ...activity, id: activityId });
    return { status: 201, body: { id: conversationId, activityId, serviceUrl: fake.url } };
  }

  function pagedMembers(query: Record<string, string>): Reply {
    const all = [...members.values()].map(toChannelAccount);
    const pageSize = Math.max(1, Number(query.pageSize ?? '200') || 200);
    const start = Number(query.continuationToken ?? '0') || 0;
    const page = all.slice(start, start + pageSize);
    const next = start + pageSize < all.length ? String(start + pageSize) : undefined;
    return { status: 200, body: { members: page, ...(next ? { continuationToken: next } : {}) } };
  }

  function record(call: ConnectorCall): void {
    calls.push(call);
    const ready = waiters.filter((waiter) => waiter.predicate(call));
    waiters = waiters.filter((waiter) => !ready.includes(waiter));
    for (const waiter of ready) waiter.resolve(call);
  }

  const server = createServer((req, res) => {
    void readBody(req).then(async (body) => {
      const url = new URL(req.url ?? '/', 'http://connector.fake');
      const method = (req.method ?? 'GET').toUpperCase();
      const request: ConnectorRequest = {
        ...resolveRoute(method, url.pathname),
        method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body,
        headers: req.headers,
        at: Date.now(),
      };
      const held = [...holds].find((h) => (typeof h.matcher === 'string' ? h.matcher === request.route : h.matcher(request)));
      if (held) await held.gate;
      if (req.socket.destroyed) return; // the caller gave up while it was held: not answered, not recorded
      const failure = takeFailure(request);
      const reply = failure ? failureReply(failure) : answer(request);
      record({ ...request, status: reply.status, response: reply.body });
      sendJson(res, reply.status, reply.body, reply.headers);
    });
  });
  const port = await listenLocally(server);

  const fake: ConnectorFake = {
    url: `http://127.0.0.1:${port}/`,
    calls,
    addMember(member) {
      members.set(member.id, member);
    },
    addTeam(team) {
      teams.set(team.id, team);
    },
    messagesIn(conversationId) {
      return [...(conversations.get(conversationId)?.values() ?? [])];
    },
    waitFor(predicate, timeoutMs = 2_000) {
      const seen = calls.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise<ConnectorCall>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((waiter) => waiter !== entry);
          const summary = calls.map((call) => `${call.method} ${call.route} → ${call.status}`).join('; ');
          reject(new Error(`connector fake: no matching call within ${timeoutMs} ms (calls: ${summary || 'none'})`));
        }, timeoutMs);
        const entry: Waiter = {
          predicate,
          resolve: (call) => {
            clearTimeout(timer);
            resolve(call);
          },
        };
        waiters.push(entry);
      });
    },
    failNext(matcher, failure, times = 1) {
      failures.push({ matcher, failure, remaining: times });
    },
    hold(matcher) {
      let release!: () => void;
      const entry = { matcher, gate: new Promise<void>((resolve) => (release = resolve)) };
      holds.add(entry);
      return () => {
        holds.delete(entry);
        release();
      };
    },
    reset() {
      calls.length = 0;
      failures = [];
      members.clear();
      teams.clear();
      conversations.clear();
    },
    close: () => closeServer(server),
  };
  return fake;
}

function toChannelAccount(member: TeamsMemberSeed): Record<string, unknown> {
  return {
    id: member.id,
    name: member.name,
    aadObjectId: member.aadObjectId,
    email: member.email,
    userPrincipalName: member.userPrincipalName ?? member.email,
    givenName: member.givenName,
    surname: member.surname,
    tenantId: member.tenantId ?? TEAMS_FAKE_DEFAULTS.tenantId,
    userRole: member.userRole ?? 'user',
  };
}

function connectorError(status: number, code: string, message: string): Reply {
  return { status, body: { error: { code, message } } };
}

function failureReply(failure: ConnectorFailure): Reply {
  if (failure.status === 429) {
    const headers: Record<string, string> = failure.retryAfter === undefined ? {} : { 'retry-after': String(failure.retryAfter) };
    return { ...connectorError(429, defaultFailureCodes[429] ?? 'Throttled', 'Too many requests (connector fake)'), headers };
  }
  const code = failure.code ?? defaultFailureCodes[failure.status] ?? 'ServiceError';
  return connectorError(failure.status, code, `Injected ${failure.status} (connector fake)`);
}
