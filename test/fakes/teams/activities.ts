import { TEAMS_FAKE_DEFAULTS } from './defaults.ts';

/**
 * Inbound activities shaped like the ones Teams POSTs to a bot's messaging endpoint.
 * Plain objects (type aliases, so they fit a `Record<string, unknown>` body).
 */
export type TeamsAccount = { id: string; name: string; aadObjectId?: string };

export type TeamsChannelData = {
  tenant: { id: string };
  team?: { id: string; name: string; aadGroupId: string };
  channel?: { id: string; name: string };
  teamsTeamId?: string;
  teamsChannelId?: string;
};

export type InboundActivity = {
  type: 'message' | 'invoke' | 'conversationUpdate' | 'event';
  id: string;
  timestamp: string;
  channelId: 'msteams';
  serviceUrl: string;
  from: TeamsAccount;
  recipient: TeamsAccount;
  conversation: {
    id: string;
    conversationType: 'personal' | 'channel' | 'groupChat';
    tenantId: string;
    isGroup?: boolean;
  };
  locale: string;
  text?: string;
  textFormat?: 'plain' | 'markdown' | 'xml';
  replyToId?: string;
  name?: string;
  value?: unknown;
  channelData: TeamsChannelData;
};

type MessageOptions = {
  /** The connector fake's `url`: where the bot must answer. */
  serviceUrl: string;
  text: string;
  from?: TeamsAccount;
  /** The bot's app id; the recipient is `28:<appId>`. */
  appId?: string;
  id?: string;
};

// Teams message ids are epoch-millisecond strings; a counter keeps them unique per run.
let lastInboundId = 1_700_000_000_000;
function nextInboundId(): string {
  lastInboundId += 1;
  return String(lastInboundId);
}

const defaultUser: TeamsAccount = {
  id: TEAMS_FAKE_DEFAULTS.user.id,
  name: TEAMS_FAKE_DEFAULTS.user.name,
  aadObjectId: TEAMS_FAKE_DEFAULTS.user.aadObjectId,
};

function botAccount(appId: string): TeamsAccount {
  return { id: `28:${appId}`, name: TEAMS_FAKE_DEFAULTS.botName };
}

/** A message in the bot's 1:1 chat with a user. */
export function teamsPersonalMessage(options: MessageOptions): InboundActivity {
  const appId = options.appId ?? TEAMS_FAKE_DEFAULTS.appId;
  return {
    type: 'message',
    id: options.id ?? nextInboundId(),
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl: options.serviceUrl,
    from: options.from ?? defaultUser,
    recipient: botAccount(appId),
    conversation: {
      id: TEAMS_FAKE_DEFAULTS.personalConversationId,
      conversationType: 'personal',
      tenantId: TEAMS_FAKE_DEFAULTS.tenantId,
    },
    locale: 'en-US',
    text: options.text,
    textFormat: 'plain',
    channelData: { tenant: { id: TEAMS_FAKE_DEFAULTS.tenantId } },
  };
}

/**
 * A new top-level post in the triage channel (an @mention of the bot, in real life).
 * Teams names the thread after its root message: `<channelId>;messageid=<rootId>`.
 * Pass `threadRootId` for a reply inside an existing thread.
 */
export function teamsChannelMessage(options: MessageOptions & { threadRootId?: string }): InboundActivity {
  const appId = options.appId ?? TEAMS_FAKE_DEFAULTS.appId;
  const id = options.id ?? nextInboundId();
  const rootId = options.threadRootId ?? id;
  const { teamId, teamName, teamAadGroupId, channelId, channelName, tenantId } = TEAMS_FAKE_DEFAULTS;
  return {
    type: 'message',
    id,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl: options.serviceUrl,
    from: options.from ?? defaultUser,
    recipient: botAccount(appId),
    conversation: {
      id: `${channelId};messageid=${rootId}`,
      conversationType: 'channel',
      tenantId,
      isGroup: true,
    },
    locale: 'en-US',
    text: options.text,
    textFormat: 'plain',
    ...(options.threadRootId ? { replyToId: options.threadRootId } : {}),
    channelData: {
      tenant: { id: tenantId },
      team: { id: teamId, name: teamName, aadGroupId: teamAadGroupId },
      channel: { id: channelId, name: channelName },
      teamsTeamId: teamId,
      teamsChannelId: channelId,
    },
  };
}
