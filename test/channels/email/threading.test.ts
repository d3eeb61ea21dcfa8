import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { recordEvent } from '../../../src/core/tickets.ts';
import { deliveries, tickets } from '../../../src/db/schema.ts';
import type { CapturedMail } from '../../support/smtp.ts';
import { buildMail, newMessageId } from '../../support/mail.ts';
import { emailDeskForSuite, haveDovecot, person, type TicketJson } from './harness.ts';

describe.skipIf(!haveDovecot)('email threading, both ways', () => {
  const desk = emailDeskForSuite();

  /** A requester files by mail and gets the acknowledgement. */
  async function fileByMail(subject: string): Promise<{ requester: string; ticket: TicketJson; first: string; ack: CapturedMail }> {
    const requester = person('req');
    const first = newMessageId(requester);
    await desk.deliver(await buildMail({ from: `Requester <${requester}>`, to: 'it@example.com', subject, messageId: first }));
    await desk.processed(first);
    const [ticket] = await desk.ticketsOf(requester);
    const ack = await desk.sink.waitFor((mail) => mail.envelope.rcptTo.includes(requester));
    return { requester, ticket: ticket!, first, ack };
  }

  const commentsOf = async (key: string) => (await desk.events(key)).filter((e) => e.type === 'comment').map((e) => e.body);

  it('a reply to the acknowledgement lands on the ticket by In-Reply-To', async () => {
    const { requester, ticket, first, ack } = await fileByMail('Laptop battery swells');
    const reply = newMessageId(requester);
    await desk.deliver(await buildMail({ from: requester, to: 'desk@example.com', subject: 'Re: whatever the client kept', text: 'Photo is on its way.', messageId: reply, inReplyTo: ack.parsed.messageId!, references: [first, ack.parsed.messageId!] }));
    expect(await desk.processed(reply)).toMatchObject({ outcome: 'commented', reason: 'threaded by reference' });
    expect(await commentsOf(ticket.key)).toEqual(['Photo is on its way.']);
  });

  it('a new mail to the plus-address of a ticket lands on that ticket', async () => {
    const { requester, ticket } = await fileByMail('Keyboard missing keys');
    const fresh = newMessageId(requester);
    await desk.deliver(await buildMail({ from: requester, to: `it+${ticket.key}@example.com`, subject: 'one more thing', text: 'It is the Q key.', messageId: fresh }));
    expect(await desk.processed(fresh)).toMatchObject({ outcome: 'commented', reason: 'threaded by plus-address' });
    expect(await commentsOf(ticket.key)).toEqual(['It is the Q key.']);
  });

  it('a [KEY] subject tag attaches mail from a participant, but a stranger using the tag opens a ticket of their own', async () => {
    const { requester, ticket } = await fileByMail('Docking station dead');
    const own = newMessageId(requester);
    await desk.deliver(await buildMail({ from: requester, to: 'it@example.com', subject: `[${ticket.key}] still dead`, text: 'Tried another cable.', messageId: own }));
    expect(await desk.processed(own)).toMatchObject({ outcome: 'commented', reason: 'threaded by subject-tag' });
    expect(await commentsOf(ticket.key)).toEqual(['Tried another cable.']);

    const stranger = person('stranger');
    const theirs = newMessageId(stranger);
    await desk.deliver(await buildMail({ from: stranger, to: 'it@example.com', subject: `[${ticket.key}] my dock too`, text: 'Mine is also dead.', messageId: theirs }));
    expect(await desk.processed(theirs)).toMatchObject({ outcome: 'ticketed' });
    const [own2] = await desk.ticketsOf(stranger);
    expect(own2!.key).not.toBe(ticket.key);
    expect(own2!.title).toBe('my dock too');
    expect(await commentsOf(ticket.key)).toEqual(['Tried another cable.']);
  });

  it("an agent's reply through the API reaches the requester as a reply in their own mail thread, and an internal note sends nothing", async () => {
    const { requester, ticket, first, ack } = await fileByMail('Need access to the finance share');
    const answer = newMessageId(requester);
    await desk.deliver(await buildMail({ from: requester, to: 'it@example.com', subject: `Re: [${ticket.key}] Need access to the finance share`, text: 'My manager approved it.', messageId: answer, inReplyTo: ack.parsed.messageId!, references: [first, ack.parsed.messageId!] }));
    await desk.processed(answer);

    await desk.api('POST', `/tickets/${ticket.key}/comments`, { body: 'Approved by finance, not for the requester.', visibility: 'internal', author: { email: 'it-lead@example.com' } });
    await desk.api('POST', `/tickets/${ticket.key}/comments`, { body: 'Done: you have read access now.', visibility: 'public', author: { email: 'it-lead@example.com', name: 'Alex Agent' } });

    const reply = await desk.sink.waitFor((mail) => mail.envelope.rcptTo.includes(requester) && (mail.parsed.text ?? '').includes('read access'));
    expect(reply.parsed.subject).toBe(`Re: [${ticket.key}] Need access to the finance share`);
    expect(reply.parsed.messageId).toMatch(/^<[^@]+@example\.com>$/);
    expect(reply.parsed.inReplyTo).toBe(answer.toLowerCase());
    expect(reply.parsed.references).toEqual([first, ack.parsed.messageId!, answer].map((id) => id.toLowerCase()));
    expect(reply.parsed.replyTo?.value[0]?.address).toBe(`it+${ticket.key}@example.com`);
    expect(reply.parsed.headers.has('auto-submitted')).toBe(false);
    expect(reply.parsed.headers.has('x-auto-response-suppress')).toBe(false);
    expect(reply.parsed.text).toContain('Alex Agent wrote:');
    expect(reply.parsed.html).toContain('Done: you have read access now.');

    await desk.service.worker!.drain();
    const toRequester = desk.sink.messages.filter((mail) => mail.envelope.rcptTo.includes(requester));
    expect(toRequester).toHaveLength(2); // the acknowledgement and the public reply
    expect(toRequester.some((mail) => mail.raw.toString().includes('not for the requester'))).toBe(false);
  });

  it('replies go out over kept-open SMTP connections, not one connection per message', async () => {
    const { requester, ticket } = await fileByMail('Monitor arm is loose');
    const opened = desk.sink.connections;
    const replies = ['One', 'Two', 'Three', 'Four', 'Five', 'Six'].map((n) => `${n}: tightened a screw.`);
    for (const body of replies) await desk.api('POST', `/tickets/${ticket.key}/comments`, { body, visibility: 'public', author: { email: 'it-lead@example.com' } });
    for (const body of replies) await desk.sink.waitFor((mail) => mail.envelope.rcptTo.includes(requester) && (mail.parsed.text ?? '').includes(body), 15_000);
    // The pool keeps at most three connections open and reuses them (src/channels/email/outbound.ts);
    // nodemailer given `{ url, pool: true }` ignored the pool and greeted the relay once per message.
    expect(desk.sink.connections - opened).toBeLessThanOrEqual(3);
  });

  it('a colleague copied on the thread who writes in becomes a watcher and gets later public replies in their own thread', async () => {
    const { requester, ticket, first, ack } = await fileByMail('Team printer needs toner');
    const colleague = person('colleague');
    const theirs = newMessageId(colleague);
    await desk.deliver(await buildMail({ from: colleague, to: 'it@example.com', cc: requester, subject: `Re: [${ticket.key}] Team printer needs toner`, text: 'Black toner, please.', messageId: theirs, inReplyTo: ack.parsed.messageId!, references: [first, ack.parsed.messageId!] }));
    await desk.processed(theirs);
    // A colleague is not the service team: their reply does not meet the first-response SLA.
    expect((await desk.api<{ sla: { firstResponse: { state: string } } }>('GET', `/tickets/${ticket.key}`)).sla.firstResponse.state).toBe('running');

    await desk.api('POST', `/tickets/${ticket.key}/comments`, { body: 'Toner ordered.', visibility: 'public', author: { email: 'it-lead@example.com' } });
    const toColleague = await desk.sink.waitFor((mail) => mail.envelope.rcptTo.includes(colleague));
    expect(toColleague.parsed.inReplyTo).toBe(theirs.toLowerCase());
    expect(toColleague.parsed.text).toContain('Toner ordered.');
    await desk.sink.waitFor((mail) => mail.envelope.rcptTo.includes(requester) && (mail.parsed.text ?? '').includes('Toner ordered.'));

    // The link in the colleague's mail is signed for them, and opens the ticket page.
    const link = /https?:\/\/\S+\/t\/[^\s>"]+/.exec(toColleague.parsed.text ?? '')![0];
    const signed = new URL(link);
    const page = await fetch(`${desk.service.url}${signed.pathname}${signed.search}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Toner ordered.');
  });

  it('status changes reach the requester as automatic notices in their thread, and an SLA breach escalates to the queue\'s address', async () => {
    const requester = person('hal');
    const first = newMessageId(requester);
    await desk.deliver(await buildMail({ from: requester, to: 'hr@example.com', subject: 'Employment certificate', messageId: first }));
    await desk.processed(first);
    const [ticket] = await desk.ticketsOf(requester);
    const ack = await desk.sink.waitFor((mail) => mail.envelope.rcptTo.includes(requester));

    await desk.api('POST', `/tickets/${ticket!.key}/transition`, { status: 'resolved' });
    const resolved = await desk.sink.waitFor((mail) => mail.envelope.rcptTo.includes(requester) && (mail.parsed.text ?? '').includes('is now Resolved'));
    expect(resolved.parsed.inReplyTo).toBe(ack.parsed.messageId);
    expect(resolved.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(resolved.parsed.subject).toBe(`Re: [${ticket!.key}] Employment certificate`);

    await recordEvent(desk.service.core, { ticketKey: ticket!.key, type: 'sla_breached', visibility: 'internal', channel: 'system', body: 'Resolution target passed.' });
    const escalation = await desk.sink.waitFor((mail) => mail.envelope.rcptTo.includes('hr-leads@example.com'));
    expect(escalation.parsed.subject).toBe(`[${ticket!.key}] Employment certificate`);
    expect(escalation.parsed.text).toContain('Resolution target passed.');
    // The desk's link asks the reader to sign in as themselves; it is nobody's requester link.
    expect(escalation.parsed.text).toContain(`/desk/t/${ticket!.key}`);
    expect(escalation.parsed.text).not.toMatch(/\/t\/[A-Z]+-\d+\?e=/);
    expect(escalation.parsed.headers.get('auto-submitted')).toBe('auto-generated');
  });

  // Last of the file: it closes the suite's mail pool.
  it('a reply due after the mail pool closed (the desk stopping) goes back to the outbox for the next start, instead of waiting for ever', async () => {
    const { requester, ticket } = await fileByMail('Headset crackles');
    const [row] = await desk.service.database.db.select({ id: tickets.id }).from(tickets).where(eq(tickets.key, ticket.key));
    // nodemailer's closed pool takes a message and never calls back: the worker's batch, and the
    // desk's stop() behind it, waited on it for good.
    desk.service.channels.find((c) => c.name === 'email')!.outbound!.close!();
    const before = desk.sink.messages.length;
    await desk.api('POST', `/tickets/${ticket.key}/comments`, { body: 'Swapping it today.', visibility: 'public', author: { email: 'it-lead@example.com' } });
    const handedBack = async () =>
      (await desk.service.database.db.select().from(deliveries).where(and(eq(deliveries.ticketId, row!.id), eq(deliveries.channel, 'email'), eq(deliveries.status, 'pending')))).map((d) => d.lastError);
    await expect.poll(handedBack, { timeout: 10_000 }).toContainEqual(expect.stringContaining('the email channel is closed'));
    expect(desk.sink.messages.slice(before).filter((mail) => mail.envelope.rcptTo.includes(requester))).toEqual([]);
  });
});
