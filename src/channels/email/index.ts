import type { Channel, ChannelDeps } from '../types.ts';
import { EmailInbound } from './inbound.ts';
import { EmailOutbound } from './outbound.ts';
import { MailboxPoller, parseImapUrl } from './poller.ts';

export interface EmailChannel extends Channel {
  name: 'email';
  inbound: EmailInbound | null;
  poller: MailboxPoller | null;
  outbound?: EmailOutbound;
}

/**
 * Email: IMAP_URL in (one mailbox per URL, a poller with one leader per mailbox),
 * SMTP_URL out. Either half may be off.
 */
export function createEmailChannel(deps: ChannelDeps): EmailChannel {
  const email = deps.config.email!;
  const outbound = email.smtpUrl ? new EmailOutbound(email.smtpUrl, email.mailFrom, deps.links, deps.catalog, deps.core.now) : undefined;
  let inbound: EmailInbound | null = null;
  let poller: MailboxPoller | null = null;
  if (email.imapUrl) {
    const address = parseImapUrl(email.imapUrl);
    const mailboxAddress = address.user.includes('@') ? address.user.toLowerCase() : null;
    inbound = new EmailInbound(deps, {
      mailFrom: email.mailFrom,
      mailboxAddress,
      mailboxLabel: `${address.user}@${address.host}/${address.mailbox}`,
    });
    const handler = inbound;
    poller = new MailboxPoller({ address, database: deps.database, logger: deps.logger, handle: (source) => handler.process(source), prefetch: (source) => handler.prefetch(source) });
  }
  return {
    name: 'email',
    inbound,
    poller,
    ...(outbound ? { outbound } : {}),
    async start() {
      inbound?.parser.warm();
      poller?.start();
    },
    async stop() {
      await poller?.stop();
      await inbound?.close();
      // The outbound pool closes after the delivery worker stops (runtime.ts): a send in flight finishes.
    },
  };
}
