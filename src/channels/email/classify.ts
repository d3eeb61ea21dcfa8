import type { AddressObject, ParsedMail } from 'mailparser';
import { domainOf, normalizeMessageId } from './addresses.ts';

/**
 * Whether a message is a person writing to us. Auto-replies, bounces, bulk mail and our own
 * notices are recorded but never become tickets or comments, and never change a status.
 */
export type Classification =
  | { input: true; /** The sender asked for no automatic answer (X-Auto-Response-Suppress). */ suppressAcknowledgement: boolean }
  | { input: false; reason: string };

export interface ClassifyContext {
  /** The domain of MAIL_FROM: our Message-IDs live there (loop guard). */
  ownDomain: string;
  /** Addresses we send from (MAIL_FROM), lower-case. */
  ownAddresses: ReadonlySet<string>;
}

const BULK_PRECEDENCE = new Set(['bulk', 'list', 'junk', 'auto_reply']);
const DAEMON_SENDERS = /^(mailer-daemon|postmaster|mail-daemon|mailer_daemon)@/i;

export function classify(mail: ParsedMail, ctx: ClassifyContext): Classification {
  const headerNames = new Set(mail.headerLines.map((line) => line.key.toLowerCase()));
  const text = (name: string): string | undefined => {
    const value = mail.headers.get(name);
    return typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  };

  // Loop guard first: a message carrying our own Message-ID domain is one of ours coming back.
  const messageId = normalizeMessageId(mail.messageId);
  if (messageId && ctx.ownDomain && domainOf(messageId) === ctx.ownDomain) return ignored(`loop guard: Message-ID ${messageId} is on our own domain`);
  const from = mail.from?.value[0]?.address?.toLowerCase() ?? '';
  if (ctx.ownAddresses.has(from)) return ignored(`loop guard: sent from our own address ${from}`);

  // RFC 3464 delivery status notifications and RFC 8098 read receipts.
  const contentType = mail.headers.get('content-type');
  if (typeof contentType === 'object' && contentType !== null && 'value' in contentType && String(contentType.value).toLowerCase() === 'multipart/report') {
    const reportType = String((contentType as { params?: Record<string, string> }).params?.['report-type'] ?? 'report');
    return ignored(`bounce: multipart/report (${reportType})`);
  }
  if (nullReturnPath(mail.headers.get('return-path') as AddressObject | undefined, headerNames)) return ignored('bounce: null Return-Path <>');
  if (!from) return ignored('no sender address in From');
  if (DAEMON_SENDERS.test(from)) return ignored(`bounce: sent by ${from}`);

  // RFC 3834: anything but "no" is automatic.
  const autoSubmitted = text('auto-submitted');
  if (autoSubmitted !== undefined && autoSubmitted !== 'no') return ignored(`auto-reply: Auto-Submitted: ${autoSubmitted}`);
  if (headerNames.has('x-autoreply') || headerNames.has('x-autorespond')) return ignored('auto-reply: X-Autoreply/X-Autorespond');
  const precedence = text('precedence');
  if (precedence && BULK_PRECEDENCE.has(precedence)) return ignored(`bulk: Precedence: ${precedence}`);
  // mailparser folds every List-* field into one `list` entry; the raw header lines keep their names.
  const listHeader = [...headerNames].find((name) => name.startsWith('list-'));
  if (listHeader) return ignored(`bulk: mailing-list header ${listHeader}`);

  // Only asks US not to auto-reply (Exchange): the mail is real input, the acknowledgement is skipped.
  const suppress = text('x-auto-response-suppress');
  return { input: true, suppressAcknowledgement: suppress !== undefined && suppress !== '' && suppress !== 'none' };
}

function ignored(reason: string): Classification {
  return { input: false, reason };
}

function nullReturnPath(value: AddressObject | undefined, headerNames: Set<string>): boolean {
  if (!headerNames.has('return-path') || !value) return false;
  const addresses = Array.isArray(value) ? value.flatMap((v: AddressObject) => v.value) : value.value;
  return addresses.length === 0 || addresses.every((a) => !a.address);
}
