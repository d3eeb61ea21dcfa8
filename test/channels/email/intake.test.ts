import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { deliveries, paceBuckets } from '../../../src/db/schema.ts';
import { buildMail, bulkMail, deliveryStatusNotification, newMessageId, outOfOfficeReply } from '../../support/mail.ts';
import { emailDeskForSuite, haveDovecot, person } from './harness.ts';

describe.skipIf(!haveDovecot)('email intake: a mail to a queue mailbox', () => {
  const desk = emailDeskForSuite();

  it('opens a ticket in the queue of the mailbox it was sent to, and the requester gets an acknowledgement in the same thread', async () => {
    const ann = person('ann');
    const messageId = newMessageId(ann);
    await desk.deliver(await buildMail({ from: `Ann Example <${ann}>`, to: 'it@example.com', subject: 'Printer on floor 3 is jammed', text: 'It has been jammed since this morning.', messageId }));

    const record = await desk.processed(messageId);
    expect(record).toMatchObject({ outcome: 'ticketed', channel: 'email' });
    const [ticket] = await desk.ticketsOf(ann);
    expect(ticket).toMatchObject({ title: 'Printer on floor 3 is jammed', description: 'It has been jammed since this morning.', requester: { email: ann, name: 'Ann Example' } });
    expect(ticket!.key).toMatch(/^IT-\d+$/);

    const ack = await desk.sink.waitFor((mail) => mail.envelope.rcptTo.includes(ann));
    expect(ack.parsed.subject).toBe(`Re: [${ticket!.key}] Printer on floor 3 is jammed`);
    expect(ack.parsed.inReplyTo).toBe(messageId.toLowerCase());
    expect(ack.parsed.references).toBe(messageId.toLowerCase());
    expect(ack.parsed.messageId).toMatch(/@example\.com>$/);
    expect(ack.parsed.from?.value[0]).toEqual({ name: 'IT Service Desk', address: 'desk@example.com' });
    expect(ack.parsed.replyTo?.value[0]?.address).toBe(`it+${ticket!.key}@example.com`);
    expect(ack.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(ack.parsed.headers.get('x-auto-response-suppress')).toBe('All');
    expect(ack.parsed.text).toContain(`${desk.service.links.publicUrl}/t/${ticket!.key}?e=`);
    expect(ack.parsed.html).toContain('Open the ticket');
    expect(ack.envelope.mailFrom).toBe('desk@example.com');
  });

  it('files a mail that asks for no automatic replies (X-Auto-Response-Suppress) but sends no acknowledgement', async () => {
    const bo = person('bo');
    const messageId = newMessageId(bo);
    await desk.deliver(await buildMail({ from: bo, to: 'hr@example.com', subject: 'Salary letter for my bank', headers: { 'X-Auto-Response-Suppress': 'OOF, AutoReply' }, messageId }));

    expect(await desk.processed(messageId)).toMatchObject({ outcome: 'ticketed' });
    const [ticket] = await desk.ticketsOf(bo);
    expect(ticket!.key).toMatch(/^HR-\d+$/);
    // A later public reply still reaches Bo, so the worker has had its chance at the acknowledgement by then.
    await desk.api('POST', `/tickets/${ticket!.key}/comments`, { body: 'Which bank?', visibility: 'public', author: { email: 'it-lead@example.com' } });
    const reply = await desk.sink.waitFor((mail) => mail.envelope.rcptTo.includes(bo));
    expect(reply.parsed.text).toContain('Which bank?');
    expect(desk.sink.messages.filter((mail) => mail.envelope.rcptTo.includes(bo))).toHaveLength(1);
  });

  it('records out-of-office replies, bounces, bulk mail and our own mail coming back, and never turns them into comments or status changes', async () => {
    const cy = person('cy');
    const first = newMessageId(cy);
    await desk.deliver(await buildMail({ from: cy, to: 'it@example.com', subject: 'VPN drops every hour', messageId: first }));
    await desk.processed(first);
    const [ticket] = await desk.ticketsOf(cy);
    await desk.api('POST', `/tickets/${ticket!.key}/transition`, { status: 'waiting_on_requester' });
    const before = await desk.events(ticket!.key);
    const ack = await desk.sink.waitFor((mail) => mail.envelope.rcptTo.includes(cy));

    const inThread = { inReplyTo: ack.parsed.messageId!, references: [first, ack.parsed.messageId!] };
    const ooo = newMessageId(cy);
    const bounce = newMessageId('mailer-daemon@mx.example.net');
    const news = newMessageId('news@example.org');
    const loop = `<loop-${Date.now()}@example.com>`;
    await desk.deliver(await outOfOfficeReply({ from: cy, to: `it+${ticket!.key}@example.com`, ...inThread, messageId: ooo }));
    await desk.deliver(await deliveryStatusNotification({ to: 'desk@example.com', failedRecipient: cy, messageId: bounce, original: ack.raw, ...inThread }));
    await desk.deliver(await bulkMail({ from: 'news@example.org', to: 'it@example.com', messageId: news }));
    await desk.deliver(await buildMail({ from: 'someone@example.org', to: 'it@example.com', subject: `Re: [${ticket!.key}] VPN`, messageId: loop, ...inThread }));

    expect(await desk.processed(ooo)).toMatchObject({ outcome: 'ignored', reason: 'auto-reply: Auto-Submitted: auto-replied' });
    expect(await desk.processed(bounce)).toMatchObject({ outcome: 'ignored', reason: 'bounce: multipart/report (delivery-status)' });
    expect(await desk.processed(news)).toMatchObject({ outcome: 'ignored', reason: 'bulk: Precedence: bulk' });
    expect((await desk.processed(loop)).reason).toMatch(/^loop guard/);
    expect(await desk.events(ticket!.key)).toEqual(before);
    expect((await desk.ticket(ticket!.key)).status).toBe('waiting_on_requester');
    expect(await desk.ticketsOf('news@example.org')).toEqual([]);
  });

  it('takes the same message delivered twice as one comment', async () => {
    const di = person('di');
    const first = newMessageId(di);
    await desk.deliver(await buildMail({ from: di, to: 'it@example.com', subject: 'Monitor flickers', messageId: first }));
    await desk.processed(first);
    const [ticket] = await desk.ticketsOf(di);
    const reply = await buildMail({ from: di, to: 'it@example.com', subject: 'Re: Monitor flickers', text: 'It is the left one.', inReplyTo: first, references: first });

    await desk.deliver(reply);
    await desk.deliver(reply);

    await expect.poll(async () => (await desk.dovecot.list(desk.mailbox)).filter((m) => !m.flags.includes('$Switchboard')).length, { timeout: 10_000 }).toBe(0);
    const comments = (await desk.events(ticket!.key)).filter((e) => e.type === 'comment');
    expect(comments.map((c) => c.body)).toEqual(['It is the left one.']);
  });

  it('a temporary SMTP refusal (451) is retried and the mail arrives once; a permanent one (550) is dead-lettered, not retried', async () => {
    const fay = person('fay');
    const messageId = newMessageId(fay);
    desk.sink.failNext(1, 451);
    await desk.deliver(await buildMail({ from: fay, to: 'it@example.com', subject: 'Headset crackles', messageId }));
    await desk.sink.waitFor((mail) => mail.envelope.rcptTo.includes(fay));
    expect(desk.sink.rejected).toBe(1);
    const [ticket] = await desk.ticketsOf(fay);

    desk.sink.failNext(1, 550);
    await desk.api('POST', `/tickets/${ticket!.key}/comments`, { body: 'Try the other port.', visibility: 'public', author: { email: 'it-lead@example.com' } });
    await expect
      .poll(async () => (await desk.service.database.db.select().from(deliveries).where(and(eq(deliveries.channel, 'email'), eq(deliveries.status, 'dead')))).map((d) => d.lastError), { timeout: 10_000 })
      .toEqual([expect.stringContaining('SMTP 550')]);
    expect(desk.sink.messages.filter((mail) => mail.envelope.rcptTo.includes(fay))).toHaveLength(1);
  });

  it('a relay that says "slow down" (421) pauses sending for a minute on every replica, spending no attempt; the mail goes once the pause is over', async () => {
    const gil = person('gil');
    const hal = person('hal');
    const db = desk.service.database.db;
    const pauseKey = 'smtp:desk@example.com#0';
    desk.sink.failNext(1, 421);
    const rejectedBefore = desk.sink.rejected;
    // The minute counts from the 421, which comes after this instant: however slow the machine,
    // the retry and the pause end at least a minute (less clock slack) after it.
    const before = Date.now();
    await desk.deliver(await buildMail({ from: gil, to: 'it@example.com', subject: 'Dock does not charge', messageId: newMessageId(gil) }));
    await expect.poll(() => desk.sink.rejected, { timeout: 15_000 }).toBe(rejectedBefore + 1);
    const throttled = () => db.select().from(deliveries).where(and(eq(deliveries.channel, 'email'), eq(deliveries.status, 'pending'), sql`${deliveries.lastError} like 'SMTP 421%'`));
    await expect.poll(async () => (await throttled()).length, { timeout: 5_000 }).toBe(1);
    const [waiting] = await throttled();
    expect(waiting!.attempts).toBe(0);
    expect(waiting!.nextAttemptAt.getTime() - before).toBeGreaterThan(55_000);
    // The pause is the database's, so every replica's mail waits: another requester's acknowledgement does not go either.
    const [pause] = await db.select({ until: paceBuckets.tatMs }).from(paceBuckets).where(eq(paceBuckets.key, pauseKey));
    expect(Number(pause!.until) - before).toBeGreaterThan(55_000);
    const halId = newMessageId(hal);
    await desk.deliver(await buildMail({ from: hal, to: 'it@example.com', subject: 'Mouse double-clicks', messageId: halId }));
    await desk.processed(halId);
    await expect.poll(async () => (await db.select().from(deliveries).where(and(eq(deliveries.channel, 'email'), sql`${deliveries.lastError} like 'paced:%'`))).length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(desk.sink.messages.filter((mail) => mail.envelope.rcptTo.includes(gil) || mail.envelope.rcptTo.includes(hal))).toHaveLength(0);

    // The minute is over (skipped here): both acknowledgements go, once each.
    await db.update(paceBuckets).set({ tatMs: 0 }).where(eq(paceBuckets.key, pauseKey));
    await db.update(deliveries).set({ nextAttemptAt: new Date() }).where(and(eq(deliveries.channel, 'email'), eq(deliveries.status, 'pending')));
    await desk.sink.waitFor((mail) => mail.envelope.rcptTo.includes(gil));
    await desk.sink.waitFor((mail) => mail.envelope.rcptTo.includes(hal));
    expect(desk.sink.messages.filter((mail) => mail.envelope.rcptTo.includes(gil))).toHaveLength(1);
  });
});
