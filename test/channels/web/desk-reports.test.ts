import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { people } from '../../../src/db/schema.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { signInAtProvider } from '../../auth/oidc-provider.ts';
import { startTestService } from '../../support/service.ts';
import { chromiumAvailable, screenshot, seriousA11yViolations } from './browser.ts';
import { signInDeskForSuite } from './harness.ts';

// From the sample catalog: sara.ng leads IT; marta.lopez is an agent of IT, not a lead.

describe.skipIf(!chromiumAvailable)('the lead pages: reports and forecast, in Chromium', { timeout: 120_000 }, () => {
  const web = signInDeskForSuite(
    {
      sara: { email: 'sara.ng@example.com', email_verified: true, name: 'Sara Ng' },
      marta: { email: 'marta.lopez@example.com', email_verified: true, name: 'Marta López' },
    },
    (env) => startTestService(env),
  );
  const keys: string[] = [];

  beforeAll(async () => {
    for (const [title, channel] of [['Laptop for Ana', 'api'], ['Laptop for Bo', 'api'], ['Laptop for Cy', 'api']] as const) {
      const response = await fetch(`${web.url}/api/v1/tickets`, {
        method: 'POST',
        headers: { authorization: 'Bearer test-token', 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'laptop', title, requester: { email: `${title.split(' ')[2]!.toLowerCase()}@example.com` }, fields: { model: '13-inch' }, channel }),
      });
      expect(response.status).toBe(201);
      keys.push(((await response.json()) as { key: string }).key);
    }
  });

  // bypassCSP only so axe-core can be injected; the pages themselves carry no script.
  async function signedIn(login: string, target: string, run: (page: Page) => Promise<void>) {
    const context = await web.browser.newContext({ bypassCSP: true });
    try {
      const page = await context.newPage();
      await page.goto(`${web.url}${target}`);
      expect(new URL(page.url()).pathname).toBe('/login');
      await signInAtProvider(page, web.provider, web.url, login);
      await run(page);
    } finally {
      await context.close();
    }
  }

  it('a lead sees five server-rendered charts with their numbers in tables, axe-clean', async () => {
    await signedIn('sara', '/desk/reports?queue=IT', async (page) => {
      expect(new URL(page.url()).pathname).toBe('/desk/reports');
      expect(await page.locator('h1').textContent()).toBe('IT Service Desk: the last 12 weeks');
      expect(await page.locator('figure.chart svg').count()).toBe(5);
      // The picture is drawn on the server: it is there with JavaScript off too.
      const html = await (await page.context().request.get(`${web.url}/desk/reports?queue=IT`)).text();
      expect(html.match(/<svg/g)?.length).toBe(5);
      expect(html).not.toContain('<script');
      // The numbers behind the pictures: three new API tickets this week, none answered.
      expect(await page.locator('.kpis div', { hasText: 'Created' }).locator('dd').textContent()).toBe('3');
      expect(await page.locator('.kpis div', { hasText: 'Not answered yet' }).locator('dd').textContent()).toBe('3');
      const weekly = page.locator('#weekly ~ details table tbody tr').last();
      expect(await weekly.locator('td').last().textContent()).toBe('3');
      const apiWaits = page.locator('#waits ~ details table tbody tr', { hasText: 'api' });
      expect(await apiWaits.locator('td').last().textContent()).toBe('3');
      await screenshot(page, 'desk-reports.png');
      expect(await seriousA11yViolations(page)).toEqual([]);
    });
  });

  it('a lead sees next week’s forecast with the agents needed and how good the model was', async () => {
    await signedIn('sara', '/desk/forecast?queue=IT', async (page) => {
      expect(await page.locator('h1').textContent()).toBe('IT Service Desk: next week');
      expect(await page.locator('figure.chart svg').count()).toBe(2);
      expect(await page.locator('.notice').textContent()).toContain('How good is it? Not known yet');
      await screenshot(page, 'desk-forecast.png');
      expect(await seriousA11yViolations(page)).toEqual([]);
    });
  });

  it('an agent marks herself away from the desk and back (assignment skips away agents: test/core/assignment.test.ts)', async () => {
    const awayOf = async () => (await web.service.sb.database.db.select({ away: people.away }).from(people).where(eq(people.email, 'marta.lopez@example.com')))[0]?.away;
    await signedIn('marta', '/desk', async (page) => {
      await page.getByRole('button', { name: 'Mark me away' }).click();
      await page.waitForURL(/done=availability/);
      expect(await page.locator('.notice.ok').textContent()).toContain('You are away');
      expect(await awayOf()).toBe(true);
      await page.getByRole('button', { name: 'I am back' }).click();
      await page.waitForURL(/done=availability/);
      expect(await awayOf()).toBe(false);
    });
  });

  it('an agent who is not a lead gets a 403 page, and signing in is required', async () => {
    expect(new URL((await fetch(`${web.url}/desk/reports`, { redirect: 'manual' })).headers.get('location') ?? '', web.url).pathname).toBe('/login');
    await signedIn('marta', '/desk/reports?queue=IT', async (page) => {
      const response = await page.goto(`${web.url}/desk/reports?queue=IT`);
      expect(response?.status()).toBe(403);
      expect(await page.locator('h1').textContent()).toBe('Not allowed');
      expect((await page.goto(`${web.url}/desk/forecast?queue=IT`))?.status()).toBe(403);
    });
  });
});
