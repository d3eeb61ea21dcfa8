import { describe, expect, it } from 'vitest';
import { signInAtProvider } from '../../auth/oidc-provider.ts';
import { startTestService } from '../../support/service.ts';
import { chromiumAvailable } from './browser.ts';
import { signInDeskForSuite } from './harness.ts';

// The sample catalog: sara.ng leads IT, marta.lopez is an IT agent. A system-access request whose
// requester has no manager in the directory goes to the leads first.
describe.skipIf(!chromiumAvailable)('approvals on the desk, in Chromium', { timeout: 120_000 }, () => {
  const web = signInDeskForSuite(
    {
      sara: { email: 'sara.ng@example.com', email_verified: true, name: 'Sara Ng' },
      marta: { email: 'marta.lopez@example.com', email_verified: true, name: 'Marta Lopez' },
    },
    (env) => startTestService(env),
  );

  async function api(method: string, path: string, body?: unknown) {
    const response = await fetch(`${web.url}/api/v1${path}`, { method, headers: { authorization: 'Bearer test-token', 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : null });
    // biome-ignore lint/suspicious/noExplicitAny: API JSON under test; what a test reads it asserts.
    return (await response.json()) as any;
  }

  async function signedIn(login: string, target: string) {
    const context = await web.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${web.url}${target}`);
    await signInAtProvider(page, web.provider, web.url, login);
    return { context, page };
  }

  it('the desk lists the request under Awaiting approval; a lead decides the leads\' step there, an agent gets no form', async () => {
    const created = await api('POST', '/tickets', { type: 'system-access', title: 'VPN admin', requester: { email: 'nomanager@example.com' }, fields: { system: 'VPN', role: 'admin', manager_email: 'vpn-owner@example.com' } });
    const key = created.key as string;
    expect(created.approvals[0]).toMatchObject({ approver: null, reason: 'the directory has no manager for nomanager@example.com' });

    const agent = await signedIn('marta', `/desk/t/${key}`);
    try {
      expect(await agent.page.locator('#approvals-title').textContent()).toBe('Approvals');
      expect(await agent.page.getByRole('button', { name: /Approve step/ }).count()).toBe(0);
    } finally {
      await agent.context.close();
    }

    const lead = await signedIn('sara', '/desk');
    try {
      const it = lead.page.locator('section.desk-queue', { hasText: 'IT Service Desk' });
      const awaiting = it.locator('.desk-counts li', { hasText: 'Awaiting approval' });
      expect(Number(await awaiting.locator('.count').textContent())).toBeGreaterThanOrEqual(1);
      await awaiting.locator('a').click();
      await lead.page.waitForURL(/status=awaiting_approval/);
      await lead.page.locator(`a:has-text("${key}")`).first().click();
      await lead.page.waitForURL(new RegExp(`/desk/t/${key}$`));
      await lead.page.fill('#approval-comment', 'Fine, temporary');
      await lead.page.getByRole('button', { name: 'Approve step 1' }).click();
      await lead.page.waitForSelector('.notice.ok');
      expect(await lead.page.locator('.approvals li[data-step="1"]').getAttribute('data-state')).toBe('approved');
      // Step 2 is the form's approver: a lead decides it only as an admin would; no form for Sara.
      expect(await lead.page.getByRole('button', { name: /Approve step/ }).count()).toBe(0);
    } finally {
      await lead.context.close();
    }
    const after = await api('GET', `/tickets/${key}`);
    expect(after.approvals[0]).toMatchObject({ state: 'approved', comment: 'Fine, temporary', decidedBy: { email: 'sara.ng@example.com' } });
    const events = (await api('GET', `/tickets/${key}/events`)).items as Array<{ type: string; channel: string }>;
    expect(events.find((e) => e.type === 'approval_decided')!.channel).toBe('web');
  });
});
