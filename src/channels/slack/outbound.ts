import { ErrorCode, type WebClient } from '@slack/web-api';
import { slaWhy } from '../../core/sla/explain.ts';
import type { Catalog } from '../../core/catalog.ts';
import type { TicketLinks } from '../../core/links.ts';
import type { Db } from '../../db/client.ts';
import type { Anchor } from '../../db/schema.ts';
import type { Logger } from '../../logger.ts';
import { PermanentError, RetryableError, type DeliveryJob, type NoticeJob, type OutboundAdapter, type SendResult } from '../../outbox/adapter.ts';
import { insertAnchor, mirroredMessage, parseRef, setCardRef, ticketAnchor } from './anchors.ts';
import { noticeOf, type NoticeAudience } from '../../present/notices.ts';
import { participantScreen, triageScreen, type TicketScreen } from '../../present/ticket.ts';
import { cardText, mrkdwn, requesterCard, threadLine, triageCard, type Block } from './blocks.ts';
import type { SharedPace } from '../../outbox/pace.ts';
import { DIRECT_AUDIENCES, SlackDirect } from './approval.ts';

/** Slack errors no retry can fix. Everything else (internal_error, 5xx, network) is retried. */
const PERMANENT = new Set([
  'channel_not_found', 'not_in_channel', 'is_archived', 'invalid_auth', 'account_inactive', 'token_revoked', 'not_authed',
  'missing_scope', 'msg_too_long', 'invalid_blocks', 'no_text', 'user_not_found', 'cant_update_message', 'restricted_action',
]);

/**
 * The Slack outbound adapter: triage card + thread lines in the queue's channel, the
 * requester's small card + lines in their DM thread, escalations. Sends through the real
 * WebClient (retries off, 429s rejected) so the outbox owns retries and Retry-After.
 */
export class SlackOutbound implements OutboundAdapter {
  readonly channel = 'slack';

  constructor(
    private readonly client: WebClient,
    /** Per channel, SLACK_PACE (slack/pace.ts). */
    private readonly pace: SharedPace,
    private readonly catalog: Catalog,
    private readonly links: TicketLinks,
    private readonly logger: Logger,
    /** The service's clock (core's now): what a card says of the desk being open is read at it. */
    private readonly now: () => Date = () => new Date(),
  ) {}

  async send(job: DeliveryJob, db: Db): Promise<SendResult> {
    const { audience } = job.delivery;
    if (audience === 'triage') return this.sendTriage(job, db);
    if (audience === 'requester' || audience === 'watcher') return this.sendParticipant(job, db, audience);
    if (audience === 'escalation') return this.sendEscalation(job);
    if (DIRECT_AUDIENCES.has(audience)) {
      const transport = { post: (channel: string, message: { text: string; blocks?: Block[] }) => this.post(channel, message), update: (channel: string, ts: string, message: { text: string; blocks?: Block[] }) => this.update(channel, ts, message), openDm: (userId: string) => this.openDm(userId) };
      return new SlackDirect(transport, this.links).send(job, db);
    }
    throw new PermanentError(`slack has no audience '${audience}'`);
  }

  /** A notice to one person (a sign-in link), in their DM with the bot. */
  async sendNotice(job: NoticeJob): Promise<SendResult> {
    const { person, message } = job;
    if (!person.slackUserId) throw new PermanentError(`${person.email} has no Slack user`);
    const dm = person.slackDmChannel ?? (await this.openDm(person.slackUserId));
    return { platformMessageId: await this.post(dm, { text: `${mrkdwn(message.text)}\n<${mrkdwn(message.link.url)}|${mrkdwn(message.link.label)}>` }) };
  }

  private link(job: DeliveryJob): string {
    return this.links.url(job.ticket.key, job.ticket.requester.email);
  }

  private async sendTriage(job: DeliveryJob, db: Db): Promise<SendResult> {
    const target = targetChannel(job);
    const why = await slaWhy({ db, now: this.now }, job.ticket);
    const screen = triageScreen(job.ticket, this.catalog, this.links.deskUrl(job.ticket.key), this.now(), why);
    const blocks = triageCard(screen);
    // Deliveries are at-least-once: look for the thread before posting a new card.
    let anchor = job.anchor ?? (await ticketAnchor(db, job.ticket.id, 'triage', null));
    if (!anchor) {
      const ts = await this.post(target, { text: cardText(screen), blocks });
      anchor = await insertAnchor(db, { ticketId: job.ticket.id, side: 'triage', personId: null, channel: target, threadTs: ts, cardRef: ts });
      if (job.event.type === 'created') return { platformMessageId: ts };
    }
    return this.lineAndCard(job, db, anchor, screen, blocks, 'desk');
  }

  private async sendParticipant(job: DeliveryJob, db: Db, side: 'requester' | 'watcher'): Promise<SendResult> {
    const person = job.person;
    if (!person) throw new PermanentError('a participant delivery without a person');
    const screen = participantScreen(job.ticket, this.catalog, this.link(job), this.now(), person, side);
    const blocks = requesterCard(screen);
    let anchor = job.anchor ?? (await ticketAnchor(db, job.ticket.id, side, person.id));
    if (!anchor) {
      if (!person.slackUserId) throw new PermanentError(`${person.email} has no Slack user`);
      const dm = person.slackDmChannel ?? (await this.openDm(person.slackUserId));
      const intro = job.event.type === 'created' ? `Your request ${job.ticket.key} is filed. Follow it here.` : `An update on ${job.ticket.key}.`;
      const ts = await this.post(dm, { text: mrkdwn(intro), blocks });
      anchor = await insertAnchor(db, { ticketId: job.ticket.id, side, personId: person.id, channel: dm, threadTs: ts, cardRef: ts });
      if (job.event.type === 'created') return { platformMessageId: ts };
    }
    if (!anchor.cardRef) {
      // A thread we did not start (a reacted-to channel message): our card goes in as a reply.
      const { channel, threadTs } = parseRef(anchor.externalRef);
      const ts = await this.post(channel, { text: cardText(screen), blocks, thread_ts: threadTs });
      await setCardRef(db, anchor.id, ts);
      anchor = { ...anchor, cardRef: ts };
      if (job.event.type === 'created') return { platformMessageId: ts };
    }
    return this.lineAndCard(job, db, anchor, screen, blocks, 'requester');
  }

  private async sendEscalation(job: DeliveryJob): Promise<SendResult> {
    const screen = triageScreen(job.ticket, this.catalog, this.links.deskUrl(job.ticket.key), this.now());
    const notice = noticeOf(job.eventView, job.ticket, 'escalation', screen.zone);
    const text = `${threadLine(notice)}\n*${job.ticket.key}* ${mrkdwn(job.ticket.title)} · <${mrkdwn(screen.link.url)}|${screen.link.label}>`;
    return { platformMessageId: await this.post(targetChannel(job), { text }) };
  }

  /** 'message': a short line in the thread, then the card; 'card': the card only. */
  private async lineAndCard(job: DeliveryJob, db: Db, anchor: Anchor, screen: TicketScreen, blocks: Block[], audience: NoticeAudience): Promise<SendResult> {
    const { channel, threadTs } = parseRef(anchor.externalRef);
    let platformMessageId: string | null = null;
    if (job.delivery.kind === 'message' && job.event.type !== 'created') {
      platformMessageId = await this.postOrEditLine(job, db, anchor, channel, threadTs, threadLine(noticeOf(job.eventView, job.ticket, audience, screen.zone)));
    }
    if (anchor.cardRef) await this.update(channel, anchor.cardRef, { text: cardText(screen), blocks });
    return { platformMessageId: platformMessageId ?? anchor.cardRef };
  }

  /** An edit or removal rewrites the line we mirrored earlier instead of adding another. */
  private async postOrEditLine(job: DeliveryJob, db: Db, anchor: Anchor, channel: string, threadTs: string, text: string): Promise<string> {
    const original = Number(job.eventView.data.originalEventId);
    if ((job.event.type === 'comment_edited' || job.event.type === 'comment_removed') && Number.isInteger(original)) {
      const ts = await mirroredMessage(db, original, anchor.id);
      if (ts) {
        await this.update(channel, ts, { text });
        return ts;
      }
    }
    return this.post(channel, { text, thread_ts: threadTs });
  }

  private async openDm(userId: string): Promise<string> {
    const opened = await this.call(() => this.client.conversations.open({ users: userId }), 'conversations.open');
    const id = opened.channel?.id;
    if (!id) throw new RetryableError('conversations.open returned no channel');
    return id;
  }

  /** chat.postMessage at the channel's pace; a 429 pauses the channel for every replica. */
  private async post(channel: string, message: { text: string; blocks?: Block[]; thread_ts?: string }): Promise<string> {
    const posted = await this.pace.send(channel, () => this.call(() => this.client.chat.postMessage({ channel, unfurl_links: false, ...message }), 'chat.postMessage'), throttledFor);
    if (!posted.ts) throw new RetryableError('chat.postMessage returned no ts');
    return posted.ts;
  }

  /**
   * chat.update is not paced (its own, per-app Tier 3 limit, not the per-channel posting one),
   * but a 429 on it still pauses the channel: Slack is telling us to slow down there.
   */
  private async update(channel: string, ts: string, message: { text: string; blocks?: Block[] }): Promise<void> {
    try {
      await this.pace.unpaced(channel, () => this.call(() => this.client.chat.update({ channel, ts, ...message }), 'chat.update'), throttledFor);
    } catch (error) {
      // A card someone deleted is not worth dead-lettering the event for; the line went out.
      if (error instanceof PermanentError && /message_not_found|cant_update_message/.test(error.message)) {
        this.logger.warn({ channel, ts }, 'slack: card is gone, not updated');
        return;
      }
      throw error;
    }
  }

  private async call<T>(run: () => Promise<T>, method: string): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw this.classify(error, method);
    }
  }

  private classify(error: unknown, method: string): Error {
    const e = error as { code?: string; retryAfter?: number; data?: { error?: string }; statusCode?: number; message?: string };
    if (e.code === ErrorCode.RateLimitedError) {
      const ms = Math.max(1, e.retryAfter ?? 1) * 1000;
      return new RateLimited(`${method}: rate limited, retry after ${ms} ms`, ms);
    }
    if (e.code === ErrorCode.PlatformError) {
      const code = e.data?.error ?? 'unknown_error';
      return PERMANENT.has(code) || code === 'message_not_found' ? new PermanentError(`${method}: ${code}`) : new RetryableError(`${method}: ${code}`);
    }
    if (e.code === ErrorCode.HTTPError && e.statusCode !== undefined && e.statusCode < 500 && e.statusCode !== 408) {
      return new PermanentError(`${method}: HTTP ${e.statusCode}`);
    }
    return new RetryableError(`${method}: ${e.message ?? String(error)}`);
  }
}

/** Slack's 429 (the WebClient's rate-limited error), classified: its Retry-After is known. */
class RateLimited extends RetryableError {}

function throttledFor(error: unknown): number | undefined {
  return error instanceof RateLimited ? error.retryAfterMs : undefined;
}

function targetChannel(job: DeliveryJob): string {
  const target = job.delivery.target as { channel?: unknown };
  if (typeof target.channel !== 'string' || !target.channel) throw new PermanentError('delivery has no Slack channel target');
  return target.channel;
}
