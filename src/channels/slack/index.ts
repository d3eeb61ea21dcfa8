import { App, LogLevel, SocketModeReceiver, type Receiver } from '@slack/bolt';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import type { Channel, ChannelDeps } from '../types.ts';
import { SlackIdentity } from './identity.ts';
import type { Inbound } from './inbound.ts';
import { registerCommand } from './intake-command.ts';
import { registerSuggestionAnswers } from './intake-dm.ts';
import { registerReaction } from './intake-reaction.ts';
import { registerCreateShortcut } from './intake-shortcut.ts';
import { SlackOutbound } from './outbound.ts';
import { SharedPace } from '../../outbox/pace.ts';
import { SLACK_PACE } from './pace.ts';
import { registerPick } from './pick.ts';
import { registerReplyTools } from './reply-tools.ts';
import { HonoReceiver } from './receiver.ts';
import { KeptEvents } from './redo.ts';
import { registerMessages } from './thread-sync.ts';
import { registerTriage } from './triage.ts';
import { registerApprovalActions } from './approval-actions.ts';

/**
 * Slack: Bolt (with our receiver mounted in Hono at POST /slack/events, or Socket Mode
 * when SLACK_APP_TOKEN is set) for everything inbound, and an outbound adapter on the
 * real WebClient for the outbox.
 */
export async function createSlackChannel(deps: ChannelDeps): Promise<Channel> {
  const slack = deps.config.slack;
  if (!slack) throw new Error('createSlackChannel called without Slack configuration');
  const log = deps.logger.child({ channel: 'slack' });
  // Retries and 429s are the outbox's job (backoff, Retry-After), not the client's.
  const clientOptions: WebClientOptions = {
    ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    // A call that hangs fails (and the outbox retries it) instead of holding its delivery for ever.
    timeout: deps.config.deliveryTimeoutMs,
    logLevel: LogLevel.ERROR,
  };
  const client = new WebClient(slack.botToken, clientOptions);
  const auth = await client.auth.test().catch((error: unknown) => {
    log.warn({ err: error }, 'slack: auth.test failed at start; Bolt will verify the token on the first request');
    return null;
  });
  const kept = new KeptEvents(deps.database.db, log, deps.slack?.redo);
  const http = slack.appToken ? null : new HonoReceiver(slack.signingSecret, log, kept);
  const receiver: Receiver = http ?? new SocketModeReceiver({ appToken: slack.appToken!, logLevel: LogLevel.WARN });
  const app = new App({
    token: slack.botToken,
    receiver,
    clientOptions,
    convoStore: false,
    logLevel: LogLevel.WARN,
    ...(auth?.user_id && auth.bot_id ? { tokenVerificationEnabled: false, botId: auth.bot_id, botUserId: auth.user_id } : {}),
  });
  app.use(kept.middleware());
  app.error(async (error) => {
    log.error({ err: error }, 'slack: listener failed');
  });

  const inbound: Inbound = {
    core: deps.core,
    catalog: deps.catalog,
    identity: new SlackIdentity(client),
    client,
    logger: log,
    ticketEmoji: slack.ticketEmoji,
    publicUrl: deps.links.publicUrl,
  };
  registerMessages(app, inbound);
  registerPick(app, inbound);
  registerSuggestionAnswers(app, inbound);
  registerReaction(app, inbound);
  registerCommand(app, inbound, slack.requestCommand);
  registerCreateShortcut(app, inbound);
  registerTriage(app, inbound);
  registerReplyTools(app, inbound);
  registerApprovalActions(app, inbound);

  const outbound = new SlackOutbound(client, SharedPace.of(deps.database.db, SLACK_PACE), deps.catalog, deps.links, log, deps.core.now);
  return {
    name: 'slack',
    outbound,
    ...(http ? { routes: (hono) => hono.post('/slack/events', (c) => http.handle(c.req.raw)) } : {}),
    async start() {
      if (!http) await app.start();
      kept.start(app);
    },
    async stop() {
      await kept.stop();
      if (!http) await app.stop();
    },
  };
}
