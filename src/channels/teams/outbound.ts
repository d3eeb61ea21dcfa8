import { and, desc, eq, inArray } from 'drizzle-orm';
import { slaWhy } from '../../core/sla/explain.ts';
import { z } from 'zod';
import type { Catalog } from '../../core/catalog.ts';
import type { TicketLinks } from '../../core/links.ts';
import type { Db } from '../../db/client.ts';
import { anchors, deliveries, ticketEvents, type Anchor } from '../../db/schema.ts';
import { PermanentError, RetryableError, type DeliveryJob, type NoticeJob, type OutboundAdapter, type SendResult } from '../../outbox/adapter.ts';
import { participantScreen, queueZone, triageScreen } from '../../present/ticket.ts';
import { requesterCard, triageCard, withNotice } from './cards.ts';
import type { TicketView } from '../../core/view.ts';
import type { AdaptiveCard } from './form-cards.ts';
import { eventLine } from './lines.ts';
import { escapeHtml } from './text.ts';
import type { SharedPace } from '../../outbox/pace.ts';
import { addressed, type TeamsPlatform } from './adapter.ts';
import { adaptiveCard, ConnectorError } from './platform.ts';
import { referenceSchema, type StoredReference } from './reference.ts';
import type { TenantDirectory } from './tenant.ts';
import { approvalCard, DIRECT_AUDIENCES, overdueCard, surveyCard } from './approval-card.ts';

export interface TeamsOutboundDeps {
  platform: TeamsPlatform;
  appId: string;
  catalog: Catalog;
  links: TicketLinks;
  now: () => Date;
  /** Per conversation, TEAMS_PACE (teams/pace.ts). */
  pace: SharedPace;
  tenant: TenantDirectory;
  /** For reads outside a delivery (the refused-action card). */
  db?: Db;
}

/** Statuses Teams documents as transient (throttled, precondition, gateway). */
const RETRYABLE = new Set([408, 412, 429, 500, 502, 503, 504]);

/**
 * The 'teams' outbound adapter: proactive sends through stored conversation references,
 * the triage reply chain created on first send, cards updated in place (PUT on card_ref).
 */
export class TeamsOutbound implements OutboundAdapter {
  readonly channel = 'teams';

  constructor(private readonly deps: TeamsOutboundDeps) {}

  async send(job: DeliveryJob, db: Db): Promise<SendResult> {
    try {
      if (job.delivery.audience === 'triage') return await this.sendTriage(job, db);
      if (job.delivery.audience === 'escalation') return await this.sendEscalation(job);
      if (DIRECT_AUDIENCES.has(job.delivery.audience)) return await this.sendDirect(job, db);
      return await this.sendParticipant(job, db);
    } catch (error) {
      throw classify(error);
    }
  }

  private async sendTriage(job: DeliveryJob, db: Db): Promise<SendResult> {
    const anchor = job.anchor ?? (await findAnchor(db, job.ticketRow.id, 'triage', null));
    const why = await slaWhy({ db, now: this.deps.now }, job.ticket);
    const screen = triageScreen(job.ticket, this.deps.catalog, this.deps.links.deskUrl(job.ticket.key), this.deps.now(), why);
    const card = triageCard(screen, this.deps.catalog);
    if (!anchor) {
      const channelId = channelTarget(job);
      const { conversationId, activityId, reference } = await this.startChain(channelId, card);
      await db
        .insert(anchors)
        .values({ ticketId: job.ticketRow.id, channel: 'teams', side: 'triage', externalRef: conversationId, cardRef: activityId, data: { reference } })
        .onConflictDoNothing();
      if (job.eventView.type !== 'created') await this.post(reference, [{ text: eventLine(job.eventView, job.ticket, 'triage', screen.zone) }]);
      return { platformMessageId: activityId };
    }
    return this.refresh(job, anchor, card, 'triage', screen.zone, db);
  }

  private async sendParticipant(job: DeliveryJob, db: Db): Promise<SendResult> {
    const side = job.delivery.audience === 'watcher' ? 'watcher' : 'requester';
    const person = job.person;
    const anchor = job.anchor ?? (person ? await findAnchor(db, job.ticketRow.id, side, person.id) : undefined);
    const screen = participantScreen(job.ticket, this.deps.catalog, this.link(job), this.deps.now(), person, side);
    const card = requesterCard(screen);
    if (anchor) return this.refresh(job, anchor, card, side, screen.zone, db);
    const reference = referenceSchema.safeParse(person?.teamsConversation);
    if (!person || !reference.success) throw new PermanentError(`no Teams conversation reference for ${person?.email ?? 'this person'}`);
    const lines = job.eventView.type === 'created' ? [] : [{ text: eventLine(job.eventView, job.ticket, side, screen.zone) }];
    const [cardId] = await this.post(reference.data, [...lines, { card }]);
    if (cardId) {
      await db
        .insert(anchors)
        .values({ ticketId: job.ticketRow.id, channel: 'teams', side, personId: person.id, externalRef: `${reference.data.conversation.id};messageid=${cardId}`, cardRef: cardId, data: { reference: reference.data } })
        .onConflictDoNothing();
    }
    return { platformMessageId: cardId ?? null };
  }

  private async sendEscalation(job: DeliveryJob): Promise<SendResult> {
    const zone = queueZone(this.deps.catalog, job.ticket.queue);
    const text = `${eventLine(job.eventView, job.ticket, 'escalation', zone)} <a href="${escapeHtml(this.deps.links.deskUrl(job.ticket.key))}">Open</a>`;
    const { activityId } = await this.startChain(channelTarget(job), null, text);
    return { platformMessageId: activityId };
  }

  /** Post the event line (for 'message' deliveries) and update the card in place. */
  private async refresh(job: DeliveryJob, anchor: Anchor, card: AdaptiveCard, audience: string, zone: string, db: Db): Promise<SendResult> {
    const stored = z.object({ reference: referenceSchema }).safeParse(anchor.data);
    if (!stored.success) throw new PermanentError(`anchor ${anchor.id} has no conversation reference`);
    // Card first: a retry after a failed line repeats an idempotent PUT, not a message.
    const steps: Step[] = [anchor.cardRef ? { update: anchor.cardRef, card } : { card }];
    if (job.delivery.kind === 'message') steps.push({ text: eventLine(job.eventView, job.ticket, audience, zone) });
    const ids = await this.post(stored.data.reference, steps);
    const cardId = ids[0];
    if (!anchor.cardRef && cardId) await db.update(anchors).set({ cardRef: cardId }).where(eq(anchors.id, anchor.id));
    return { platformMessageId: ids.at(-1) ?? anchor.cardRef };
  }

  /** A new reply chain in a channel: POST v3/conversations with the root message. */
  private async startChain(channelId: string, card: AdaptiveCard | null, text?: string): Promise<{ conversationId: string; activityId: string; reference: StoredReference }> {
    const { serviceUrl, tenantId } = await this.deps.tenant.current();
    const bot = { id: `28:${this.deps.appId}`, name: 'Switchboard' };
    const activity = card ? { type: 'message', attachments: [adaptiveCard(card)] } : { type: 'message', text: text ?? '' };
    const created = await this.paced(channelId, () =>
      this.deps.platform.connector(serviceUrl).createConversation({ isGroup: true, bot, channelData: { channel: { id: channelId } }, activity, ...(tenantId ? { tenantId } : {}) }),
    );
    if (!created?.id) throw new RetryableError('Teams created no conversation');
    // Teams names a channel thread after its root message: `<channel>;messageid=<root id>`.
    const activityId = /;messageid=(.+)$/.exec(created.id)?.[1] ?? created.activityId ?? created.id;
    const reference = toStored({ activityId, bot, conversation: { id: created.id, isGroup: true, ...(tenantId ? { tenantId } : {}) }, channelId: 'msteams', serviceUrl });
    return { conversationId: created.id, activityId, reference };
  }

  /**
   * Run sends/updates in order, proactively; returns the ids of the sent/updated activities.
   * A message is a reply to the thread's root in a channel chain, or to the activity the
   * reference was taken from in a chat (POST activities/{id}, as botbuilder sent it);
   * without either, a new activity in the conversation.
   */
  private async post(reference: StoredReference, steps: Step[]): Promise<string[]> {
    const connector = this.deps.platform.connector(reference.serviceUrl);
    const conversationId = reference.conversation.id;
    const replyTo = /;messageid=(.+)$/.exec(conversationId)?.[1] ?? (typeof reference.activityId === 'string' && reference.activityId ? reference.activityId : undefined);
    const ids: string[] = [];
    for (const step of steps) {
      ids.push(
        await this.paced(conversationId, async () => {
          if ('update' in step) {
            await connector.update(conversationId, step.update, addressed(reference, { attachments: [adaptiveCard(step.card)] }));
            return step.update;
          }
          const activity = addressed(reference, 'card' in step ? { attachments: [adaptiveCard(step.card)] } : { text: step.text, textFormat: 'xml' });
          return (await (replyTo ? connector.reply(conversationId, replyTo, activity) : connector.send(conversationId, activity))) ?? '';
        }),
      );
    }
    return ids.filter(Boolean);
  }

  /** One call at the conversation's pace; a 429 pauses the conversation for its Retry-After on every replica. */
  private paced<T>(conversationId: string, send: () => Promise<T>): Promise<T> {
    return this.deps.pace.send(conversationId, send, throttledFor);
  }

  /**
   * A card to one person in their chat with the bot (approval_card.ts); a 'card' delivery (the
   * decision, the rating) replaces every copy sent before for the same step.
   */
  private async sendDirect(job: DeliveryJob, db: Db): Promise<SendResult> {
    const { delivery, eventView, ticket } = job;
    const reference = referenceSchema.safeParse(job.person?.teamsConversation);
    if (!job.person || !reference.success) throw new PermanentError(`no Teams conversation reference for ${job.person?.email ?? 'this person'}`);
    const link = this.deps.links.deskUrl(ticket.key);
    const data = eventView.data as { step?: unknown; reason?: string | null };
    const step = Number(data.step);
    const built =
      delivery.audience === 'approver'
        ? approvalCard(ticket, step, link, { reminder: eventView.type === 'approval_reminder', reason: data.reason ?? null })
        : delivery.audience === 'survey'
          ? surveyCard(ticket)
          : overdueCard(ticket, eventView.body, link);
    if (delivery.kind === 'card') {
      const types = delivery.audience === 'survey' ? ['satisfaction_requested'] : ['approval_requested', 'approval_reminder'];
      const sent = await db
        .select({ ref: deliveries.platformMessageId, data: ticketEvents.data })
        .from(deliveries)
        .innerJoin(ticketEvents, eq(ticketEvents.id, deliveries.eventId))
        .where(and(eq(deliveries.ticketId, job.ticketRow.id), eq(deliveries.personId, job.person.id), eq(deliveries.channel, 'teams'), eq(deliveries.phase, 'sent'), inArray(ticketEvents.type, types)));
      const ids = sent.filter((r) => r.ref && (delivery.audience === 'survey' || Number((r.data as { step?: unknown }).step) === step)).map((r) => r.ref!);
      if (ids.length) await this.post(reference.data, ids.map((id) => ({ update: id, card: built })));
      return { platformMessageId: null };
    }
    const [id] = await this.post(reference.data, [{ card: built }]);
    return { platformMessageId: id ?? null };
  }

  /** A notice to one person (a sign-in link), in their personal chat with the bot. */
  async sendNotice(job: NoticeJob): Promise<SendResult> {
    try {
      const reference = referenceSchema.safeParse(job.person.teamsConversation);
      if (!reference.success) throw new PermanentError(`no Teams conversation reference for ${job.person.email}`);
      const { text, link } = job.message;
      const [id] = await this.post(reference.data, [{ text: `${escapeHtml(text)} <a href="${escapeHtml(link.url)}">${escapeHtml(link.label)}</a>` }]);
      return { platformMessageId: id ?? null };
    } catch (error) {
      throw classify(error);
    }
  }

  /** The triage card as it stands, with the reason an action was refused on top (shown in place of the card). */
  async refusedCard(ticket: TicketView, reason: string): Promise<AdaptiveCard> {
    const why = this.deps.db ? await slaWhy({ db: this.deps.db, now: this.deps.now }, ticket) : undefined;
    const job = { ticket, delivery: { audience: 'triage' } } as unknown as DeliveryJob;
    return withNotice(triageCard(triageScreen(ticket, this.deps.catalog, this.link(job), this.deps.now(), why), this.deps.catalog), reason);
  }

  private link(job: DeliveryJob): string {
    return this.deps.links.url(job.ticket.key, job.ticket.requester.email);
  }
}

type Step = { text: string } | { card: AdaptiveCard } | { update: string; card: AdaptiveCard };

function channelTarget(job: DeliveryJob): string {
  const target = z.object({ channel: z.string().min(1) }).safeParse(job.delivery.target);
  if (!target.success) throw new PermanentError('delivery has no Teams channel target');
  return target.data.channel;
}

async function findAnchor(db: Db, ticketId: number, side: string, personId: number | null): Promise<Anchor | undefined> {
  const rows = await db
    .select()
    .from(anchors)
    .where(and(eq(anchors.ticketId, ticketId), eq(anchors.channel, 'teams'), eq(anchors.side, side)))
    .orderBy(desc(anchors.lastUsedAt), desc(anchors.id));
  return rows.find((a) => personId === null || a.personId === personId);
}

function toStored(reference: unknown): StoredReference {
  return referenceSchema.parse(reference);
}

/** Map a Bot Connector failure to the worker's retry semantics (Retry-After honoured). */
export function classify(error: unknown): Error {
  if (error instanceof RetryableError || error instanceof PermanentError) return error;
  const status = statusOf(error);
  const message = error instanceof Error ? error.message : String(error);
  if (status === undefined) return new RetryableError(`Teams send failed: ${message}`);
  if (RETRYABLE.has(status)) return new RetryableError(`Teams answered ${status}: ${message}`, retryAfterOf(error));
  return new PermanentError(`Teams answered ${status}: ${message}`);
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

function throttledFor(error: unknown): number | undefined {
  return statusOf(error) === 429 ? (retryAfterOf(error) ?? 1_000) : undefined;
}

function retryAfterOf(error: unknown): number | undefined {
  return error instanceof ConnectorError ? error.retryAfterMs : undefined;
}
