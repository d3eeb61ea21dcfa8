import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { addComment, createTicket } from '../../../src/core/tickets.ts';
import { signInAtProvider } from '../../auth/oidc-provider.ts';
import { IT_TRIAGE, ada, bob, fileViaDm, startSlackDesk, textOf } from '../slack/harness.ts';
import { chromiumAvailable, screenshot, seriousA11yViolations } from './browser.ts';
import { signInDeskForSuite } from './harness.ts';

// The Slack harness's catalog: bob and cyd are agents of IT; ada is an employee on no desk.

describe.skipIf(!chromiumAvailable)('the agent desk on the web, in Chromium', { timeout: 120_000 }, () => {
  const web = signInDeskForSuite(
    {
      bob: { email: bob.email, email_verified: true, name: bob.realName },
      ada: { email: ada.email, email_verified: true, name: ada.realName },
    },
    (env) => startSlackDesk(env),
  );
  let filed: Awaited<ReturnType<typeof fileViaDm>>;

  beforeAll(async () => {
    const desk = web.service;
    // Ada files on Slack; the desk discusses it in the triage thread with an internal note.
    filed = await fileViaDm(desk, ada, 'My docking station stopped charging the laptop');
    await addComment(desk.sb.core, { ticketKey: filed.key, body: 'Probably the quokka firmware bug from last week.', visibility: 'internal', author: { email: 'cyd@example.test' }, channel: 'slack' });
    await desk.drain();
  }, 120_000);

  /** A signed-in browser context; `bypassCSP` only where axe-core must be injected. */
  async function signedIn(login: string, target: string, options: { bypassCSP?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
    const context = await web.browser.newContext({ bypassCSP: options.bypassCSP ?? false });
    const page = await context.newPage();
    await page.goto(`${web.url}${target}`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await signInAtProvider(page, web.provider, web.url, login);
    return { context, page };
  }

  const dmCallsWith = (text: string) => web.service.fake.callsTo('chat.postMessage').filter((c) => c.body.channel === filed.dm && c.status === 200 && textOf(c.body).includes(text));

  it('an agent finds a ticket by a word of an internal note, replies to the requester on Slack once, adds a note nobody outside sees, changes status', async () => {
    const { context, page } = await signedIn('bob', '/desk', { bypassCSP: true });
    try {
      expect(new URL(page.url()).pathname).toBe('/desk');
      const it = page.locator('section.desk-queue', { hasText: 'IT Desk' });
      expect(await it.locator('.desk-counts li', { hasText: 'Unassigned' }).locator('.count').textContent()).toBe('1');
      expect(await it.locator('.desk-counts li', { hasText: 'Mine' }).locator('.count').textContent()).toBe('0');
      expect(await seriousA11yViolations(page)).toEqual([]);

      await page.getByLabel('Search tickets').fill('quokka');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.waitForURL(/\/desk\/tickets\?q=quokka/);
      const hit = page.locator('#desk-results li.desk-row');
      expect(await hit.count()).toBe(1);
      expect(await hit.locator('a.row-link').textContent()).toContain(filed.key);
      expect(await hit.locator('.snippet mark').first().textContent()).toBe('quokka');
      expect(await seriousA11yViolations(page)).toEqual([]);
      await screenshot(page, 'desk-search.png');

      // A typed key jumps straight to the ticket.
      await page.goto(`${web.url}/desk/tickets?q=${filed.key.toLowerCase()}`);
      expect(new URL(page.url()).pathname).toBe(`/desk/t/${filed.key}`);
      const note = page.locator('.timeline li.internal', { hasText: 'quokka firmware' });
      expect(await note.locator('.tag-internal').textContent()).toContain('Internal note');
      expect(await seriousA11yViolations(page)).toEqual([]);

      await page.getByLabel('Message').fill('A new dock is on its way to you today.');
      await page.getByRole('button', { name: 'Send to requester' }).click();
      await page.waitForURL(/done=reply/);
      await page.getByLabel('Message').fill('Ordered from stock, asset 7781 (desk only).');
      await page.getByRole('button', { name: 'Add internal note' }).click();
      await page.waitForURL(/done=note/);
      await page.locator('#desk-status').selectOption('in_progress');
      await page.getByRole('button', { name: 'Change status' }).click();
      await page.waitForURL(/done=status/);
      expect(await page.locator('.facts .status').textContent()).toBe('In progress');
      await screenshot(page, 'desk-workspace.png');
    } finally {
      await context.close();
    }
    await web.service.drain();
    // The requester's Slack thread got the public reply, once, in her DM thread.
    await web.service.until(() => dmCallsWith('A new dock is on its way').length > 0, 'the reply in Ada’s DM');
    await web.service.drain();
    const replies = dmCallsWith('A new dock is on its way');
    expect(replies).toHaveLength(1);
    expect(replies[0]!.body.thread_ts).toBe(filed.threadTs);
    // The internal note went to the triage thread only: no requester channel has it.
    await web.service.until(() => web.service.fake.callsTo('chat.postMessage').some((c) => c.body.channel === IT_TRIAGE && textOf(c.body).includes('asset 7781')), 'the note in the triage thread');
    const requesterSide = web.service.fake.calls.filter((c) => c.body.channel !== IT_TRIAGE && JSON.stringify(c.body).includes('asset 7781'));
    expect(requesterSide).toEqual([]);
    const deliveries = await web.service.deliveriesOf(filed.key);
    expect(deliveries.filter((d) => d.audience === 'requester' && d.kind === 'message').length).toBeGreaterThan(0);
  });

  it('the list updates live when a ticket changes, with the strict CSP, and j/k move through it', async () => {
    const { context, page } = await signedIn('bob', '/desk/tickets?queue=IT&sort=updated');
    try {
      await page.waitForSelector('html[data-live="on"]');
      const before = await page.locator('#desk-results li.desk-row').count();
      await createTicket(web.service.sb.core, { type: 'question', title: 'Projector in room 4 shows pink', requester: { email: ada.email }, channel: 'api' });
      await page.locator('#desk-results li.desk-row', { hasText: 'Projector in room 4' }).waitFor({ timeout: 10_000 });
      expect(await page.locator('#desk-results li.desk-row').count()).toBe(before + 1);
      expect(await page.locator('#desk-live').textContent()).toContain('Updated');
      // Newest update first: the projector ticket heads the list; j focuses it, j again the next one, k back.
      await page.keyboard.press('j');
      expect(await page.evaluate(() => document.activeElement?.textContent ?? '')).toContain('Projector in room 4');
      await page.keyboard.press('j');
      await page.keyboard.press('k');
      expect(await page.evaluate(() => document.activeElement?.textContent ?? '')).toContain('Projector in room 4');
      // On a ticket, r goes to the reply box.
      await page.goto(`${web.url}/desk/t/${filed.key}`);
      await page.keyboard.press('r');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('desk-reply');
      // The ticket's timeline updates live too, and only its changing part: a reply half typed stays.
      await page.waitForSelector('html[data-live="on"]');
      await page.keyboard.type('Half a reply');
      const asked = page.waitForRequest((request) => request.url().endsWith(`/desk/t/${filed.key}?part=results`));
      await addComment(web.service.sb.core, { ticketKey: filed.key, body: 'The spare dock is on the shelf by the window.', visibility: 'internal', author: { email: 'cyd@example.test' }, channel: 'slack' });
      await page.locator('#desk-results', { hasText: 'The spare dock is on the shelf by the window.' }).waitFor({ timeout: 10_000 });
      expect(await page.locator('#desk-reply').inputValue()).toBe('Half a reply');
      await asked;
      // That part alone is what the page fetched: no layout, no reply form; and it is as guarded as the page.
      const part = await context.request.get(`${web.url}/desk/t/${filed.key}?part=results`);
      expect(part.status()).toBe(200);
      const fragment = await part.text();
      expect(fragment.startsWith('<div id="desk-results">')).toBe(true);
      expect(fragment).toContain('The spare dock is on the shelf by the window.');
      expect(fragment).not.toContain('<html');
      expect(fragment).not.toContain('desk-reply');
      const anonymous = await fetch(`${web.url}/desk/t/${filed.key}?part=results`, { redirect: 'manual' });
      expect(anonymous.status).toBeGreaterThanOrEqual(300);
      expect(await anonymous.text()).not.toContain('The spare dock');
    } finally {
      await context.close();
    }
  });

  it('someone on no desk gets 403 on /desk, and their My requests shows what they filed on Slack, email and the web', async () => {
    const byEmail = await createTicket(web.service.sb.core, {
      type: 'question',
      title: 'VPN drops every hour',
      requester: { email: ada.email },
      channel: 'email',
      originAnchor: { channel: 'email', side: 'requester', externalRef: '<vpn-1@example.test>' },
    });
    const byWeb = await createTicket(web.service.sb.core, { type: 'laptop', title: 'Laptop for the intern', requester: { email: ada.email }, fields: { model: '13-inch' }, channel: 'web' });
    const { context, page } = await signedIn('ada', '/desk', { bypassCSP: true });
    try {
      const refused = await page.goto(`${web.url}/desk`);
      expect(refused?.status()).toBe(403);
      expect(await page.locator('h1').textContent()).toBe('Not allowed');
      expect((await page.goto(`${web.url}/desk/tickets?q=quokka`))?.status()).toBe(403);
      expect((await page.goto(`${web.url}/desk/t/${filed.key}`))?.status()).toBe(403);
      await page.goto(`${web.url}/my`);
      const mine = page.locator('.my-requests li');
      const lines = await mine.allTextContents();
      const lineOf = (key: string) => lines.find((l) => l.includes(key)) ?? '';
      expect(lineOf(filed.key)).toContain('from Slack');
      expect(lineOf(byEmail.ticket.key)).toContain('from email');
      expect(lineOf(byWeb.ticket.key)).toMatch(/from (the )?web/i);
      expect(await seriousA11yViolations(page)).toEqual([]);
      // Ada is reachable on Slack: no "save this link" notice on her ticket page.
      await page.goto(web.service.sb.links.url(byWeb.ticket.key, ada.email));
      expect(await page.locator('.save-link').count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('a requester no channel can reach is told to save the link of their ticket page', async () => {
    const { ticket } = await createTicket(web.service.sb.core, { type: 'question', title: 'Door code please', requester: { email: 'no.slack@example.test' }, channel: 'web' });
    const response = await fetch(web.service.sb.links.url(ticket.key, 'no.slack@example.test'));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Save this link');
  });
});
