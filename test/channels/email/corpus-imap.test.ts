import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getTimeline } from '../../../src/core/tickets.ts';
import { inboundMessages, tickets } from '../../../src/db/schema.ts';
import { corpus, rawOf, type CorpusEntry } from './corpus.ts';
import { emailDeskForSuite, haveDovecot } from './harness.ts';

const messageIdOf = (entry: CorpusEntry): string => /^Message-ID:\s*(<[^>]+>)/im.exec(rawOf(entry).toString('utf8'))![1]!.toLowerCase();
const phase = (name: CorpusEntry['phase']) => corpus.messages.filter((m) => m.phase === name);

/**
 * The whole corpus through the real path: IMAP APPEND into Dovecot, the poller, the parse
 * workers, the database, the outbox and SMTP. One ticket is opened by the seed; every
 * automatic message then arrives in its thread and must leave it exactly as it was (no
 * comment, no status change, no answer); every reply becomes a comment with only the new words.
 */
describe.skipIf(!haveDovecot)('the mail corpus through Dovecot', () => {
  const desk = emailDeskForSuite();

  const deliverAll = async (entries: CorpusEntry[]) => {
    for (let i = 0; i < entries.length; i += 6) await Promise.all(entries.slice(i, i + 6).map((entry) => desk.deliver(rawOf(entry))));
  };
  const outcomeOf = async (entry: CorpusEntry) => {
    const record = await desk.processed(messageIdOf(entry));
    return { file: entry.file, outcome: record.outcome, reason: record.reason, ticketId: record.ticketId };
  };
  const mailTo = (address: string) => desk.sink.messages.filter((mail) => mail.envelope.rcptTo.includes(address)).length;

  it('files the seed, ignores every automatic message without a trace on the ticket, takes every reply as its new words only', async () => {
    const [seed] = phase('seed');
    await desk.deliver(rawOf(seed!));
    expect(await outcomeOf(seed!)).toMatchObject({ outcome: 'ticketed' });
    const [ticket] = await desk.ticketsOf('ann@example.org');
    expect(ticket!.description).toBe(seed!.text);
    await desk.sink.waitFor((mail) => mail.envelope.rcptTo.includes('ann@example.org'));
    await desk.api('POST', `/tickets/${ticket!.key}/transition`, { status: 'waiting_on_requester' });
    await desk.sink.waitFor((mail) => mail.envelope.rcptTo.includes('ann@example.org') && (mail.parsed.text ?? '').includes('Awaiting your reply'));
    const [row] = await desk.service.database.db.select({ id: tickets.id }).from(tickets).where(eq(tickets.key, ticket!.key));
    const before = await desk.events(ticket!.key);
    const sentBefore = desk.sink.messages.length;

    // Automatic mail: recorded with its reason, threaded ones listed under the ticket, nothing else.
    const automatic = phase('automatic');
    await deliverAll(automatic);
    const seen = [];
    for (const entry of automatic) seen.push(await outcomeOf(entry));
    expect(seen.map(({ file, outcome, reason }) => ({ file, outcome, reason }))).toEqual(automatic.map((e) => ({ file: e.file, outcome: 'ignored', reason: e.reason })));
    const threaded = automatic.filter((e) => rawOf(e).toString().includes(`In-Reply-To: ${corpus.seed}`));
    expect(seen.filter((s) => threaded.some((e) => e.file === s.file)).every((s) => s.ticketId === row!.id)).toBe(true);
    await desk.service.worker!.drain();
    expect(await desk.events(ticket!.key)).toEqual(before);
    expect((await desk.ticket(ticket!.key)).status).toBe('waiting_on_requester');
    expect(desk.sink.messages.slice(sentBefore).map((m) => `${m.envelope.rcptTo.join(",")} ${m.parsed.subject} ${m.parsed.text?.slice(0, 80)}`)).toEqual([]); // no acknowledgement, no answer to any of them

    // The ticket's raw-mail view lists them with their verdicts, and serves each original as text.
    const signed = new URL(desk.service.links.url(ticket!.key, 'ann@example.org'));
    const view = await fetch(`${desk.service.url}/t/${ticket!.key}/mail${signed.search}`);
    expect(view.status).toBe(200);
    const page = await view.text();
    expect(page).toContain('Auto-Submitted: auto-generated');
    expect(page).toContain('x-ms-exchange-inbox-rules-loop');
    expect(page).toContain('Not taken as input');
    const [ooo] = await desk.service.database.db.select().from(inboundMessages).where(eq(inboundMessages.externalId, messageIdOf(automatic.find((e) => e.file.startsWith('30-'))!)));
    const original = await fetch(`${desk.service.url}/t/${ticket!.key}/mail/${ooo!.id}${signed.search}`);
    expect(original.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await original.text()).toContain('X-MS-Exchange-Inbox-Rules-Loop: ann@example.org');
    expect((await fetch(`${desk.service.url}/t/${ticket!.key}/mail`)).status).toBe(403);

    // Replies from every client and language: one comment each, only the new words.
    const replies = phase('reply');
    await deliverAll(replies);
    for (const entry of replies) expect(await outcomeOf(entry)).toMatchObject({ file: entry.file, outcome: entry.outcome });
    const timeline = await getTimeline(desk.service.core, ticket!.key, { includeInternal: true });
    const comments = new Map(timeline.filter((e) => e.type === 'comment').map((e) => [String(e.data.messageId), e.body]));
    const expected = replies.filter((e) => e.outcome === 'commented');
    expect(expected.map((e) => ({ file: e.file, body: comments.get(messageIdOf(e)) }))).toEqual(expected.map((e) => ({ file: e.file, body: e.text })));
    expect(comments.size).toBe(expected.length);
  }, 120_000);

  it('new mail that only looks automatic (a forward, an "Out of office tomorrow" subject, X-Auto-Response-Suppress) opens tickets', async () => {
    const fresh = phase('new');
    await deliverAll(fresh);
    for (const entry of fresh) {
      const record = await outcomeOf(entry);
      expect(record).toMatchObject({ file: entry.file, outcome: 'ticketed' });
      const [created] = await desk.service.database.db.select().from(tickets).where(eq(tickets.id, record.ticketId!));
      expect({ file: entry.file, description: created!.description }).toEqual({ file: entry.file, description: entry.text });
    }
    // Cy's acknowledgement goes out; by then the worker has had its chance at Bo's too.
    await desk.sink.waitFor((mail) => mail.envelope.rcptTo.includes('cy@example.org'));
    await desk.service.worker!.drain();
    expect(mailTo('cy@example.org')).toBe(1);
    expect(mailTo('bo@example.org')).toBe(0); // asked for no automatic answer
  }, 60_000);
});
