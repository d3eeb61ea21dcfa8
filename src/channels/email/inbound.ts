import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { addComment, createTicket, type CommandResult } from '../../core/tickets.ts';
import { findPersonByEmail } from '../../core/people.ts';
import { inboundMessages, queues, requestTypes, type Queue } from '../../db/schema.ts';
import type { ChannelDeps } from '../types.ts';
import { domainOf, messageIdsIn, normalizeMessageId, splitPlus, titleFromSubject } from './addresses.ts';
import { attachmentNote, DEFAULT_ATTACHMENT_LIMITS, storeAttachments, type AttachmentLimits } from './attachments.ts';
import { classify } from './classify.ts';
import { cleanText } from './clean-text.ts';
import { findThread } from './threading.ts';

export interface InboundOutcome {
  messageId: string;
  outcome: 'ticketed' | 'commented' | 'ignored';
  reason?: string;
  ticketKey?: string;
  /** True when this Message-ID had been processed before: nothing new was written. */
  replayed: boolean;
}

export interface InboundSettings {
  mailFrom: string;
  /** The polled mailbox's own address (the IMAP login when it is one), lower-case. */
  mailboxAddress: string | null;
  /** A label for inbound_messages.mailbox and the raw-mail folder. */
  mailboxLabel: string;
}

/**
 * One inbound message → at most one core command. Idempotent on the Message-ID
 * (`email:<message-id>`), so a message processed twice (crash before the IMAP flag,
 * the same mail delivered twice) writes once.
 */
export class EmailInbound {
  limits: AttachmentLimits = { ...DEFAULT_ATTACHMENT_LIMITS };

  constructor(
    private readonly deps: ChannelDeps,
    private readonly settings: InboundSettings,
  ) {}

  async process(source: Buffer): Promise<InboundOutcome> {
    const { db } = this.deps.database;
    const mail = await simpleParser(source, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
    const messageId = normalizeMessageId(mail.messageId) ?? `<${createHash('sha256').update(source).digest('hex').slice(0, 40)}@no-message-id.invalid>`;
    const rawPath = await this.saveRaw(messageId, source);
    const record = { messageId, rawPath, headers: headerSummary(mail) };
    const mailFrom = this.settings.mailFrom.toLowerCase();

    const verdict = classify(mail, { ownDomain: domainOf(mailFrom), ownAddresses: new Set([mailFrom]) });
    if (!verdict.input) return this.record(record, { outcome: 'ignored', reason: verdict.reason });

    const queueRows = await db.select().from(queues).where(isNull(queues.archivedAt));
    const ownAddresses = new Set([mailFrom, ...queueRows.flatMap((q) => (q.mailbox ? [q.mailbox.toLowerCase()] : []))]);
    if (this.settings.mailboxAddress) ownAddresses.add(this.settings.mailboxAddress);
    const recipients = recipientsOf(mail);
    const sender = mail.from!.value[0]!;
    const author = { email: sender.address!.toLowerCase(), name: sender.name?.trim() || undefined };
    const references = [...messageIdsIn(mail.inReplyTo), ...messageIdsIn(mail.references).reverse()].filter((id) => id !== messageId);

    const thread = await findThread(db, { references, recipients, subject: mail.subject, senderEmail: author.email, ownAddresses });
    const { stored, refused } = await storeAttachments(this.deps.config.dataDir, messageId, mail.attachments, this.limits);
    const words = cleanText(mail).text;
    const body = [words, attachmentNote(stored, refused)].filter(Boolean).join('\n\n');
    const data = { messageId, subject: mail.subject ?? '', rawPath, attachments: stored, refusedAttachments: refused };
    const idempotencyKey = `email:${messageId}`;
    const anchorData = { subject: mail.subject ?? '', references: references.slice().reverse() };

    if (thread) {
      if (!body) return this.record(record, { outcome: 'ignored', reason: 'empty reply: nothing but quoted text', ticketId: thread.ticket.id });
      const person = await findPersonByEmail(db, author.email);
      const side = person?.id === thread.ticket.requesterId ? 'requester' : 'watcher';
      const result = await addComment(this.deps.core, {
        ticketKey: thread.ticket.key,
        body,
        visibility: 'public',
        author,
        channel: 'email',
        idempotencyKey,
        originAnchor: { channel: 'email', side, externalRef: messageId, data: anchorData },
        data: { ...data, threadedBy: thread.via },
      });
      return this.record(record, { outcome: 'commented', reason: `threaded by ${thread.via}`, ticketId: thread.ticket.id }, result);
    }

    const queue = queueFor(queueRows, recipients, this.settings.mailboxAddress);
    if (!queue) return this.record(record, { outcome: 'ignored', reason: `no queue has the mailbox ${recipients.join(', ') || this.settings.mailboxAddress}` });
    // The queue's default_type from the catalog, else its first active type.
    const preferred = this.deps.catalog.queues[queue.key]?.default_type;
    const [type] = await db
      .select()
      .from(requestTypes)
      .where(and(eq(requestTypes.queueKey, queue.key), isNull(requestTypes.archivedAt)))
      .orderBy(sql`${requestTypes.key} = ${preferred ?? ''} desc`, asc(requestTypes.position), asc(requestTypes.key))
      .limit(1);
    if (!type) return this.record(record, { outcome: 'ignored', reason: `queue ${queue.key} has no request types` });
    const result = await createTicket(this.deps.core, {
      type: type.key,
      title: titleFromSubject(mail.subject),
      description: body,
      requester: author,
      channel: 'email',
      idempotencyKey,
      partialFields: true,
      eventData: { attachments: stored, refusedAttachments: refused },
      originAnchor: {
        channel: 'email',
        side: 'requester',
        externalRef: messageId,
        data: { ...anchorData, attachments: stored, refusedAttachments: refused, suppressAcknowledgement: verdict.suppressAcknowledgement },
      },
    });
    return this.record(record, { outcome: 'ticketed', reason: `new ticket in ${queue.key}`, ticketId: result.ticket.id }, result);
  }

  private async saveRaw(messageId: string, source: Buffer): Promise<string> {
    const folder = path.join('mail', this.settings.mailboxLabel.replace(/[^\w.@-]+/g, '_'));
    const relative = path.join(folder, `${createHash('sha256').update(messageId).digest('hex').slice(0, 40)}.eml`);
    await mkdir(path.join(this.deps.config.dataDir, folder), { recursive: true });
    await writeFile(path.join(this.deps.config.dataDir, relative), source);
    return relative;
  }

  private async record(
    base: { messageId: string; rawPath: string; headers: Record<string, unknown> },
    outcome: { outcome: InboundOutcome['outcome']; reason: string; ticketId?: number | null },
    result?: CommandResult,
  ): Promise<InboundOutcome> {
    await this.deps.database.db
      .insert(inboundMessages)
      .values({
        channel: 'email',
        externalId: base.messageId,
        mailbox: this.settings.mailboxLabel,
        outcome: outcome.outcome,
        reason: outcome.reason,
        ticketId: result?.ticket.id ?? outcome.ticketId ?? null,
        rawPath: base.rawPath,
        headers: base.headers,
      })
      .onConflictDoNothing();
    this.deps.logger.info({ messageId: base.messageId, outcome: outcome.outcome, reason: outcome.reason, ticket: result?.ticket.key }, 'email processed');
    return {
      messageId: base.messageId,
      outcome: outcome.outcome,
      reason: outcome.reason,
      ...(result ? { ticketKey: result.ticket.key } : {}),
      replayed: result?.replayed ?? false,
    };
  }
}

/** Every address the message was sent to, including the envelope hints MTAs add. */
function recipientsOf(mail: ParsedMail): string[] {
  const fields: Array<AddressObject | AddressObject[] | undefined> = [mail.to, mail.cc];
  for (const name of ['delivered-to', 'x-original-to']) {
    const value = mail.headers.get(name);
    if (value && typeof value === 'object' && 'value' in value) fields.push(value as AddressObject);
    else if (typeof value === 'string') fields.push({ value: [{ address: value, name: '' }], html: '', text: value });
  }
  const addresses = fields
    .flatMap((field) => (field ? (Array.isArray(field) ? field : [field]) : []))
    .flatMap((field) => field.value)
    .flatMap((entry) => (entry.address ? [entry.address.trim()] : []));
  return [...new Set(addresses)];
}

/** The queue whose mailbox the message was sent to (subaddress stripped), else the polled mailbox's queue. */
function queueFor(rows: Queue[], recipients: string[], mailboxAddress: string | null): Queue | null {
  const byMailbox = new Map(rows.flatMap((q) => (q.mailbox ? [[q.mailbox.toLowerCase(), q] as const] : [])));
  for (const recipient of recipients) {
    const queue = byMailbox.get(splitPlus(recipient).base);
    if (queue) return queue;
  }
  return (mailboxAddress && byMailbox.get(mailboxAddress)) || null;
}

function headerSummary(mail: ParsedMail): Record<string, unknown> {
  const pick = (name: string): unknown => {
    const value = mail.headers.get(name);
    return typeof value === 'string' ? value : undefined;
  };
  return {
    from: mail.from?.text,
    to: Array.isArray(mail.to) ? mail.to.map((t) => t.text).join(', ') : mail.to?.text,
    subject: mail.subject,
    date: mail.date?.toISOString(),
    messageId: mail.messageId,
    inReplyTo: mail.inReplyTo,
    autoSubmitted: pick('auto-submitted'),
    precedence: pick('precedence'),
  };
}
