import { and, desc, eq } from 'drizzle-orm';
import nodemailer, { type Transporter } from 'nodemailer';
import type { TicketLinks } from '../../core/links.ts';
import type { Db } from '../../db/client.ts';
import { anchors, type Anchor } from '../../db/schema.ts';
import { suggestForAcknowledgement } from '../../knowledge/suggest.ts';
import { PermanentError, RetryableError, type DeliveryJob, type NoticeJob, type OutboundAdapter, type SendResult } from '../../outbox/adapter.ts';
import { SharedPace, type PaceTable } from '../../outbox/pace.ts';
import { queueByKey } from '../../core/ticket-rows.ts';
import { domainOf, plusAddress } from './addresses.ts';
import type { Catalog } from '../../core/catalog.ts';
import { escapeHtml, renderNotice } from './render.ts';
import { DIRECT_AUDIENCES, decisionMail } from './decision-mail.ts';

/** RFC 5322 suggests keeping References short: the first id plus the most recent ones. */
const MAX_REFERENCES = 12;

/**
 * SMTP has no limit we could know in advance (it is the relay's policy: Exchange Online's 30 a
 * minute per mailbox, a Postfix relay's none) and no Retry-After. A relay that says "slow down"
 * (421, or a 4.7.x enhanced status: Exchange's 4.7.0 submission quota, Gmail's 4.7.28) pauses
 * our sending account for every replica, through the same shared pace as Slack and Teams,
 * instead of each queued mail finding out with a connection of its own.
 */
const SMTP_PACE: PaceTable = { namespace: 'smtp', limits: [] };
const SMTP_PAUSE_MS = 60_000;

/**
 * Email out: every public event a participant should see, as a reply in their own thread.
 * The Message-ID is a function of the delivery id, so a resend after a crash is the same
 * message to the recipient's client, and the anchor insert is a no-op.
 */
/**
 * How the desk talks to its SMTP relay unless SMTP_URL's query says otherwise. Five connections
 * (nodemailer's own default): bench:mirror's 50 replies/s, each mailed to a watcher, queued behind
 * three (one mail ~60 ms of round trips on the 2-core VM: p99 4 s from commit to the relay) and
 * flow with five (p99 0.8 s under the same CPU load). A relay with a limit of its own says so (421).
 */
const SMTP_DEFAULTS: Record<string, string> = { pool: 'true', maxConnections: '5', connectionTimeout: '10000', greetingTimeout: '10000', socketTimeout: '30000' };

/**
 * SMTP_URL with the pool and its timeouts in its query. nodemailer takes a transport's options
 * from the URL alone when it is given one (`createTransport({ url, pool: true })` drops the
 * object's other keys: every message opened a connection of its own, with a greeting and EHLO,
 * and the timeouts were nodemailer's minutes). A setting already in SMTP_URL's query wins.
 */
export function pooledSmtpUrl(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  for (const [key, value] of Object.entries(SMTP_DEFAULTS)) if (!url.searchParams.has(key)) url.searchParams.set(key, value);
  return url.toString();
}

export class EmailOutbound implements OutboundAdapter {
  readonly channel = 'email';
  private readonly transport: Transporter;
  private closed = false;
  private readonly domain: string;
  private pace: SharedPace | undefined;

  constructor(
    smtpUrl: string,
    private readonly mailFrom: string,
    private readonly links: TicketLinks,
    private readonly catalog: Catalog,
    /** The service's clock (core's now): an acknowledgement says whether the desk is open at it. */
    private readonly now: () => Date = () => new Date(),
  ) {
    this.transport = nodemailer.createTransport(pooledSmtpUrl(smtpUrl));
    this.domain = domainOf(mailFrom);
  }

  async send(job: DeliveryJob, db: Db): Promise<SendResult> {
    const { ticket, delivery, event } = job;
    const target = (delivery.target ?? {}) as { address?: string };
    const to = target.address ?? job.person?.email;
    if (!to) throw new PermanentError('no email address for this delivery');
    if (DIRECT_AUDIENCES.has(delivery.audience)) return this.sendDirect(job, db, to);
    // Internal notes never reach email participants; only the escalation audience could ask. A fresh
    // link (internal: nobody else is told) is planned for the requester's own address alone.
    const ownLink = event.type === 'access_link_requested' && delivery.audience === 'requester';
    if (event.visibility !== 'public' && delivery.audience !== 'escalation' && !ownLink) return { platformMessageId: null };
    if (event.type === 'created' && (job.anchor?.data as { suppressAcknowledgement?: boolean } | undefined)?.suppressAcknowledgement) {
      return { platformMessageId: null };
    }

    // Independent reads go out together (one round trip's wait, not two).
    const [queue, parent] = await Promise.all([queueByKey(db, ticket.queue), this.threadParent(db, job, to)]);
    const references = parent ? trimReferences([...referencesOf(parent), parent.externalRef]) : [];
    const messageId = `<sb.d${delivery.id}.${ticket.key.toLowerCase()}@${this.domain}>`;
    // Escalations go to the desk: their link asks the reader to sign in, it is nobody's requester link.
    // The acknowledgement of a request filed by email lists the help articles that may answer it.
    const articles =
      event.type === 'created' && ticket.origin === 'email' && delivery.audience === 'requester'
        ? await suggestForAcknowledgement(db, { ticketKey: ticket.key, title: ticket.title, description: ticket.description, queue: ticket.queue, email: to, publicUrl: this.links.publicUrl })
        : [];
    const notice = renderNotice(job, delivery.audience === 'escalation' ? this.links.deskUrl(ticket.key) : this.links.url(ticket.key, to), this.catalog, { articles, now: this.now() });
    const side = delivery.audience === 'escalation' ? 'escalation' : delivery.audience;
    await this.paced(db, () =>
      this.transport.sendMail({
        from: { name: queue?.name ?? 'Switchboard', address: this.mailFrom },
        to,
        replyTo: plusAddress(queue?.mailbox ?? this.mailFrom, ticket.key),
        subject: `${parent ? 'Re: ' : ''}[${ticket.key}] ${ticket.title}`,
        messageId,
        ...(parent ? { inReplyTo: parent.externalRef, references } : {}),
        text: notice.text,
        html: notice.html,
        headers: {
          'X-Switchboard-Ticket': ticket.key,
          // RFC 3834 plus the fields other desks and autoresponders check before answering (X-Loop names us).
          ...(notice.automatic ? { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All', 'X-Loop': this.mailFrom, Precedence: 'auto_reply' } : {}),
        },
        envelope: { from: this.mailFrom, to: [to] },
      }),
    );
    await db
      .insert(anchors)
      .values({
        ticketId: job.ticketRow.id,
        channel: 'email',
        side,
        personId: delivery.personId ?? null,
        externalRef: messageId.toLowerCase(),
        data: { references, address: to, deliveryId: delivery.id },
        // Sending does not make email the participant's channel of choice: keep the thread's place.
        lastUsedAt: parent?.lastUsedAt ?? new Date(0),
      })
      .onConflictDoNothing();
    return { platformMessageId: messageId };
  }

  /** A notice to one person (a sign-in link), on its own (no ticket thread). */
  async sendNotice(job: NoticeJob, db: Db): Promise<SendResult> {
    const { person, message, delivery } = job;
    const messageId = `<sb.n${delivery.id}@${this.domain}>`;
    await this.paced(db, () =>
      this.transport.sendMail({
        from: { name: 'Switchboard', address: this.mailFrom },
        to: person.email,
        subject: message.subject,
        messageId,
        text: `${message.text}\n\n${message.link.label}: ${message.link.url}\n`,
        html: `<!doctype html><html><body style="font-family: sans-serif; line-height: 1.4"><p>${escapeHtml(message.text)}</p><p><a href="${escapeHtml(message.link.url)}">${escapeHtml(message.link.label)}</a></p></body></html>`,
        headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
        envelope: { from: this.mailFrom, to: [person.email] },
      }),
    );
    return { platformMessageId: messageId };
  }

  /** One submission at the sending account's pace; a failure comes out classified for the outbox. */
  private async paced(db: Db, send: () => Promise<unknown>): Promise<void> {
    this.pace ??= SharedPace.of(db, SMTP_PACE);
    // A closed pool neither sends nor calls back (nodemailer's SMTPPool.send returns false): the
    // delivery would wait for ever. Hand it back to the outbox instead; it goes at the next start.
    const open = () => {
      if (this.closed) throw new RetryableError('the email channel is closed (the desk is stopping)');
      return send();
    };
    try {
      await this.pace.send(this.mailFrom, open, (error) => (isThrottled(error) ? SMTP_PAUSE_MS : undefined));
    } catch (error) {
      throw smtpFailure(error);
    }
  }

  /** A message to one person outside the ticket's thread: an approval request, an overdue notice, a survey. */
  private async sendDirect(job: DeliveryJob, db: Db, to: string): Promise<SendResult> {
    const mail = await decisionMail(job, db, this.links);
    if (!mail) return { platformMessageId: null };
    const queue = await queueByKey(db, job.ticket.queue);
    const messageId = `<sb.d${job.delivery.id}.${job.ticket.key.toLowerCase()}@${this.domain}>`;
    await this.paced(db, () =>
      this.transport.sendMail({
        from: { name: queue?.name ?? 'Switchboard', address: this.mailFrom },
        to,
        subject: mail.subject,
        messageId,
        text: mail.text,
        html: mail.html,
        headers: { 'X-Switchboard-Ticket': job.ticket.key, 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
        envelope: { from: this.mailFrom, to: [to] },
      }),
    );
    return { platformMessageId: messageId };
  }

  /** Close the pool's connections; called once the delivery worker has stopped (runtime.ts). */
  close(): void {
    this.closed = true;
    this.transport.close();
  }

  /** The newest message of this participant's email thread on the ticket (sent or received). */
  private async threadParent(db: Db, job: DeliveryJob, address: string): Promise<Anchor | null> {
    const personId = job.delivery.personId;
    const rows = await db
      .select()
      .from(anchors)
      .where(and(eq(anchors.ticketId, job.ticketRow.id), eq(anchors.channel, 'email'), personId ? eq(anchors.personId, personId) : eq(anchors.side, 'escalation')))
      .orderBy(desc(anchors.id))
      .limit(20);
    return rows.find((a) => personId || (a.data as { address?: string }).address === address) ?? null;
  }
}

function referencesOf(anchor: Anchor): string[] {
  const refs = (anchor.data as { references?: unknown }).references;
  return Array.isArray(refs) ? refs.filter((r): r is string => typeof r === 'string') : [];
}

function trimReferences(ids: string[]): string[] {
  const unique = [...new Set(ids)];
  return unique.length <= MAX_REFERENCES ? unique : [unique[0]!, ...unique.slice(-(MAX_REFERENCES - 1))];
}

/** The relay asks us to slow down: 421 (closing the channel), or a 4xx with a 4.7.x (policy, rate) enhanced status. */
function isThrottled(error: unknown): boolean {
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  if (typeof code !== 'number' || code < 400 || code >= 500) return false;
  const message = error instanceof Error ? error.message : String(error);
  return code === 421 || /\b4\.7\.\d{1,3}\b/.test(message);
}

/** SMTP 4xx (and network trouble) is worth retrying, after the pause when the relay asked for one; 5xx is final. */
function smtpFailure(error: unknown): Error {
  if (error instanceof RetryableError || error instanceof PermanentError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  if (typeof code === 'number' && code >= 500) return new PermanentError(`SMTP ${code}: ${message}`);
  if (isThrottled(error)) return new RetryableError(`SMTP ${code}: ${message}`, SMTP_PAUSE_MS);
  return new RetryableError(typeof code === 'number' ? `SMTP ${code}: ${message}` : `SMTP: ${message}`);
}
