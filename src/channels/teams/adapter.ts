import { AsyncLocalStorage } from 'node:async_hooks';
import { z } from 'zod';
import { App, type AppOptions, type IActivityContext, type IHttpServerAdapter, type IPlugin } from '@microsoft/teams.apps';
import type { Client as ApiClient, CreateConversationParams } from '@microsoft/teams.api';
import { retryAfterMs } from '../../outbox/adapter.ts';
import { KeyEndorsements } from './auth.ts';
import { ConnectorError, type InvokeAnswer, type OutgoingMessage, type TeamsActivity, type TeamsMember, type TeamsTurn } from './platform.ts';
import type { StoredReference } from './reference.ts';

/** Our handlers' logic: one authenticated turn in, the invoke's answer (if any) out. */
export type TurnLogic = (turn: TeamsTurn) => Promise<InvokeAnswer | undefined>;

/** How one inbound request went: refused by authentication, or the logic's answer. */
export type Handled = { refused: true } | { refused: false; answer: InvokeAnswer | undefined };

type Pending = { logic: TurnLogic; authorization: string | undefined; ran: boolean; refused: boolean; answer?: InvokeAnswer; error?: unknown };

const MESSAGING_ENDPOINT = '/api/messages';

/**
 * The Teams SDK (`@microsoft/teams.apps` App) under our interface. The App owns the bot's
 * identity: inbound JWT validation (HttpServer: OpenID metadata + JWKS of the cloud
 * environment, issuer, audience, serviceurl claim), outbound tokens (TokenManager: MSAL
 * client credentials, managed identity or an injected provider) and the Bot Connector
 * client; we add the key-endorsement check it lacks. We keep our own HTTP route (Hono) and our own router: the App's messaging
 * endpoint handler is captured through a transport adapter and called by endpoint.ts,
 * and every authenticated activity reaches one catch-all middleware that runs our logic.
 */
export class TeamsPlatform {
  private readonly app: App;
  private route: ((request: { body: unknown; headers: Record<string, string> }) => Promise<{ status: number; body?: unknown }>) | undefined;
  private readonly turns = new AsyncLocalStorage<Pending>();
  /** Set when tokens are checked (an app id): the key-endorsement check the SDK lacks. */
  private readonly endorsements: KeyEndorsements | undefined;
  private readonly connectors = new Map<string, Connector>();

  private constructor(options: AppOptions<IPlugin>) {
    const transport: IHttpServerAdapter = {
      registerRoute: (_method, path, handler) => {
        if (path === MESSAGING_ENDPOINT) this.route = handler;
      },
    };
    this.app = new App({ ...options, httpServerAdapter: transport, messagingEndpoint: MESSAGING_ENDPOINT });
    this.endorsements = this.app.credentials && !options.dangerouslyAllowUnauthenticatedRequests ? new KeyEndorsements(this.app.cloud.openIdMetadataUrl) : undefined;
    this.app.use(async (ctx) => {
      const pending = this.turns.getStore();
      if (!pending) return;
      if (this.endorsements && !(await this.endorsements.allow(pending.authorization, ctx.activity.channelId).catch(() => false))) {
        pending.refused = true;
        return;
      }
      pending.ran = true;
      try {
        pending.answer = await pending.logic(turnOf(ctx));
      } catch (error) {
        // Kept for the endpoint, which maps failures to statuses; the App would answer 500 for all.
        pending.error = error;
      }
    });
  }

  static async create(options: AppOptions<IPlugin>): Promise<TeamsPlatform> {
    const platform = new TeamsPlatform(options);
    await platform.app.initialize();
    if (!platform.route) throw new Error('the Teams SDK registered no messaging endpoint');
    return platform;
  }

  /**
   * Authenticate an inbound activity the Teams SDK way and, when it passes, run `logic`
   * on it. Any authentication failure is a refusal; what `logic` throws is rethrown.
   */
  async handle(body: Record<string, unknown>, authorization: string | undefined, logic: TurnLogic): Promise<Handled> {
    const pending: Pending = { logic, authorization, ran: false, refused: false };
    const response = await this.turns.run(pending, () => this.route!({ body, headers: authorization ? { authorization } : {} }));
    if (pending.error !== undefined) throw pending.error;
    if (pending.refused) return { refused: true };
    if (!pending.ran) {
      if (response.status === 401) return { refused: true };
      // The SDK could not read the activity (its own parsing threw): nothing of ours ran.
      throw new UnreadableActivity(`the Teams SDK answered ${response.status} without running the turn`);
    }
    return { refused: false, answer: pending.answer };
  }

  /**
   * The Bot Connector at `serviceUrl`, with the bot's token (none in no-auth mode). One per
   * service URL (Teams has a handful, one per region): the SDK's clone() builds a whole API client
   * tree and HTTP client, which every delivery paid for when it was built per call.
   */
  connector(serviceUrl: string): Connector {
    let connector = this.connectors.get(serviceUrl);
    if (!connector) {
      if (this.connectors.size >= 100) this.connectors.clear();
      connector = new Connector(this.app.api.clone({ serviceUrl }));
      this.connectors.set(serviceUrl, connector);
    }
    return connector;
  }
}

/** An activity the Teams SDK itself could not process (it answered without running our turn). */
export class UnreadableActivity extends Error {
  override name = 'UnreadableActivity';
}

/**
 * The Bot Connector calls we make, on the SDK's API client. Ids go into paths
 * percent-encoded (thread ids hold ';' and '='), and a reply is POSTed to
 * `activities/{replyToId}` (replyToActivity), the route botbuilder used and Teams
 * documents for answering an activity; the SDK's own reply() posts to `activities`
 * with replyToId in the body instead.
 */
export class Connector {
  constructor(private readonly api: ApiClient) {}

  async reply(conversationId: string, replyToId: string, activity: Record<string, unknown>): Promise<string | undefined> {
    const url = `${this.api.serviceUrl}/v3/conversations/${encodeURIComponent(conversationId)}/activities/${encodeURIComponent(replyToId)}`;
    const res = await connectorCall(() => this.api.http.post<{ id?: string }>(url, { ...activity, replyToId }));
    return res.data?.id;
  }

  async send(conversationId: string, activity: Record<string, unknown>): Promise<string | undefined> {
    return (await connectorCall(() => this.api.conversations.activities(encodeURIComponent(conversationId)).create(activity as never))).id;
  }

  async update(conversationId: string, activityId: string, activity: Record<string, unknown>): Promise<void> {
    await connectorCall(() => this.api.conversations.activities(encodeURIComponent(conversationId)).update(encodeURIComponent(activityId), { ...activity, id: activityId } as never));
  }

  async member(conversationId: string, userId: string): Promise<TeamsMember> {
    const account = await connectorCall(() => this.api.conversations.members(encodeURIComponent(conversationId)).getById(encodeURIComponent(userId)));
    return { id: account.id, name: account.name, aadObjectId: account.aadObjectId, email: account.email, userPrincipalName: account.userPrincipalName };
  }

  async createConversation(params: Record<string, unknown>): Promise<{ id: string; activityId?: string }> {
    return connectorCall(() => this.api.conversations.create(params as CreateConversationParams));
  }
}

/** The fields botbuilder's applyConversationReference put on everything sent to a conversation. */
export function addressed(reference: StoredReference, message: OutgoingMessage | string): Record<string, unknown> {
  const body = typeof message === 'string' ? { text: message, inputHint: 'acceptingInput' } : message;
  return {
    type: 'message',
    ...body,
    channelId: reference.channelId,
    serviceUrl: reference.serviceUrl,
    conversation: reference.conversation,
    ...(reference.bot ? { from: reference.bot } : {}),
    ...(reference.user ? { recipient: reference.user } : {}),
    ...(typeof reference.locale === 'string' ? { locale: reference.locale } : {}),
  };
}

/** Our view of one turn of the SDK. */
function turnOf(ctx: IActivityContext): TeamsTurn {
  const activity = ctx.activity as unknown as TeamsActivity;
  const connector = new Connector(ctx.api);
  const reference: StoredReference = {
    channelId: activity.channelId,
    serviceUrl: activity.serviceUrl,
    conversation: activity.conversation,
    ...(activity.recipient ? { bot: activity.recipient } : {}),
    user: activity.from,
    ...(activity.locale ? { locale: activity.locale } : {}),
  };
  return {
    activity,
    send: (message) => {
      const out = addressed(reference, message);
      return activity.id ? connector.reply(activity.conversation.id, activity.id, out) : connector.send(activity.conversation.id, out);
    },
    update: (activityId, message) => connector.update(activity.conversation.id, activityId, addressed(reference, message)),
    // In a team, members are looked up on the team (as botbuilder's TeamsInfo.getMember did).
    member: (userId) => connector.member(activity.channelData?.team?.id ?? activity.conversation.id, userId),
  };
}

/** The Bot Connector's error body: `{ error: { code, message } }`. */
const connectorErrorSchema = z.object({ error: z.looseObject({ code: z.string() }) });

/** Run a Bot Connector call; its HTTP failure becomes a ConnectorError with the status and Retry-After. */
async function connectorCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const response = (error as { response?: { status?: unknown; headers?: Record<string, unknown>; data?: unknown } }).response;
    const status = typeof response?.status === 'number' ? response.status : undefined;
    const header = response?.headers?.['retry-after'];
    const code = connectorErrorSchema.safeParse(response?.data).data?.error.code;
    throw new ConnectorError(error instanceof Error ? error.message : String(error), status, retryAfterMs(typeof header === 'string' ? header : null), code);
  }
}
