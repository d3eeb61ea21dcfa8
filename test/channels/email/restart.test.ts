import { eq } from 'drizzle-orm';
import type { ImapFlow } from 'imapflow';
import { describe, expect, it } from 'vitest';
import { inboundMessages } from '../../../src/db/schema.ts';
import { buildMail, newMessageId } from '../../support/mail.ts';
import { emailDeskForSuite, haveDovecot, person } from './harness.ts';

describe.skipIf(!haveDovecot)('a crash between the ticket commit and the IMAP flag', () => {
  const desk = emailDeskForSuite();

  it('processes the message exactly once after a restart, then flags it', async () => {
    const requester = person('eve');
    const first = newMessageId(requester);
    await desk.deliver(await buildMail({ from: requester, to: 'it@example.com', subject: 'Wi-Fi in room 5', messageId: first }));
    await desk.processed(first);
    const [ticket] = await desk.ticketsOf(requester);

    // The process dies right after the comment's transaction commits, before the \Seen/$Switchboard flag.
    let crashes = 0;
    desk.email.poller!.faults.beforeFlag = () => {
      crashes++;
      throw new Error('simulated crash before the IMAP flag');
    };
    const reply = newMessageId(requester);
    await desk.deliver(await buildMail({ from: requester, to: 'it@example.com', subject: 'Re: Wi-Fi in room 5', text: 'It drops every ten minutes.', messageId: reply, inReplyTo: first }));
    await expect.poll(() => crashes, { timeout: 20_000 }).toBeGreaterThan(0);
    await desk.service.stop();

    const unflagged = (await desk.dovecot.list(desk.mailbox)).find((m) => m.messageId === reply);
    expect(unflagged?.flags).toEqual([]);

    await desk.start(); // a fresh process on the same database and mailbox, without the crash
    await expect
      .poll(async () => (await desk.dovecot.list(desk.mailbox)).find((m) => m.messageId === reply)?.flags, { timeout: 20_000 })
      .toEqual(['$Switchboard', '\\Seen']);
    const comments = (await desk.events(ticket!.key)).filter((e) => e.type === 'comment');
    expect(comments.map((c) => c.body)).toEqual(['It drops every ten minutes.']);
    const records = await desk.service.database.db.select().from(inboundMessages).where(eq(inboundMessages.externalId, reply.toLowerCase()));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ outcome: 'commented' });
  }, 90_000); // two service starts, each booting its parse workers

  it('reconnects after the IMAP connection drops and reads mail that arrived meanwhile', async () => {
    const poller = desk.email.poller!;
    poller.faults = {};
    const connection = (poller as unknown as { client: ImapFlow | null }).client;
    expect(connection).not.toBeNull();
    connection!.close(); // the socket goes away, as in a network drop or a server restart

    const requester = person('ivy');
    const messageId = newMessageId(requester);
    await desk.deliver(await buildMail({ from: requester, to: 'it@example.com', subject: 'Arrived while we were away', messageId }));
    expect(await desk.processed(messageId)).toMatchObject({ outcome: 'ticketed' });
    expect((poller as unknown as { client: ImapFlow | null }).client).not.toBe(connection);
  });
});
