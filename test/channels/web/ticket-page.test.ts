import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getTimeline } from '../../../src/core/tickets.ts';
import { resolvePerson } from '../../../src/core/people.ts';
import { anchors, ticketEvents, tickets } from '../../../src/db/schema.ts';
import { startSmtpSink } from '../../support/smtp.ts';
import { chromiumAvailable, screenshot, seriousA11yViolations, startService } from './browser.ts';
import { webDeskForSuite } from './harness.ts';

describe.skipIf(!chromiumAvailable)("the requester's ticket page, in Chromium", { timeout: 120_000 }, () => {
  const service = webDeskForSuite({ viewport: { width: 420, height: 900 } });

  /** A ticket filed through the API (as Slack or email would), for ana@example.com. */
  async function fileTicket(title: string): Promise<string> {
    const { status, json } = await service.api('POST', '/tickets', {
      type: 'laptop',
      title,
      description: 'My laptop battery lasts 20 minutes.\n\nPhotos: https://files.example.com/battery.jpg',
      requester: { email: 'ana@example.com', name: 'Ana Ruiz' },
      fields: { model: '13-inch' },
    });
    expect(status).toBe(201);
    return json.key as string;
  }

  it('the requester replies from the page: the reply shows in the timeline (via web) and is a core event', async () => {
    const key = await fileTicket('Battery dies fast');
    await service.api('POST', `/tickets/${key}/comments`, { body: 'Can you bring it to the 3rd floor desk?', visibility: 'public', author: { email: 'dan.okafor@example.com', name: 'Tom (IT)' } });
    await service.withPage(async (page) => {
      await page.goto(service.ticketUrl(key, 'ana@example.com'));
      expect(await page.locator('h1').textContent()).toBe(`${key} Battery dies fast`);
      // Drawn when read: the business time left while the desk is open; while it is shut (this runs on the real clock), the due time and when it opens.
      expect(await page.locator('.sla').textContent()).toMatch(
        /^(First response|Resolution) due (in .+ \(business hours Europe\/Madrid\)|\w{3} \d{1,2} \w{3}, \d{2}:\d{2} Europe\/Madrid \(closed now, opens \w{3} \d{1,2} \w{3}, \d{2}:\d{2} Europe\/Madrid\))\.$/,
      );
      // The page can say why: the target, the start and what was excluded.
      await page.getByText('Why this time?').click();
      // A due time six days or more after the start carries its date (a holiday ahead, on the real clock).
      expect(await page.locator('.sla-why p').textContent()).toMatch(/^Due \w{3}( \d{1,2} \w{3})? \d{2}:\d{2} Europe\/Madrid: \d+ business hours from \w{3} \d{2}:\d{2}/);
      await page.getByLabel('Your reply').fill('Sure, I will be there at 11.\nThanks!');
      await page.getByRole('button', { name: 'Send reply' }).click();
      await page.waitForURL(/done=reply/);
      expect(await page.getByRole('status').textContent()).toContain('Your reply was added.');
      const mine = page.locator('.timeline li.mine', { hasText: 'I will be there at 11' });
      expect(await mine.locator('.via').textContent()).toBe('via web');
      expect(await page.locator('.timeline li', { hasText: '3rd floor desk' }).locator('.via').textContent()).toBe('via API');
      expect(await page.locator('.timeline a[href="https://files.example.com/battery.jpg"]').count()).toBe(1);
      await screenshot(page, 'ticket-page.png');
    });
    const events = await getTimeline(service.sb.core, key, { includeInternal: true });
    expect(events.filter((e) => e.type === 'comment' && e.channel === 'web')).toMatchObject([{ body: 'Sure, I will be there at 11.\nThanks!', visibility: 'public', actor: { email: 'ana@example.com', role: 'requester' } }]);
  });

  it('an internal note added through the API never appears on the page', async () => {
    const key = await fileTicket('Keyboard sticky');
    const note = await service.api('POST', `/tickets/${key}/comments`, { body: 'Internal: this user spilled coffee twice', visibility: 'internal', author: { email: 'dan.okafor@example.com' } });
    expect(note.status).toBe(201);
    await service.api('POST', `/tickets/${key}/comments`, { body: 'We ordered a new keyboard.', visibility: 'public', author: { email: 'dan.okafor@example.com' } });
    await service.withPage(async (page) => {
      await page.goto(service.ticketUrl(key, 'ana@example.com'));
      const text = await page.locator('body').textContent();
      expect(text).toContain('We ordered a new keyboard.');
      expect(text).not.toContain('spilled coffee');
    });
  });

  it('the requester marks the request resolved and reopens it from the page', async () => {
    const key = await fileTicket('Dock not detected');
    await service.withPage(async (page) => {
      await page.goto(service.ticketUrl(key, 'ana@example.com'));
      await page.getByRole('button', { name: 'Mark as resolved' }).click();
      await page.waitForURL(/done=resolve/);
      expect(await page.locator('.status').textContent()).toBe('Resolved');
      await page.getByRole('button', { name: 'Reopen this request' }).click();
      await page.waitForURL(/done=reopen/);
      expect(await page.locator('.status').textContent()).toBe('Open');
    });
    const changes = (await getTimeline(service.sb.core, key, { includeInternal: false })).filter((e) => e.type === 'status_changed');
    expect(changes.map((e) => [e.data.to, e.channel])).toEqual([
      ['resolved', 'web'],
      ['open', 'web'],
    ]);
  });

  it("a watcher's link cannot resolve someone else's request: a 403 page, and nothing changes", async () => {
    const key = await fileTicket('Projector lamp out');
    // Bea was cc'd on the request by email: a watcher of the ticket.
    const bea = await resolvePerson(service.sb.database.db, { email: 'bea@example.com', name: 'Bea' });
    const [row] = await service.sb.database.db.select({ id: tickets.id }).from(tickets).where(eq(tickets.key, key));
    await service.sb.database.db.insert(anchors).values({ ticketId: row!.id, channel: 'email', side: 'watcher', personId: bea.id, externalRef: `<watch-${key}@example.com>` });
    await service.withPage(async (page) => {
      await page.goto(service.ticketUrl(key, 'bea@example.com'));
      const response = page.waitForResponse((r) => r.url().includes('/resolve') && r.request().method() === 'POST');
      await page.getByRole('button', { name: 'Mark as resolved' }).click();
      expect((await response).status()).toBe(403);
      expect(await page.locator('h1').textContent()).toBe(`You can't do that on ${key}`);
    });
    const ticket = (await service.api('GET', `/tickets/${key}`)).json as { status: string };
    expect(ticket.status).toBe('new');
    expect((await getTimeline(service.sb.core, key, { includeInternal: true })).some((e) => e.type === 'status_changed')).toBe(false);
  });

  it('a tampered, missing or unknown link gets the 403 page; with email on, asking for a fresh link answers the same, records one request and the mail goes', async () => {
    const sink = await startSmtpSink();
    const mailing = await startService({ SMTP_URL: sink.url, MAIL_FROM: 'desk@example.com' });
    try {
      const created = await mailing.api('POST', '/tickets', { type: 'laptop', title: 'Screen flickers', requester: { email: 'ana@example.com', name: 'Ana Ruiz' }, fields: { model: '13-inch' } });
      const key = created.json.key as string;
      const good = mailing.ticketUrl(key, 'ana@example.com');
      const tampered = good.replace(/s=./, (m) => (m.endsWith('A') ? 's=B' : 's=A'));
      await service.withPage(async (page) => {
        const expired = mailing.ticketUrl(key, 'ana@example.com', new Date(Date.now() - 100 * 86_400_000));
        await page.goto(expired);
        expect(await page.locator('.lead').textContent()).toBe('This link has expired.');
        for (const url of [tampered, expired, mailing.at(`/t/${key}`), mailing.at('/t/IT-99999?e=1&s=x')]) {
          const response = await page.goto(url);
          expect(response?.status()).toBe(403);
          expect(await page.locator('h1').textContent()).toBe('We can’t show this request');
          expect(await page.locator('body').textContent()).not.toContain('Screen flickers');
        }
        const answers: string[] = [];
        for (const url of [tampered, tampered, mailing.at('/t/IT-99999')]) {
          await page.goto(url);
          await page.getByRole('button', { name: 'Email me a fresh link' }).click();
          await page.waitForURL(/\/link$/);
          answers.push((await page.locator('main').textContent()) ?? '');
        }
        expect(new Set(answers).size).toBe(1);
        expect(answers[0]).toContain('If that request exists, a fresh link is on its way');
      });
      const db = mailing.sb.database.db;
      const [ticket] = await db.select({ id: tickets.id }).from(tickets).where(eq(tickets.key, key));
      const requests = await db.select().from(ticketEvents).where(and(eq(ticketEvents.ticketId, ticket!.id), eq(ticketEvents.type, 'access_link_requested')));
      expect(requests).toMatchObject([{ visibility: 'internal', channel: 'web' }]);
      // What the page promised: one mail to the requester, with a link that opens the page.
      const mail = await sink.waitFor((m) => m.envelope.rcptTo.includes('ana@example.com') && /fresh link/.test(m.parsed.text ?? ''));
      const link = /https?:\/\/\S+\/t\/[^\s]+/.exec(mail.parsed.text ?? '')![0];
      const signed = new URL(link);
      expect(signed.pathname).toBe(`/t/${key}`);
      expect((await fetch(mailing.at(`${signed.pathname}${signed.search}`))).status).toBe(200);
    } finally {
      await mailing.stop();
      await sink.close();
    }
  });

  it('with email off the 403 page does not offer to email a link, and a posted request says no link was sent and records nothing', async () => {
    const key = await fileTicket('Keyboard sticks');
    await service.withPage(async (page) => {
      expect((await page.goto(service.at(`/t/${key}`)))?.status()).toBe(403);
      expect(await page.getByRole('button', { name: 'Email me a fresh link' }).count()).toBe(0);
      expect(await page.locator('.no-email').textContent()).toBe('This desk does not send email, so we cannot send you a fresh link.');
      expect(await page.getByRole('link', { name: 'sign in' }).getAttribute('href')).toBe('/login?next=/my');
    });
    // A 403 page from before email was turned off still posts (its token from any of our forms): the answer says nothing went.
    const form = await fetch(service.ticketUrl(key, 'ana@example.com'));
    const [, cookie] = /^([^;]+)/.exec(form.headers.get('set-cookie') ?? '') ?? [];
    const token = /name="token" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
    const posted = await fetch(service.at(`/t/${key}/link`), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: service.at(''), ...(cookie ? { cookie } : {}) },
      body: new URLSearchParams({ token }),
    });
    const answer = await posted.text();
    expect(answer).toContain('No link was sent');
    expect(answer).not.toContain('on its way');
    const db = service.sb.database.db;
    const [ticket] = await db.select({ id: tickets.id }).from(tickets).where(eq(tickets.key, key));
    expect(await db.select().from(ticketEvents).where(and(eq(ticketEvents.ticketId, ticket!.id), eq(ticketEvents.type, 'access_link_requested')))).toEqual([]);
  });

  it('a requester nothing reaches (web form, email off) is told so and offered the link to save, with when it stops working', async () => {
    const key = await fileTicket('Chair wobbles');
    await service.withPage(async (page) => {
      const url = service.ticketUrl(key, 'ana@example.com');
      await page.goto(url);
      const notice = page.locator('.save-link');
      expect(await notice.getByRole('heading').textContent()).toBe('Save this link');
      expect(await notice.textContent()).toContain('We have no way to send you updates on this request');
      const saved = await page.getByLabel('Your link to this request').inputValue();
      const signed = new URL(saved);
      expect(`${signed.pathname}${signed.search}`).toBe(`${new URL(url).pathname}${new URL(url).search}`);
      const expires = new Date(Number(signed.searchParams.get('e')) * 1000);
      const until = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'Europe/Madrid' }).format(expires);
      expect(await notice.textContent()).toContain(`it works until ${until}`);
    });
  });

  it('axe-core finds no serious or critical problems on the ticket page or the 403 page', async () => {
    const key = await fileTicket('Mouse missing');
    await service.withPage(
      async (page) => {
        await page.goto(service.ticketUrl(key, 'ana@example.com'));
        expect(await seriousA11yViolations(page)).toEqual([]);
        await page.goto(service.at(`/t/${key}`));
        expect(await seriousA11yViolations(page)).toEqual([]);
      },
      { bypassCSP: true },
    );
  });
});
