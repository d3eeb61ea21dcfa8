import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { resolvePerson } from '../../../src/core/people.ts';
import { people } from '../../../src/db/schema.ts';
import { startSmtpSink, type CapturedMail } from '../../support/smtp.ts';
import { forSuite } from '../../support/suite.ts';
import { chromiumAvailable, seriousA11yViolations } from './browser.ts';
import { webDeskForSuite } from './harness.ts';

// The sample's system-access: the manager from the directory, then the form's manager_email, then
// an IT lead. Email is the only outbound channel here, so approvers and requesters hear by mail.
describe.skipIf(!chromiumAvailable)('approving and rating from email links, in Chromium', { timeout: 120_000 }, () => {
  const smtp = forSuite(startSmtpSink, (sink) => sink.close());
  const service = webDeskForSuite({ viewport: { width: 480, height: 900 }, publicUrl: true, env: () => ({ SMTP_URL: smtp.url, MAIL_FROM: 'desk@example.com' }) });

  let n = 0;
  async function accessRequest() {
    n += 1;
    const db = service.sb.database.db;
    const requester = await resolvePerson(db, { email: `web-emp${n}@example.com`, name: `Web Emp ${n}` });
    const manager = await resolvePerson(db, { email: `web-boss${n}@example.com`, name: `Web Boss ${n}` });
    await db.update(people).set({ managerId: manager.id }).where(eq(people.id, requester.id));
    const created = await service.api('POST', '/tickets', { type: 'system-access', title: `Salesforce ${n}`, requester: { email: requester.email }, fields: { system: 'Salesforce', role: 'read', manager_email: `web-ctl${n}@example.com` } });
    expect(created.status).toBe(201);
    return { key: created.json.key as string, requester: requester.email, manager: manager.email, controller: `web-ctl${n}@example.com` };
  }

  const mailTo = (email: string, subject: RegExp) => smtp.waitFor((m: CapturedMail) => m.envelope.rcptTo.includes(email) && subject.test(m.parsed.subject ?? ''), 20_000);
  const linkIn = (mail: CapturedMail, pattern: RegExp) => {
    const found = pattern.exec(mail.parsed.text ?? '');
    expect(found, `a link in: ${mail.parsed.text}`).not.toBeNull();
    return found![0];
  };

  it('an emailed approval link followed by a GET (a mail scanner) decides nothing; the approver decides on the page', async () => {
    const { key, manager, controller } = await accessRequest();
    const mail = await mailTo(manager, new RegExp(`Approval needed: \\[${key}\\]`));
    const link = linkIn(mail, /http:\/\/127\.0\.0\.1:\d+\/approve\/\S+/);
    expect(mail.parsed.text).toContain('nothing is decided until you press a button');
    // A link scanner fetches it, twice.
    for (let i = 0; i < 2; i++) {
      const scanned = await fetch(link);
      expect(scanned.status).toBe(200);
      expect(await scanned.text()).toContain('Approve');
    }
    expect((await service.api('GET', `/tickets/${key}`)).json.approvals[0].state).toBe('pending');

    await service.withPage(async (page) => {
      await page.goto(link);
      expect(await page.locator('h1').textContent()).toContain(key);
      expect(await page.locator('.fields').textContent()).toContain('Salesforce');
      expect(await seriousA11yViolations(page)).toEqual([]);
      await page.getByRole('button', { name: 'Approve' }).click();
      await page.waitForSelector('.notice.ok');
      expect(await page.locator('.notice.ok').textContent()).toMatch(/^Approved/);
      // Back on the same link: answered with who decided, no form.
      await page.goto(link);
      expect(await page.locator('.notice').textContent()).toMatch(/Step 1 was already approved by Web Boss \d+/);
      expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    }, { bypassCSP: true });
    const after = (await service.api('GET', `/tickets/${key}`)).json;
    expect(after.approvals.map((a: { state: string }) => a.state)).toEqual(['approved', 'pending', 'pending']);
    const timeline = (await service.api('GET', `/tickets/${key}/events`)).json.items as Array<{ type: string; channel: string }>;
    expect(timeline.find((e) => e.type === 'approval_decided')!.channel).toBe('web');
    // Step 2 is mailed to the controller named on the form.
    await mailTo(controller, new RegExp(`Approval needed: \\[${key}\\]`));
  });

  it('a rejection needs a reason, closes the ticket, and the requester hears why by email', async () => {
    const { key, manager, requester } = await accessRequest();
    const link = linkIn(await mailTo(manager, new RegExp(`Approval needed: \\[${key}\\]`)), /http:\/\/127\.0\.0\.1:\d+\/approve\/\S+/);
    await service.withPage(async (page) => {
      await page.goto(link);
      await page.getByRole('button', { name: 'Reject' }).click();
      await page.waitForSelector('.field-error');
      expect(await page.locator('.field-error').textContent()).toMatch(/Say why/);
      await page.fill('#decision-comment', 'Ask for read access first');
      await page.getByRole('button', { name: 'Reject' }).click();
      await page.waitForSelector('.notice.ok');
    });
    expect((await service.api('GET', `/tickets/${key}`)).json.status).toBe('closed');
    const told = await smtp.waitFor((m) => m.envelope.rcptTo.includes(requester) && (m.parsed.text ?? '').includes('Ask for read access first'), 20_000);
    expect(told.parsed.subject).toContain(key);
  });

  it('"How did we do?" arrives by email when resolved; its link shows the form and only the POST records the rating', async () => {
    const created = await service.api('POST', '/tickets', { type: 'laptop', title: 'Charger', requester: { email: 'web-rater@example.com', name: 'Rae' }, fields: { model: '13-inch' } });
    const key = created.json.key as string;
    await service.api('POST', `/tickets/${key}/transition`, { status: 'resolved', actor: { email: 'marta.lopez@example.com' } });
    const mail = await mailTo('web-rater@example.com', new RegExp(`How did we do\\? \\[${key}\\]`));
    const four = linkIn(mail, /http:\/\/127\.0\.0\.1:\d+\/rate\/\S+\?r=4/);
    expect((await fetch(four)).status).toBe(200);
    expect((await service.api('GET', `/tickets/${key}`)).json.satisfaction).toBeNull();
    await service.withPage(async (page) => {
      await page.goto(four);
      expect(await page.locator('input[name=rating][value="4"]').isChecked()).toBe(true);
      await page.fill('#rating-comment', 'Quick, thanks');
      await page.getByRole('button', { name: 'Send rating' }).click();
      await page.waitForSelector('.notice.ok');
    });
    expect((await service.api('GET', `/tickets/${key}`)).json.satisfaction).toMatchObject({ rating: 4, comment: 'Quick, thanks' });
    const report = (await service.api('GET', '/reports/satisfaction?queue=IT')).json;
    expect(report.totals).toMatchObject({ asked: 1, answered: 1, csat: 1, mean: 4 });
    expect(report.byChannel).toEqual([{ channel: 'api', asked: 1, answered: 1, responseRate: 1, csat: 1, mean: 4 }]);

    // The ticket page shows the requester the same form, with their rating, and lets them change it.
    await service.withPage(async (page) => {
      await page.goto(`${service.at('')}${new URL(service.sb.links.url(key, 'web-rater@example.com')).pathname}${new URL(service.sb.links.url(key, 'web-rater@example.com')).search}`);
      expect(await page.locator('#rate-title').textContent()).toBe('Your rating: 4 of 5');
      await page.locator('input[name=rating][value="2"]').check();
      await page.getByRole('button', { name: 'Send rating' }).click();
      await page.waitForSelector('.notice.ok');
    });
    expect((await service.api('GET', `/tickets/${key}`)).json.satisfaction.rating).toBe(2);
  });
});
