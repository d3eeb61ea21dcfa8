import { describe, expect, it } from 'vitest';
import { chromiumAvailable, screenshot, seriousA11yViolations } from './browser.ts';
import { webDeskForSuite } from './harness.ts';

// Help articles suggested on the request form before anyone has to wait, with and without
// JavaScript, and what the deflection report then counts.

describe.skipIf(!chromiumAvailable)('suggested answers on the web form, in Chromium', { timeout: 120_000 }, () => {
  const service = webDeskForSuite({ viewport: { width: 1000, height: 900 } });

  async function deflection(slug: string) {
    const { status, json } = await service.api('GET', '/reports/deflection');
    expect(status).toBe(200);
    return (json.items as Array<Record<string, unknown>>).find((row) => row.slug === slug && row.channel === 'web');
  }

  it('without JavaScript, "Check for answers" shows the articles first and "That solved it" files nothing', async () => {
    await service.withPage(
      async (page) => {
        await page.goto(service.at('/new/it-other'));
        await page.getByLabel('Summary').fill('my vpn keeps dropping');
        await page.getByLabel('Your work email').fill('noa@example.com');
        await page.getByRole('button', { name: 'Check for answers' }).click();
        const suggestions = page.locator('#kb-suggestions');
        expect(await suggestions.isVisible()).toBe(true);
        expect((await suggestions.locator('h3').allTextContents())[0]).toBe('Connect to the VPN from home or on the road');
        // What was typed is kept for "I still need help".
        expect(await page.getByLabel('Summary').inputValue()).toBe('my vpn keeps dropping');
        expect(await page.getByLabel('Your work email').inputValue()).toBe('noa@example.com');
        await screenshot(page, 'form-suggestions.png');
        await suggestions.locator('li', { hasText: 'Connect to the VPN' }).getByRole('button', { name: 'That solved it' }).click();
        expect(await page.locator('h1').textContent()).toBe('Glad that helped');
      },
      { javaScriptEnabled: false },
    );
    const { json } = await service.api('GET', `/tickets?requester=${encodeURIComponent('noa@example.com')}`);
    expect(json.items).toEqual([]);
    // Said solved, nothing filed, but the three days are not over: pending, not deflected yet.
    expect(await deflection('vpn-connect')).toMatchObject({ shown: 1, solved: 1, filedAnyway: 0, pending: 1, deflected: 0 });
  });

  it('with JavaScript, suggestions appear as the summary is typed; sending anyway counts as filed', async () => {
    await service.withPage(
      async (page) => {
        await page.goto(service.at('/new/password-reset'));
        await page.getByLabel('Summary').pressSequentially('forgot my password', { delay: 20 });
        const first = page.locator('#kb-suggestions li h3').first();
        await expect.poll(() => first.textContent(), { timeout: 10_000 }).toBe('Reset a forgotten or expired password');
        expect(await seriousA11yViolations(page)).toEqual([]);
        await page.getByLabel('Your work email').fill('ivo@example.com');
        await page.getByLabel('Account').fill('laptop login');
        await page.getByRole('button', { name: 'Send request' }).click();
        await page.waitForURL(/\/t\//);
      },
      { bypassCSP: true },
    );
    const row = await deflection('password-reset');
    expect(row).toMatchObject({ solved: 0, filedAnyway: 1, deflected: 0 });
    expect(Number(row!.shown)).toBeGreaterThanOrEqual(1);
    const { json } = await service.api('GET', '/reports/deflection');
    expect((json.notHelping as Array<{ slug: string }>).map((a) => a.slug)).toContain('password-reset');
  });

  it('clicking a suggested article is counted for its channel', async () => {
    await service.withPage(async (page) => {
      await page.goto(service.at('/kb/wifi-office?from=web'));
      expect(await page.locator('h1').textContent()).toBe('Join the office Wi-Fi');
    });
    expect(await deflection('wifi-office')).toMatchObject({ clicked: 1 });
  });
});
