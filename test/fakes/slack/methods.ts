import { z } from 'zod';
import {
  SlackMethodError,
  attachments,
  formBoolean,
  formInteger,
  messageBlocks,
  messageText,
  parseArgs,
  slackId,
  type MethodArgs,
  type MethodResult,
} from './args.ts';
import { viewMethods } from './views.ts';
import { compareTs, type SlackMessage, type SlackWorkspace } from './workspace.ts';

export type MethodHandler = (args: MethodArgs, ws: SlackWorkspace) => MethodResult;

const content = { text: messageText.optional(), blocks: messageBlocks.optional(), attachments: attachments.optional() };
const contentErrors = { channel: 'channel_not_found', text: 'msg_too_long', blocks: 'invalid_blocks', attachments: 'invalid_attachments' };

const postMessageArgs = z.object({
  channel: slackId,
  ...content,
  thread_ts: z.string().optional(),
  reply_broadcast: formBoolean.optional(),
  metadata: z.unknown().optional(),
});
const updateArgs = z.object({ channel: slackId, ts: slackId, ...content, metadata: z.unknown().optional() });
const ephemeralArgs = z.object({ channel: slackId, user: slackId, ...content, thread_ts: z.string().optional() });
const permalinkArgs = z.object({ channel: slackId, message_ts: slackId });
const reactionArgs = z.object({ channel: slackId, timestamp: slackId, name: slackId });
const userArgs = z.object({ user: slackId });
const emailArgs = z.object({ email: slackId });
const channelArgs = z.object({ channel: slackId });
const openArgs = z.object({ users: z.string().optional(), channel: z.string().optional(), return_im: formBoolean.optional() });
const pageArgs = {
  channel: slackId,
  limit: formInteger.optional(),
  oldest: z.string().optional(),
  latest: z.string().optional(),
  inclusive: formBoolean.optional(),
};
const historyArgs = z.object(pageArgs);
const repliesArgs = z.object({ ...pageArgs, ts: slackId });

function requireContent(args: { text?: string | undefined; blocks?: unknown[] | undefined; attachments?: unknown[] | undefined }): void {
  if (!args.text && (args.blocks ?? []).length === 0 && (args.attachments ?? []).length === 0) {
    throw new SlackMethodError('no_text');
  }
}

function channelOrFail(ws: SlackWorkspace, channel: string): string {
  const resolved = ws.resolveChannel(channel);
  if (resolved === undefined) throw new SlackMethodError('channel_not_found');
  return resolved;
}

function messageOrFail(ws: SlackWorkspace, channel: string, ts: string): SlackMessage {
  const message = ws.findMessage(channel, ts);
  if (message === undefined) throw new SlackMethodError('message_not_found');
  return message;
}

function botProfile(ws: SlackWorkspace): Record<string, unknown> {
  const { botId, appId, botName, teamId } = ws.identity;
  return { id: botId, app_id: appId, name: botName, deleted: false, team_id: teamId };
}

/** Applies oldest/latest/inclusive/limit the way the history methods document them. */
function page(messages: SlackMessage[], args: z.output<typeof historyArgs>): { messages: SlackMessage[]; has_more: boolean } {
  const inclusive = args.inclusive ?? false;
  const inRange = messages.filter((m) => {
    const afterOldest = args.oldest === undefined || (inclusive ? compareTs(m.ts, args.oldest) >= 0 : compareTs(m.ts, args.oldest) > 0);
    const beforeLatest = args.latest === undefined || (inclusive ? compareTs(m.ts, args.latest) <= 0 : compareTs(m.ts, args.latest) < 0);
    return afterOldest && beforeLatest;
  });
  const limit = args.limit ?? 100;
  return { messages: inRange.slice(0, limit), has_more: inRange.length > limit };
}

export const methods: Record<string, MethodHandler> = {
  'auth.test'(_args, ws) {
    const { teamDomain, teamName, botName, teamId, botUserId, botId } = ws.identity;
    return { url: `https://${teamDomain}.slack.com/`, team: teamName, user: botName, team_id: teamId, user_id: botUserId, bot_id: botId, is_enterprise_install: false };
  },

  'chat.postMessage'(raw, ws) {
    const args = parseArgs(postMessageArgs, raw, contentErrors);
    const channel = channelOrFail(ws, args.channel);
    requireContent(args);
    const { botUserId, botId, appId } = ws.identity;
    const message = ws.addMessage(channel, {
      user: botUserId,
      bot_id: botId,
      app_id: appId,
      text: args.text ?? '',
      ...(args.blocks === undefined ? {} : { blocks: args.blocks }),
      ...(args.attachments === undefined ? {} : { attachments: args.attachments }),
      ...(args.metadata === undefined ? {} : { metadata: args.metadata }),
      ...(args.thread_ts === undefined ? {} : { thread_ts: args.thread_ts }),
      ...(args.thread_ts !== undefined && args.reply_broadcast === true ? { subtype: 'thread_broadcast' } : {}),
    });
    return { channel, ts: message.ts, message: { ...message, bot_profile: botProfile(ws) } };
  },

  'chat.update'(raw, ws) {
    const args = parseArgs(updateArgs, raw, contentErrors);
    const channel = channelOrFail(ws, args.channel);
    const message = messageOrFail(ws, channel, args.ts);
    if (message.bot_id !== ws.identity.botId) throw new SlackMethodError('cant_update_message');
    requireContent(args);
    if (args.text !== undefined) message.text = args.text;
    if (args.blocks !== undefined) message.blocks = args.blocks;
    if (args.attachments !== undefined) message.attachments = args.attachments;
    if (args.metadata !== undefined) message.metadata = args.metadata;
    message.edited = { user: ws.identity.botUserId, ts: ws.nextTs() };
    return { channel, ts: message.ts, text: message.text, message: { ...message, bot_profile: botProfile(ws) } };
  },

  'chat.postEphemeral'(raw, ws) {
    const args = parseArgs(ephemeralArgs, raw, { ...contentErrors, user: 'user_not_found' });
    const channel = channelOrFail(ws, args.channel);
    requireContent(args);
    const messageTs = ws.nextTs();
    ws.ephemerals.push({
      channel,
      user: args.user,
      message_ts: messageTs,
      text: args.text ?? '',
      ...(args.blocks === undefined ? {} : { blocks: args.blocks }),
      ...(args.thread_ts === undefined ? {} : { thread_ts: args.thread_ts }),
    });
    return { message_ts: messageTs };
  },

  'chat.getPermalink'(raw, ws) {
    const args = parseArgs(permalinkArgs, raw, { channel: 'channel_not_found', message_ts: 'message_not_found' });
    const channel = channelOrFail(ws, args.channel);
    const message = messageOrFail(ws, channel, args.message_ts);
    const base = `https://${ws.identity.teamDomain}.slack.com/archives/${channel}/p${message.ts.replace('.', '')}`;
    const inThread = message.thread_ts !== undefined && message.thread_ts !== message.ts;
    return { channel, permalink: inThread ? `${base}?thread_ts=${message.thread_ts}&cid=${channel}` : base };
  },

  'reactions.add'(raw, ws) {
    const args = parseArgs(reactionArgs, raw, { channel: 'channel_not_found', timestamp: 'message_not_found', name: 'invalid_name' });
    const message = messageOrFail(ws, channelOrFail(ws, args.channel), args.timestamp);
    const name = args.name.replace(/^:|:$/g, '');
    const reactions = message.reactions ?? [];
    const existing = reactions.find((reaction) => reaction.name === name);
    const botUserId = ws.identity.botUserId;
    if (existing?.users.includes(botUserId)) throw new SlackMethodError('already_reacted');
    if (existing === undefined) {
      reactions.push({ name, users: [botUserId], count: 1 });
    } else {
      existing.users.push(botUserId);
      existing.count += 1;
    }
    message.reactions = reactions;
    return {};
  },

  'users.info'(raw, ws) {
    const args = parseArgs(userArgs, raw, { user: 'user_not_found' });
    const user = ws.users.get(args.user);
    if (user === undefined) throw new SlackMethodError('user_not_found');
    return { user: ws.userObject(user) };
  },

  'users.lookupByEmail'(raw, ws) {
    const args = parseArgs(emailArgs, raw, { email: 'users_not_found' });
    const user = ws.userByEmail(args.email);
    if (user === undefined) throw new SlackMethodError('users_not_found');
    return { user: ws.userObject(user) };
  },

  'conversations.open'(raw, ws) {
    const args = parseArgs(openArgs, raw);
    if (args.channel) return { channel: { id: channelOrFail(ws, args.channel) } };
    const users = (args.users ?? '').split(',').map((user) => user.trim()).filter(Boolean);
    if (users.length === 0) throw new SlackMethodError('users_list_not_supplied');
    if (users.some((user) => !/^[UW][A-Z0-9]{2,}$/.test(user))) throw new SlackMethodError('user_not_found');
    const id = users.length === 1 && users[0] !== undefined ? ws.dmChannelId(users[0]) : `G${users.join('').slice(0, 10)}`;
    const alreadyOpen = ws.channels.has(id);
    ws.addChannel({ id, name: id, isPrivate: true });
    const channel = args.return_im ? ws.channelObject(id) : { id };
    return alreadyOpen ? { no_op: true, already_open: true, channel } : { channel };
  },

  'conversations.info'(raw, ws) {
    const args = parseArgs(channelArgs, raw, { channel: 'channel_not_found' });
    const channel = ws.channelObject(args.channel);
    if (channel === undefined) throw new SlackMethodError('channel_not_found');
    return { channel };
  },

  'conversations.history'(raw, ws) {
    const args = parseArgs(historyArgs, raw, { channel: 'channel_not_found', limit: 'invalid_limit' });
    const channel = channelOrFail(ws, args.channel);
    return { ...page(ws.history(channel), args), pin_count: 0, channel_actions_ts: null, channel_actions_count: 0, response_metadata: { next_cursor: '' } };
  },

  'conversations.replies'(raw, ws) {
    const args = parseArgs(repliesArgs, raw, { channel: 'channel_not_found', ts: 'thread_not_found', limit: 'invalid_limit' });
    const thread = ws.replies(channelOrFail(ws, args.channel), args.ts);
    if (thread === undefined) throw new SlackMethodError('thread_not_found');
    return { ...page(thread, args), response_metadata: { next_cursor: '' } };
  },

  ...viewMethods,
};
