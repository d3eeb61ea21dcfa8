import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { kbFeedback } from '../../../src/db/schema.ts';
import { buildMail, newMessageId } from '../../support/mail.ts';
import { emailDeskForSuite, haveDovecot, person } from './harness.ts';

describe.skipIf(!haveDovecot)('email: the acknowledgement lists help articles', () => {
  const desk = emailDeskForSuite();

  it('a request filed by email is acknowledged with the top three articles for its subject and body, linked, in the text and the HTML part', async () => {
    const ann = person('ann');
    const messageId = newMessageId(ann);
    await desk.deliver(await buildMail({ from: `Ann Example <${ann}>`, to: 'it@example.com', subject: 'VPN problem', text: 'My VPN keeps dropping every few minutes when I work from home.', messageId }));
    await desk.processed(messageId);
    const [ticket] = await desk.ticketsOf(ann);

    const ack = await desk.sink.waitFor((mail) => mail.envelope.rcptTo.includes(ann));
    const base = desk.service.links.publicUrl;
    const text = ack.parsed.text ?? '';
    expect(text).toContain(`We received your request and opened ticket ${ticket!.key}`);
    expect(text).toMatch(/these help articles may already answer it:\n\n\* Connect to the VPN from home or on the road\n {2}http:\/\/\S+\/kb\/vpn-connect\?from=email/);
    expect((text.match(/^\* /gm) ?? []).length).toBeLessThanOrEqual(3);
    const html = String(ack.parsed.html);
    expect(html).toContain(`<li><a href="${base}/kb/vpn-connect?from=email">Connect to the VPN from home or on the road</a>`);
    // The ticket link still closes the mail.
    expect(text).toContain(`${base}/t/${ticket!.key}?e=`);

    const shown = await desk.service.database.db.select().from(kbFeedback).where(and(eq(kbFeedback.slug, 'vpn-connect'), eq(kbFeedback.channel, 'email')));
    expect(shown).toMatchObject([{ event: 'shown', email: ann }]);
  }, 90_000);

  it('a mail about something no article covers gets the plain acknowledgement', async () => {
    const bo = person('bo');
    const messageId = newMessageId(bo);
    await desk.deliver(await buildMail({ from: bo, to: 'it@example.com', subject: 'zzqx blorf', text: 'qwxz vrrp', messageId }));
    await desk.processed(messageId);
    const ack = await desk.sink.waitFor((mail) => mail.envelope.rcptTo.includes(bo));
    expect(ack.parsed.text).not.toContain('help articles');
    expect(String(ack.parsed.html)).not.toContain('<ul>');
  }, 90_000);
});
