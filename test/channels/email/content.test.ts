import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { anchors, tickets } from '../../../src/db/schema.ts';
import { attachmentHref } from '../../../src/channels/web/attachment-route.ts';
import { getTimeline } from '../../../src/core/tickets.ts';
import { buildMail, newMessageId } from '../../support/mail.ts';
import { emailDeskForSuite, haveDovecot, person } from './harness.ts';

describe.skipIf(!haveDovecot)('what an email comment keeps', () => {
  const desk = emailDeskForSuite((desk) => {
    desk.email.inbound!.limits = { perFileBytes: 64 * 1024, perMessageBytes: 96 * 1024 };
  });

  async function file(subject: string, spec: Partial<Parameters<typeof buildMail>[0]> = {}) {
    const requester = person('ann');
    const messageId = newMessageId(requester);
    await desk.deliver(await buildMail({ from: requester, to: 'facilities@example.com', subject, messageId, ...spec }));
    const record = await desk.processed(messageId);
    const [ticket] = await desk.ticketsOf(requester);
    return { requester, messageId, record, ticket: ticket! };
  }

  it('takes only the new words of a reply: quoted history and the signature stay in the raw message only', async () => {
    const { requester, messageId: first, ticket } = await file('Chair is broken');
    const reply = newMessageId(requester);
    const text = [
      'Yes, the left armrest.',
      '',
      '-- ',
      'Ann Example',
      'Facilities liaison, floor 2',
      '',
      'On Tue, 24 Nov 2026 at 10:00, Facilities <desk@example.com> wrote:',
      '> Which part is broken?',
      '> -- the desk',
    ].join('\n');
    await desk.deliver(await buildMail({ from: requester, to: 'facilities@example.com', subject: `Re: [${ticket.key}] Chair is broken`, text, messageId: reply, inReplyTo: first, references: first }));

    const record = await desk.processed(reply);
    const comments = (await desk.events(ticket.key)).filter((e) => e.type === 'comment');
    expect(comments.map((c) => c.body)).toEqual(['Yes, the left armrest.']);
    const raw = await readFile(path.join(desk.dataDir, record.rawPath!), 'utf8');
    expect(raw).toContain('> Which part is broken?');
    expect(raw).toContain('Facilities liaison, floor 2');
  });

  it('reads HTML-only mail as text, without the quoted part', async () => {
    const html =
      '<div dir="ltr"><p>The <b>projector</b> in room 4 shows no picture.</p><ul><li>HDMI tried</li><li>USB-C tried</li></ul></div>' +
      '<div class="gmail_quote"><div>On Mon, Nov 23, 2026, Desk wrote:</div><blockquote>An old message.</blockquote></div>';
    const { ticket } = await file('Projector', { html });
    expect(ticket.description).toBe('The projector in room 4 shows no picture.\n\n * HDMI tried\n * USB-C tried');
  });

  it('stores attachments under DATA_DIR and links them from the timeline; one over the limit is refused with a note', async () => {
    const small = Buffer.from('badge photo '.repeat(100));
    const large = Buffer.alloc(100 * 1024, 7);
    const { ticket } = await file('Badge does not open door 3', {
      text: 'See the photo.',
      attachments: [
        { filename: 'badge.jpg', content: small, contentType: 'image/jpeg' },
        { filename: 'door-log.bin', content: large, contentType: 'application/octet-stream' },
      ],
    });
    expect(ticket.description).toBe(
      'See the photo.\n\nAttachment: badge.jpg (1 KB)\nAttachment not accepted: door-log.bin (100 KB) is larger than the 64 KB limit per file.',
    );
    const [created] = await getTimeline(desk.service.core, ticket.key, { includeInternal: true });
    expect(created?.type).toBe('created');

    // The request's own message (its anchor) lists the kept file with its place under DATA_DIR.
    const [anchor] = await desk.service.database.db
      .select({ data: anchors.data })
      .from(anchors)
      .innerJoin(tickets, eq(tickets.id, anchors.ticketId))
      .where(and(eq(tickets.key, ticket.key), eq(anchors.channel, 'email'), eq(anchors.side, 'requester')));
    const stored = (anchor!.data as { attachments: Array<{ filename: string; path: string; size: number }> }).attachments;
    expect(stored).toEqual([expect.objectContaining({ filename: 'badge.jpg', size: small.length })]);
    expect(await readFile(path.join(desk.dataDir, stored[0]!.path))).toEqual(small);

    // The requester's ticket page links the kept file and names the refused one.
    const signed = new URL(desk.service.links.url(ticket.key, ticket.requester.email));
    const html = await (await fetch(`${desk.service.url}${signed.pathname}${signed.search}`)).text();
    const link = `${attachmentHref(ticket.key, stored[0]!)}${signed.search}`.replace(/&/g, '&amp;');
    expect(html).toContain(`href="${link}"`);
    expect(html).toContain('door-log.bin: not kept');
  });

  it('a follow-up with an attachment records the file on the comment event, and the ticket\'s signed link downloads it', async () => {
    const { requester, messageId: first, ticket } = await file('Lamp flickers');
    const reply = newMessageId(requester);
    const video = Buffer.from('not really a video');
    await desk.deliver(await buildMail({ from: requester, to: 'facilities@example.com', subject: 'Re: Lamp flickers', text: 'Video attached.', messageId: reply, inReplyTo: first, attachments: [{ filename: 'lamp.mp4', content: video, contentType: 'video/mp4' }] }));
    await desk.processed(reply);
    const comment = (await getTimeline(desk.service.core, ticket.key, { includeInternal: true })).find((e) => e.type === 'comment');
    expect(comment?.body).toBe('Video attached.\n\nAttachment: lamp.mp4 (18 bytes)');
    const [kept] = comment!.data.attachments as Array<{ path: string; contentType: string }>;
    expect(kept?.contentType).toBe('video/mp4');
    expect(await readFile(path.join(desk.dataDir, kept!.path))).toEqual(video);

    // Linked from the timeline: the ticket's signed link opens the file, nothing else does.
    const signed = new URL(desk.service.links.url(ticket.key, requester));
    const href = `${desk.service.url}${attachmentHref(ticket.key, kept!)}`;
    const download = await fetch(`${href}${signed.search}`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('video/mp4');
    expect(Buffer.from(await download.arrayBuffer())).toEqual(video);
    const page = await (await fetch(`${desk.service.url}${signed.pathname}${signed.search}`)).text();
    expect(page).toContain(`href="${`${attachmentHref(ticket.key, kept!)}${signed.search}`.replace(/&/g, '&amp;')}"`);
    expect((await fetch(href)).status).toBe(403);
    const other = await file('Another lamp');
    const otherSigned = new URL(desk.service.links.url(other.ticket.key, other.requester));
    expect((await fetch(`${desk.service.url}${attachmentHref(other.ticket.key, kept!)}${otherSigned.search}`)).status).toBe(404);
  });
});
