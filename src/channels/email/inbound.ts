import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { addComment, createTicket, type CommandResult } from '../../core/tickets.ts';
import { findPersonByEmail } from '../../core/people.ts';
import { inboundMessages, queues, requestTypes, type Queue } from '../../db/schema.ts';
import type { ChannelDeps } from '../types.ts';
import { domainOf, splitPlus, titleFromSubject } from './addresses.ts';
import { attachmentNote, DEFAULT_ATTACHMENT_LIMITS, storeAttachments, type AttachmentLimits } from './attachments.ts';
import { ParsePool, type ParseOutcome, type Uncleaned } from './parse-pool.ts';
import { findThread } from './threading.ts';

/** What core keeps of a ticket description (and less than it keeps of a comment). */
const MAX_TEXT = 20_000;

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
    /** Parsing off the event loop; `parser.limits` holds the time and size limits per message. */
    readonly parser: ParsePool = new ParsePool(),
  ) {}

  /** Parses started ahead of their turn (see prefetch), by the raw message they are of. */
  private readonly ahead = new WeakMap<Buffer, Promise<ParseOutcome>>();

  async close(): Promise<void> {
    await this.parser.close();
  }

  /** Start parsing a message the poller hands over next; process() picks the result up. */
  prefetch(source: Buffer): void {
    if (this.ahead.has(source)) return;
    const pending = this.parse(source);
    pending.catch(() => {}); // a failure surfaces when process() awaits it
    this.ahead.set(source, pending);
  }

  private parse(source: Buffer): Promise<ParseOutcome> {
    const mailFrom = this.settings.mailFrom.toLowerCase();
    return this.parser.parse(source, { ownDomain: domainOf(mailFrom), ownAddresses: [mailFrom] });
  }

  async process(source: Buffer): Promise<InboundOutcome> {
    const { db } = this.deps.database;
    const mailFrom = this.settings.mailFrom.toLowerCase();
    // MIME parsing, classification, HTML-to-text and quote stripping run in the parse pool, bounded in time and size.
    const pending = this.ahead.get(source);
    this.ahead.delete(source);
    const { parsed, uncleaned, ms } = await (pending ?? this.parse(source));
    const { messageId, verdict } = parsed;
    const rawPath = await this.saveRaw(messageId, source);
    const headers = { ...parsed.headers, size: source.length, parseMs: Math.round(ms), ...(verdict.input ? {} : { kind: verdict.kind }), ...(uncleaned ? { uncleaned } : {}) };
    const record = { messageId, rawPath, headers };

    const queueRows = await db.select().from(queues).where(isNull(queues.archivedAt));
    const ownAddresses = new Set([mailFrom, ...queueRows.flatMap((q) => (q.mailbox ? [q.mailbox.toLowerCase()] : []))]);
    if (this.settings.mailboxAddress) ownAddresses.add(this.settings.mailboxAddress);
    const recipients = parsed.recipients;
    const references = parsed.references;
    const threading = (senderEmail: string) => findThread(db, { references, recipients, subject: parsed.subject, senderEmail, ownAddresses });

    if (!verdict.input) {
      // Never input; threaded only so the ticket's mail view lists it with its verdict.
      const thread = await threading(parsed.from?.address ?? '');
      return this.record(record, { outcome: 'ignored', reason: verdict.reason, ticketId: thread?.ticket.id ?? null });
    }

    const sender = parsed.from!;
    const author = { email: sender.address, name: sender.name };
    const thread = await threading(author.email);
    const { stored, refused } = uncleaned ? { stored: [], refused: [] } : await storeAttachments(this.deps.config.dataDir, messageId, parsed.attachments, this.limits);
    const words = uncleaned ? uncleanedNote(uncleaned) : (parsed.text ?? '');
    const note = attachmentNote(stored, refused);
    // Core keeps 20 000 characters of a description: the attachment note must fit after the words.
    const room = MAX_TEXT - (note ? note.length + 2 : 0);
    const body = [words.length > room ? `${words.slice(0, room - 1)}…` : words, note].filter(Boolean).join('\n\n');
    const data = { messageId, subject: parsed.subject ?? '', rawPath, attachments: stored, refusedAttachments: refused, ...(uncleaned ? { uncleaned } : {}) };
    const idempotencyKey = `email:${messageId}`;
    const anchorData = { subject: parsed.subject ?? '', references: references.slice().reverse() };

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
      title: titleFromSubject(parsed.subject),
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

/** The queue whose mailbox the message was sent to (subaddress stripped), else the polled mailbox's queue. */
function queueFor(rows: Queue[], recipients: string[], mailboxAddress: string | null): Queue | null {
  const byMailbox = new Map(rows.flatMap((q) => (q.mailbox ? [[q.mailbox.toLowerCase(), q] as const] : [])));
  for (const recipient of recipients) {
    const queue = byMailbox.get(splitPlus(recipient).base);
    if (queue) return queue;
  }
  return (mailboxAddress && byMailbox.get(mailboxAddress)) || null;
}

/** The body of a message kept whole: too long, too large or unreadable for cleaning. */
export function uncleanedNote(uncleaned: Uncleaned): string {
  const what = uncleaned.reason === 'failed' ? 'could not be read' : uncleaned.reason === 'too-large' ? 'was too large to clean' : 'was too long to clean';
  return `This email ${what}, see the original (${uncleaned.detail}). Any attachments are in the original too.`;
}
