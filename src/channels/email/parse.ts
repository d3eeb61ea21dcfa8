import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { messageIdsIn, normalizeMessageId } from './addresses.ts';
import { classify, type Classification } from './classify.ts';
import { cleanText } from './clean-text.ts';

/** What the parse worker is asked (structured-cloneable). */
export interface ParseTask {
  source: Uint8Array;
  /** 'headers': read only the header block (a message too large or too slow to parse whole). */
  mode: 'full' | 'headers';
  ownDomain: string;
  ownAddresses: string[];
}

export interface ParsedAttachment {
  filename: string | undefined;
  contentType: string;
  related: boolean;
  content: Uint8Array;
  size: number;
  sha256: string;
}

/** Everything the inbound handler needs from one message, computed off the event loop. */
export interface ParsedMessage {
  /** Normalised `<id>`; a hash of the raw bytes when the message has none. */
  messageId: string;
  hasMessageId: boolean;
  subject: string | undefined;
  from: { address: string; name: string | undefined } | null;
  recipients: string[];
  /** In-Reply-To first, then References newest first, normalised. */
  references: string[];
  headers: Record<string, unknown>;
  verdict: Classification;
  /** The cleaned words, or null when the body was not parsed (headers mode). */
  text: string | null;
  textFrom: 'text' | 'html' | 'none';
  attachments: ParsedAttachment[];
}

/** The most of a header block a headers-only parse reads. */
const HEADER_LIMIT = 64 * 1024;

export async function parseMessage(task: ParseTask): Promise<ParsedMessage> {
  const source = Buffer.from(task.source.buffer, task.source.byteOffset, task.source.byteLength);
  const full = task.mode === 'full';
  const mail = await simpleParser(full ? source : Buffer.from(headerBlock(source, HEADER_LIMIT)), { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
  const rawId = normalizeMessageId(mail.messageId);
  const messageId = rawId ?? `<${createHash('sha256').update(source).digest('hex').slice(0, 40)}@no-message-id.invalid>`;
  const verdict = classify(mail, { ownDomain: task.ownDomain, ownAddresses: new Set(task.ownAddresses) });
  const sender = mail.from?.value[0];
  const cleaned = full && verdict.input ? cleanText(mail) : null;
  return {
    messageId,
    hasMessageId: rawId !== null,
    subject: mail.subject,
    from: sender?.address ? { address: sender.address.toLowerCase(), name: sender.name?.trim() || undefined } : null,
    recipients: recipientsOf(mail),
    references: [...messageIdsIn(mail.inReplyTo), ...messageIdsIn(mail.references).reverse()].filter((id) => id !== messageId),
    headers: headerSummary(mail),
    verdict,
    text: full ? (cleaned?.text ?? '') : null,
    textFrom: cleaned?.from ?? 'none',
    attachments:
      full && verdict.input
        ? mail.attachments.map((a) => ({
            filename: a.filename,
            contentType: a.contentType,
            related: Boolean(a.related),
            content: new Uint8Array(a.content.buffer, a.content.byteOffset, a.content.byteLength),
            size: a.content.length,
            sha256: createHash('sha256').update(a.content).digest('hex'),
          }))
        : [],
  };
}

/** The header block of a raw message (up to the first empty line), at most `max` bytes. */
export function headerBlock(source: Uint8Array, max = 256 * 1024): Uint8Array {
  const buffer = Buffer.from(source.buffer, source.byteOffset, source.byteLength);
  const window = buffer.subarray(0, Math.min(buffer.length, max));
  let end = window.indexOf('\r\n\r\n');
  if (end < 0) end = window.indexOf('\n\n');
  const block = end < 0 ? window : window.subarray(0, end);
  return Buffer.concat([block, Buffer.from('\r\n\r\n')]);
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

function headerSummary(mail: ParsedMail): Record<string, unknown> {
  const pick = (name: string): string | undefined => {
    const value = mail.headers.get(name);
    return typeof value === 'string' ? value : undefined;
  };
  const contentType = mail.headers.get('content-type') as { value?: string } | undefined;
  const summary: Record<string, unknown> = {
    from: mail.from?.text,
    to: Array.isArray(mail.to) ? mail.to.map((t) => t.text).join(', ') : mail.to?.text,
    subject: mail.subject,
    date: mail.date?.toISOString(),
    messageId: mail.messageId,
    inReplyTo: mail.inReplyTo,
    contentType: contentType?.value,
    autoSubmitted: pick('auto-submitted'),
    precedence: pick('precedence'),
    xAutoResponseSuppress: pick('x-auto-response-suppress'),
    xLoop: pick('x-loop'),
  };
  return Object.fromEntries(Object.entries(summary).filter(([, value]) => value !== undefined));
}
