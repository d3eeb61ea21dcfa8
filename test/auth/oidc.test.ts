import { and, eq, isNull } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTimeline } from '../../src/core/tickets.ts';
import { people, sessions } from '../../src/db/schema.ts';
import { chromiumAvailable, launchBrowser } from '../channels/web/browser.ts';
import { freePort } from '../support/net.ts';
import { startTestService, type TestService } from '../support/service.ts';
import { signInAtProvider, startOidcProvider, type LocalProvider } from './oidc-provider.ts';

// From the sample catalog: marta.lopez is an agent of IT; ana is an employee.
const MARTA = 'marta.lopez@example.com';
const ANA = 'ana.ruiz@example.com';

describe.skipIf(!chromiumAvailable)('signing in through an OpenID provider (oidc-provider, in Chromium)', { timeout: 120_000 }, () => {
  let provider: LocalProvider;
  let service: TestService;
  let browser: Browser;

  beforeAll(async () => {
    // The service's address must be known before the provider registers its redirect URI.
    const port = await freePort();
    provider = await startOidcProvider(`http://127.0.0.1:${port}/auth/callback`, {
      marta: { email: MARTA, email_verified: true, name: 'Marta López' },
      ana: { email: 'Ana.Ruiz@Example.com', email_verified: true, name: 'Ana Ruiz' },
      mallory: { email: 'mallory@example.com', email_verified: false, name: 'Mallory' },
      nomail: { name: 'No Mail' },
    });
    [service, browser] = await Promise.all([
      startTestService({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, OIDC_ISSUER: provider.issuer, OIDC_CLIENT_ID: provider.clientId, OIDC_CLIENT_SECRET: provider.clientSecret }),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    await provider?.stop();
  });

  async function withPage(run: (page: Page, context: BrowserContext) => Promise<void>) {
    const context = await browser.newContext();
    try {
      await run(await context.newPage(), context);
    } finally {
      await context.close();
    }
  }

  /** On the provider's development pages: log in as `login`, then consent. */
  const signIn = (page: Page, login: string) => signInAtProvider(page, provider, service.url, login);

  async function fileTicket(title: string): Promise<string> {
    const response = await fetch(`${service.url}/api/v1/tickets`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-token', 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'laptop', title, requester: { email: ANA, name: 'Ana Ruiz' }, fields: { model: '13-inch' } }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { key: string }).key;
  }

  it('an agent following a triage-card link signs in as herself and her reply and note are recorded as her', async () => {
    const key = await fileTicket('Screen flickers');
    await withPage(async (page, context) => {
      // The triage cards link here (links.deskUrl); without a session it asks who you are.
      await page.goto(service.sb.links.deskUrl(key));
      expect(new URL(page.url()).pathname).toBe('/login');
      expect(new URL(page.url()).searchParams.get('next')).toBe(`/desk/t/${key}`);
      await signIn(page, 'marta');
      expect(new URL(page.url()).pathname).toBe(`/desk/t/${key}`);
      expect(await page.locator('h1').textContent()).toBe(`${key} Screen flickers`);

      const cookie = (await context.cookies()).find((c) => c.name === 'sb_session')!;
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false });

      await page.getByLabel('Message').fill('Checked with the vendor: swapping the panel.');
      await page.getByRole('button', { name: 'Add internal note' }).click();
      await page.waitForURL(/done=note/);
      await page.getByLabel('Message').fill('We will swap the screen tomorrow.');
      await page.getByRole('button', { name: 'Send to requester' }).click();
      await page.waitForURL(/done=reply/);
      expect(await page.locator('.timeline li.internal', { hasText: 'swapping the panel' }).locator('.tag-internal').textContent()).toContain('Internal note');
      expect(await page.locator('.timeline li:not(.internal)', { hasText: 'swap the screen tomorrow' }).count()).toBe(1);
      await page.locator('#desk-status').selectOption('in_progress');
      await page.getByRole('button', { name: 'Change status' }).click();
      await page.waitForURL(/done=status/);
      await page.locator('#desk-assignee').selectOption(MARTA);
      await page.getByRole('button', { name: 'Assign' }).click();
      await page.waitForURL(/done=assign/);
    });
    const events = await getTimeline(service.sb.core, key, { includeInternal: true });
    expect(events.filter((e) => e.type === 'comment').map((e) => ({ body: e.body, visibility: e.visibility, actor: e.actor?.email, role: e.actor?.role, channel: e.channel }))).toEqual([
      { body: 'Checked with the vendor: swapping the panel.', visibility: 'internal', actor: MARTA, role: 'agent', channel: 'web' },
      { body: 'We will swap the screen tomorrow.', visibility: 'public', actor: MARTA, role: 'agent', channel: 'web' },
    ]);
    expect(events.find((e) => e.type === 'status_changed')?.actor?.email).toBe(MARTA);
    expect(events.find((e) => e.type === 'assigned')).toMatchObject({ actor: { email: MARTA }, data: { to: MARTA } });
  });

  it('an employee lands on My requests (matched by email, any case), cannot open the agent workspace, and signs out', async () => {
    const key = await fileTicket('Need a dock');
    await withPage(async (page) => {
      await page.goto(`${service.url}/login`);
      await signIn(page, 'ana');
      expect(new URL(page.url()).pathname).toBe('/my');
      const link = page.locator('.my-requests a', { hasText: key });
      await link.click();
      expect(await page.locator('h1').textContent()).toBe(`${key} Need a dock`);

      const desk = await page.goto(`${service.url}/desk/t/${key}`);
      expect(desk?.status()).toBe(403);

      await page.goto(`${service.url}/my`);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(/\/login\?out=1/);
      await page.goto(`${service.url}/my`);
      expect(new URL(page.url()).pathname).toBe('/login');
    });
    const [ana] = await service.sb.database.db.select().from(people).where(eq(people.email, ANA));
    expect(await service.sb.database.db.select().from(sessions).where(and(eq(sessions.personId, ana!.id), isNull(sessions.endedAt)))).toEqual([]);
  });

  it('an unverified email, a missing email and a deactivated person are refused; nobody is matched by sub', async () => {
    // A fresh browser each time: the provider would otherwise remember the previous login.
    const refusal = async (login: string) => {
      let text = '';
      await withPage(async (page) => {
        await page.goto(`${service.url}/login`);
        await signIn(page, login);
        expect(await page.locator('h1').textContent()).toBe('We could not sign you in');
        text = (await page.locator('.lead').textContent()) ?? '';
      });
      return text;
    };
    expect(await refusal('mallory')).toContain('not verified');
    expect(await refusal('nomail')).toContain('did not share an email');
    await service.sb.database.db.update(people).set({ active: false }).where(eq(people.email, MARTA));
    try {
      expect(await refusal('marta')).toContain('deactivated');
    } finally {
      await service.sb.database.db.update(people).set({ active: true }).where(eq(people.email, MARTA));
    }
    expect(await service.sb.database.db.select().from(people).where(eq(people.email, 'mallory@example.com'))).toEqual([]);
  });

  it('a sign-out POST from another site is refused', async () => {
    const response = await fetch(`${service.url}/logout`, { method: 'POST', redirect: 'manual', headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    expect(response.status).toBe(403);
  });
});
