import { DateTime } from 'luxon';
import type { ViewOutput } from '@slack/bolt';
import type { SlackFakeIdentity } from './defaults.ts';

/** What a test seeds with `fake.addUser`. */
export interface SeedUser {
  id: string;
  name: string;
  email?: string;
  realName?: string;
  displayName?: string;
  isBot?: boolean;
  /** IANA zone, e.g. 'Europe/Berlin'. Slack's default for new accounts is America/Los_Angeles. */
  tz?: string;
  deleted?: boolean;
}

export interface SeedChannel {
  id: string;
  name: string;
  isPrivate?: boolean;
}

export interface SlackReaction {
  name: string;
  users: string[];
  count: number;
}

/** A message as conversations.history / conversations.replies return it. */
export interface SlackMessage {
  type: 'message';
  subtype?: string;
  ts: string;
  user?: string;
  bot_id?: string;
  app_id?: string;
  team: string;
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
  metadata?: unknown;
  thread_ts?: string;
  parent_user_id?: string;
  reply_count?: number;
  reply_users?: string[];
  reply_users_count?: number;
  latest_reply?: string;
  reactions?: SlackReaction[];
  edited?: { user: string; ts: string };
}

export interface EphemeralMessage {
  channel: string;
  user: string;
  message_ts: string;
  text: string;
  blocks?: unknown[];
  thread_ts?: string;
}

const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;
const USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** Orders Slack timestamps ("seconds.micros") without float rounding. */
export function compareTs(a: string, b: string): number {
  const [aSec = '0', aMicro = '0'] = a.split('.');
  const [bSec = '0', bMicro = '0'] = b.split('.');
  const bySeconds = Number(aSec) - Number(bSec);
  return bySeconds !== 0 ? bySeconds : Number(aMicro.padEnd(6, '0')) - Number(bMicro.padEnd(6, '0'));
}

/** The fake workspace's state: users, channels, messages and views, as the Web API sees them. */
export class SlackWorkspace {
  readonly users = new Map<string, SeedUser>();
  readonly channels = new Map<string, SeedChannel>();
  readonly views = new Map<string, ViewOutput>();
  readonly ephemerals: EphemeralMessage[] = [];
  readonly usedTriggerIds = new Set<string>();
  private readonly messagesByChannel = new Map<string, SlackMessage[]>();
  private lastTsMicros = 0;
  private idCounter = 0;

  constructor(
    readonly identity: SlackFakeIdentity,
    readonly now: () => number,
  ) {
    this.reset();
  }

  reset(): void {
    this.users.clear();
    this.channels.clear();
    this.views.clear();
    this.ephemerals.length = 0;
    this.usedTriggerIds.clear();
    this.messagesByChannel.clear();
    this.idCounter = 0;
    this.addUser({ id: this.identity.botUserId, name: this.identity.botName, isBot: true });
  }

  /** Unique, strictly increasing message timestamps close to the clock: "1700000000.000100". */
  nextTs(): string {
    const micros = Math.max(Math.floor(this.now()) * 1000, this.lastTsMicros + 100);
    this.lastTsMicros = micros;
    const seconds = Math.floor(micros / 1_000_000);
    const fraction = String(micros % 1_000_000).padStart(6, '0');
    return `${seconds}.${fraction}`;
  }

  /** Slack-looking IDs: prefix + 10 upper-case alphanumerics, e.g. V0000000001. */
  nextId(prefix: string): string {
    this.idCounter += 1;
    return `${prefix}${this.idCounter.toString(36).toUpperCase().padStart(10, '0')}`;
  }

  addUser(user: SeedUser): void {
    this.users.set(user.id, user);
  }

  addChannel(channel: SeedChannel): void {
    this.channels.set(channel.id, channel);
  }

  userByEmail(email: string): SeedUser | undefined {
    const wanted = email.toLowerCase();
    return [...this.users.values()].find((user) => user.email?.toLowerCase() === wanted);
  }

  /**
   * Resolves a `channel` argument the way chat.postMessage does: a channel ID as is, a
   * user ID to the bot's DM with that user, `#name` to a seeded channel.
   */
  resolveChannel(channel: string): string | undefined {
    if (USER_ID.test(channel)) return this.dmChannelId(channel);
    if (channel.startsWith('#')) {
      const name = channel.slice(1);
      return [...this.channels.values()].find((seeded) => seeded.name === name)?.id;
    }
    return CHANNEL_ID.test(channel) ? channel : undefined;
  }

  dmChannelId(userId: string): string {
    return `D${userId}`;
  }

  messagesIn(channel: string): SlackMessage[] {
    return this.messagesByChannel.get(channel) ?? [];
  }

  findMessage(channel: string, ts: string): SlackMessage | undefined {
    return this.messagesIn(channel).find((message) => message.ts === ts);
  }

  /** Stores a message and keeps the thread parent's reply bookkeeping as Slack does. */
  addMessage(channel: string, message: Omit<SlackMessage, 'type' | 'ts' | 'team'>): SlackMessage {
    const stored: SlackMessage = { type: 'message', ts: this.nextTs(), team: this.identity.teamId, ...message };
    const list = this.messagesByChannel.get(channel) ?? [];
    list.push(stored);
    this.messagesByChannel.set(channel, list);
    const parent = stored.thread_ts === undefined ? undefined : this.findMessage(channel, stored.thread_ts);
    if (parent !== undefined && parent !== stored) {
      stored.parent_user_id = parent.user;
      const replyUsers = new Set(parent.reply_users ?? []);
      if (stored.user !== undefined) replyUsers.add(stored.user);
      parent.thread_ts = parent.ts;
      parent.reply_count = (parent.reply_count ?? 0) + 1;
      parent.reply_users = [...replyUsers];
      parent.reply_users_count = replyUsers.size;
      parent.latest_reply = stored.ts;
    }
    return stored;
  }

  /** Top-level messages (plus broadcast replies), newest first, as conversations.history. */
  history(channel: string): SlackMessage[] {
    return this.messagesIn(channel)
      .filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts || m.subtype === 'thread_broadcast')
      .sort((a, b) => compareTs(b.ts, a.ts));
  }

  /** The parent first, then its replies oldest first, as conversations.replies. */
  replies(channel: string, ts: string): SlackMessage[] | undefined {
    const parent = this.findMessage(channel, ts);
    if (parent === undefined) return undefined;
    const thread = this.messagesIn(channel).filter((m) => m !== parent && m.thread_ts === ts);
    return [parent, ...thread.sort((a, b) => compareTs(a.ts, b.ts))];
  }

  /** users.info's `user` object. */
  userObject(user: SeedUser): Record<string, unknown> {
    const zone = DateTime.fromMillis(this.now()).setZone(user.tz ?? 'America/Los_Angeles');
    const realName = user.realName ?? user.name;
    const displayName = user.displayName ?? '';
    const isBot = user.isBot ?? false;
    return {
      id: user.id,
      team_id: this.identity.teamId,
      name: user.name,
      deleted: user.deleted ?? false,
      color: '9f69e7',
      real_name: realName,
      tz: zone.zoneName,
      tz_label: zone.offsetNameLong,
      tz_offset: zone.offset * 60,
      profile: {
        title: '',
        phone: '',
        skype: '',
        real_name: realName,
        real_name_normalized: realName,
        display_name: displayName,
        display_name_normalized: displayName,
        status_text: '',
        status_emoji: '',
        avatar_hash: 'g0000000000a',
        ...(user.email === undefined ? {} : { email: user.email }),
        ...(isBot ? { bot_id: this.identity.botId, api_app_id: this.identity.appId, always_active: true } : {}),
        image_48: `https://secure.gravatar.com/avatar/${user.id}.jpg?s=48`,
        image_72: `https://secure.gravatar.com/avatar/${user.id}.jpg?s=72`,
        team: this.identity.teamId,
      },
      is_admin: false,
      is_owner: false,
      is_primary_owner: false,
      is_restricted: false,
      is_ultra_restricted: false,
      is_bot: isBot,
      is_app_user: false,
      updated: Math.floor(this.now() / 1000),
      is_email_confirmed: user.email !== undefined,
    };
  }

  /** conversations.info's `channel` object; IDs never seeded are synthesized from their prefix. */
  channelObject(channelId: string): Record<string, unknown> | undefined {
    if (!CHANNEL_ID.test(channelId)) return undefined;
    const created = Math.floor(this.now() / 1000);
    if (channelId.startsWith('D')) {
      return { id: channelId, created, is_im: true, is_org_shared: false, user: channelId.slice(1), is_user_deleted: false, priority: 0, context_team_id: this.identity.teamId };
    }
    const seeded = this.channels.get(channelId);
    const name = seeded?.name ?? channelId.toLowerCase();
    const isPrivate = seeded?.isPrivate ?? channelId.startsWith('G');
    return {
      id: channelId,
      name,
      name_normalized: name,
      is_channel: !isPrivate,
      is_group: isPrivate,
      is_im: false,
      is_mpim: false,
      is_private: isPrivate,
      created,
      is_archived: false,
      is_general: false,
      is_member: true,
      is_ext_shared: false,
      is_org_shared: false,
      is_shared: false,
      context_team_id: this.identity.teamId,
      topic: { value: '', creator: '', last_set: 0 },
      purpose: { value: '', creator: '', last_set: 0 },
    };
  }
}
