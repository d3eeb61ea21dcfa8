import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PARSE_LIMITS } from '../../../src/channels/email/parse-pool.ts';
import { buildMail, newMessageId } from '../../support/mail.ts';
import { emailDeskForSuite, haveDovecot, person } from './harness.ts';

/** A 5 MB reply as a real client sends it: a huge HTML body (a pasted report, quoted history) and a big attachment. */
async function monsterMail(from: string, subject: string, messageId: string): Promise<Buffer> {
  const rows = Array.from({ length: 9_000 }, (_, i) => `<tr><td>row ${i}</td><td>${'lorem ipsum dolor sit amet '.repeat(4)}</td><td><a href="https://example.org/r/${i}">link</a></td></tr>`).join('');
  const quote = `${'<blockquote type="cite"><div>On Mon, Nov 23, 2026 at 10:00, Desk &lt;desk@example.com&gt; wrote:</div>'.repeat(200)}old${'</blockquote>'.repeat(200)}`;
  const html = `<div>Here is the export you asked for.</div><table>${rows}</table>${quote}`;
  const attachment = Buffer.alloc(2_500_000, "A");
  return buildMail({ from, to: 'it@example.com', subject, messageId, html, attachments: [{ filename: 'export.csv', content: attachment, contentType: 'text/csv' }] });
}

describe.skipIf(!haveDovecot)('no single email can stall the service', () => {
  const desk = emailDeskForSuite();

  // What this proves is behaviour, not speed ("speed is a benchmark, not a timed test"): it used
  // to assert /healthz p99 < 50 ms during the mail, which a loaded machine fails however the
  // parse runs. Now: the 5 MB parse ran in the worker pool (piscina's own count of completed
  // tasks), and while it ran the event loop kept answering /healthz (probes from this same
  // process, answered while the pool had the parse in flight). The latency itself is measured
  // by `npm run bench:email` (/healthz p99 while 5 MB mails arrive over IMAP).
  it('/healthz keeps answering while a 5 MB mail is parsed in the worker pool and goes on into a ticket', async () => {
    const requester = person('big');
    const parser = desk.email.inbound!.parser;
    // This test is about the event loop, not the time limit (the next test): on a crowded machine
    // a niced worker may need longer than the default 10 s for 5 MB.
    parser.limits.timeMs = 120_000;
    // Warm the path (worker thread started, first ticket written) so what is observed is the big mail.
    const warm = newMessageId(requester);
    await desk.deliver(await buildMail({ from: requester, to: 'it@example.com', subject: 'warm-up', messageId: warm }));
    await desk.processed(warm);

    const messageId = newMessageId(requester);
    const raw = await monsterMail(requester, 'Export for the audit', messageId);
    expect(raw.length).toBeGreaterThan(5 * 1024 * 1024);
    const before = { ...parser.activity };
    let done = false;
    let answered = 0;
    let answeredDuringParse = 0;
    const probe = async () => {
      while (!done) {
        const response = await fetch(`${desk.service.url}/healthz`);
        await response.arrayBuffer();
        expect(response.status).toBe(200);
        answered++;
        if (parser.activity.inWorkers > 0) answeredDuringParse++;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    const run = probe();
    const record = await (async () => {
      try {
        await desk.deliver(raw);
        return await desk.processed(messageId, 120_000);
      } finally {
        done = true;
        await run;
      }
    })();

    parser.limits.timeMs = DEFAULT_PARSE_LIMITS.timeMs;
    expect(record.outcome).toBe('ticketed');
    const [ticket] = (await desk.ticketsOf(requester)).filter((t) => t.title === 'Export for the audit');
    expect(ticket!.description.startsWith('Here is the export you asked for.')).toBe(true);
    expect(ticket!.description.slice(-200)).toContain('Attachment: export.csv (2.4 MB)');
    // The big mail was parsed whole by a worker thread (piscina counts the task it completed), not
    // on this thread nor read by its headers only. This is what proves the parse is off the event
    // loop: mailparser on this thread yields now and then, so probes alone (next) could not tell.
    expect(parser.activity).toEqual({ inWorkers: 0, completedInWorkers: before.completedInWorkers + 1, readByHeaders: before.readByHeaders });
    expect(record.headers).not.toHaveProperty('uncleaned');
    // And the event loop kept turning while the parse was in flight: probes were answered then.
    console.info(`/healthz: ${answeredDuringParse} of ${answered} probes answered while the 5 MB mail was being parsed (parse ${String((record.headers as { parseMs?: number }).parseMs)} ms)`);
    expect(answeredDuringParse).toBeGreaterThanOrEqual(10);
  }, 180_000);

  it('a message that takes too long to clean is kept whole, still filed, and the next one is processed normally', async () => {
    const parser = desk.email.inbound!.parser;
    const requester = person('slow');
    parser.limits.timeMs = 1; // nothing parses in 1 ms: the worker is stopped and the message is read by its headers
    const slow = newMessageId(requester);
    await desk.deliver(await monsterMail(requester, 'Huge report', slow));
    const record = await desk.processed(slow, 60_000);
    parser.limits.timeMs = DEFAULT_PARSE_LIMITS.timeMs;

    expect(record).toMatchObject({ outcome: 'ticketed' });
    expect(record.headers).toMatchObject({ uncleaned: { reason: 'timeout' } });
    const [ticket] = await desk.ticketsOf(requester);
    expect(ticket!.description).toBe('This email was too long to clean, see the original (cleaning took longer than 1 ms). Any attachments are in the original too.');
    const kept = await readFile(path.join(desk.dataDir, record.rawPath!));
    expect(kept.toString('latin1')).toContain('Here is the export you asked for.');

    const next = newMessageId(requester);
    await desk.deliver(await buildMail({ from: requester, to: 'it@example.com', subject: 'Re: Huge report', text: 'Sorry, here is the short version.', messageId: next, inReplyTo: slow }));
    expect(await desk.processed(next)).toMatchObject({ outcome: 'commented' });
    const comments = (await desk.events(ticket!.key)).filter((e) => e.type === 'comment');
    expect(comments.map((c) => c.body)).toEqual(['Sorry, here is the short version.']);
  }, 90_000);

  it('a message over the size limit is not parsed whole: classified by its headers, filed, kept raw', async () => {
    const parser = desk.email.inbound!.parser;
    const requester = person('large');
    parser.limits.maxBytes = 64 * 1024;
    const large = newMessageId(requester);
    const auto = newMessageId(requester);
    await desk.deliver(await buildMail({ from: requester, to: 'it@example.com', subject: 'Scans', text: 'x'.repeat(200_000), messageId: large }));
    await desk.deliver(await buildMail({ from: requester, to: 'it@example.com', subject: 'Away', text: 'y'.repeat(200_000), messageId: auto, headers: { 'Auto-Submitted': 'auto-replied' } }));
    const record = await desk.processed(large);
    const automatic = await desk.processed(auto);
    parser.limits.maxBytes = DEFAULT_PARSE_LIMITS.maxBytes;

    expect(record.headers).toMatchObject({ uncleaned: { reason: 'too-large' } });
    const [ticket] = await desk.ticketsOf(requester);
    expect(ticket!.description).toMatch(/^This email was too large to clean, see the original \(\d+ KB is over the 64 KB limit for cleaning\)/);
    expect(automatic).toMatchObject({ outcome: 'ignored', reason: 'auto-reply: Auto-Submitted: auto-replied' });
  }, 60_000);
});
