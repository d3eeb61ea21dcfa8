import { randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type Mail from 'nodemailer/lib/mailer/index.js';

/** What a test message is made of; everything but from/to/subject is optional. */
export interface MailSpec {
  from: string;
  to: string | string[];
  cc?: string | string[];
  replyTo?: string;
  subject: string;
  text?: string;
  html?: string;
  /** Defaults to a fresh `<uuid@sender-domain>`. */
  messageId?: string;
  inReplyTo?: string;
  references?: string | string[];
  /** Extra header fields. A field set to '' is left out, so a canned message can drop one of its signals. */
  headers?: Record<string, string>;
  attachments?: Array<{ filename: string; content: Buffer; contentType: string }>;
  date?: Date;
}

/** Canned builders need only the addresses; everything else has a realistic default. */
export type CannedSpec = Pick<MailSpec, 'from' | 'to'> & Partial<MailSpec>;

/** A complete RFC 5322 message (CRLF line ends), composed by nodemailer's MailComposer. */
export async function buildMail(spec: MailSpec): Promise<Buffer> {
  return composeTree(spec).build();
}

function composeTree(spec: MailSpec, extra: Pick<Mail.Options, 'attachments'> = {}) {
  const headers = Object.entries(spec.headers ?? {}).filter(([, value]) => value !== '');
  return new MailComposer({
    from: spec.from,
    to: spec.to,
    cc: spec.cc,
    replyTo: spec.replyTo,
    subject: spec.subject,
    text: spec.text ?? (spec.html === undefined ? `${spec.subject}\n` : undefined),
    html: spec.html,
    messageId: spec.messageId ?? newMessageId(spec.from),
    inReplyTo: spec.inReplyTo,
    references: spec.references,
    date: spec.date ?? new Date(),
    headers: headers.map(([key, value]) => ({ key, value })),
    attachments: [...(spec.attachments ?? []), ...(extra.attachments ?? [])],
  }).compile();
}

/** `<uuid@domain-of-address>`, the shape real clients use. */
export function newMessageId(address: string): string {
  const domain = /@([^\s>]+)/.exec(address)?.[1] ?? 'example.com';
  return `<${randomUUID()}@${domain}>`;
}

/** An out-of-office auto reply (RFC 3834 `Auto-Submitted: auto-replied`, plus the common `X-Autoreply`). */
export async function outOfOfficeReply(spec: CannedSpec): Promise<Buffer> {
  return buildMail({
    subject: 'Automatic reply: Out of office',
    text: 'I am out of the office until Monday and will reply when I am back.\n',
    ...spec,
    headers: { 'Auto-Submitted': 'auto-replied', 'X-Autoreply': 'yes', ...spec.headers },
  });
}

/** Newsletter-style bulk mail: `Precedence: bulk` and RFC 2369/8058 List-* fields. */
export async function bulkMail(spec: CannedSpec): Promise<Buffer> {
  return buildMail({
    subject: 'This week at Example Corp',
    text: 'Our weekly newsletter.\n',
    ...spec,
    headers: {
      Precedence: 'bulk',
      'List-Id': 'Example Corp news <news.example.com>',
      'List-Unsubscribe': '<mailto:unsubscribe@news.example.com>, <https://news.example.com/unsubscribe/42>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      ...spec.headers,
    },
  });
}

export interface BounceSpec extends Partial<MailSpec> {
  /** Who gets the bounce: the sender of the failed message (our desk). */
  to: string;
  /** The address that could not be reached. */
  failedRecipient: string;
  /** The message that bounced; defaults to a short one from `to` to `failedRecipient`. */
  original?: Buffer;
  /** RFC 3463 status, default 5.1.1 (no such user). */
  status?: string;
  diagnostic?: string;
  reportingMta?: string;
}

/**
 * A bounce as Postfix sends it: from MAILER-DAEMON, `Return-Path: <>`, and an RFC 3464
 * multipart/report; report-type=delivery-status (human text, machine status, original message).
 */
export async function deliveryStatusNotification(spec: BounceSpec): Promise<Buffer> {
  const { failedRecipient, status = '5.1.1', reportingMta = 'mx.example.net' } = spec;
  const diagnostic = spec.diagnostic ?? `smtp; 550 ${status} <${failedRecipient}>: Recipient address rejected: User unknown`;
  const original = spec.original ?? (await buildMail({ from: spec.to, to: failedRecipient, subject: 'Your request' }));
  const date = spec.date ?? new Date();
  const deliveryStatus = [
    `Reporting-MTA: dns; ${reportingMta}`,
    `Arrival-Date: ${date.toUTCString()}`,
    '',
    `Final-Recipient: rfc822; ${failedRecipient}`,
    'Action: failed',
    `Status: ${status}`,
    `Diagnostic-Code: ${diagnostic}`,
    '',
  ].join('\r\n');
  const root = composeTree(
    {
      from: `Mail Delivery System <MAILER-DAEMON@${reportingMta}>`,
      subject: 'Undelivered Mail Returned to Sender',
      text: `This is the mail system at host ${reportingMta}.\n\nYour message could not be delivered to ${failedRecipient}.\n`,
      ...spec,
      date,
      headers: { 'Return-Path': '<>', ...spec.headers },
    },
    {
      // message/* parts come out inline and 8bit, as in a real report.
      attachments: [
        { contentType: 'message/delivery-status', content: deliveryStatus },
        { contentType: 'message/rfc822', content: original },
      ],
    },
  );
  // MailComposer only knows multipart/mixed; a report has the same shape with another type.
  root.setHeader('Content-Type', 'multipart/report; report-type=delivery-status');
  return root.build();
}
