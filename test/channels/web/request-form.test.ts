import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { chromiumAvailable, screenshot, seriousA11yViolations } from './browser.ts';
import { webDeskForSuite } from './harness.ts';

describe.skipIf(!chromiumAvailable)('the web request form, in Chromium', { timeout: 120_000 }, () => {
  const service = webDeskForSuite({ viewport: { width: 1000, height: 800 } });

  async function ticketsTitled(title: string): Promise<string[]> {
    const { json } = await service.api('GET', `/tickets?q=${encodeURIComponent(title)}`);
    return (json.items as Array<{ key: string; title: string }>).filter((t) => t.title === title).map((t) => t.key);
  }

  it('a visitor browses the catalog grouped by queue, with the expected times from the SLA', async () => {
    await service.withPage(async (page) => {
      const response = await page.goto(service.at('/'));
      expect(response?.status()).toBe(200);
      expect(await page.locator('h2').allTextContents()).toEqual(['IT Service Desk', 'People Team', 'Facilities']);
      const laptop = page.locator('li.type', { has: page.getByRole('link', { name: 'New laptop' }) });
      await expect.poll(() => laptop.textContent()).toContain('First reply within 4 h · resolved within 24 h (business hours)');
      expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(response?.headers()['x-content-type-options']).toBe('nosniff');
      await screenshot(page, 'catalog.png');
    });
  });

  it('the search box filters with a plain GET when JavaScript is off, and as you type when it is on', async () => {
    await service.withPage(
      async (page) => {
        await page.goto(service.at('/'));
        await page.getByLabel('Search request types').fill('badge');
        await page.getByRole('button', { name: 'Search' }).click();
        await page.waitForURL(/\?q=badge/);
        expect(await page.locator('section.queue li.type h3').allTextContents()).toEqual(['Broken or lost badge']);
        expect(await page.locator('section.queue h2').allTextContents()).toEqual(['Facilities']);
        // The same search also offers the help article before anyone files anything.
        expect(await page.locator('#catalog-articles ~ ul h3').allTextContents()).toContain('Lost or broken badge');
      },
      { javaScriptEnabled: false },
    );
    await service.withPage(async (page) => {
      await page.goto(service.at('/'));
      await page.getByLabel('Search request types').pressSequentially('payslip');
      await expect.poll(() => page.locator('li.type:visible h3').allTextContents()).toEqual(['Payroll question']);
      expect(await page.locator('#result-count').textContent()).toContain('1 request type matches');
    });
  });

  it('a form missing a required field comes back (400) with the error beside the field and every value kept', async () => {
    await service.withPage(async (page) => {
      await page.goto(service.at('/'));
      await page.getByRole('link', { name: 'Access to a system' }).click();
      await page.getByLabel('Summary').fill('Finance share for the audit');
      await page.getByLabel('System').fill('Finance share');
      await page.getByLabel('Approving manager').fill('boss@example.com');
      await page.getByLabel('Why you need it').fill('Quarter close\nneeds read access');
      await page.getByLabel('Your work email').fill('ana@example.com');
      const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Send request' }).click()]);
      expect(response.status()).toBe(400);
      await page.waitForLoadState();
      await expect.poll(() => page.locator('#in-field-role-error').textContent()).toBe('Access level is required');
      expect(await page.getByLabel('Access level').getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByLabel('Summary').inputValue()).toBe('Finance share for the audit');
      expect(await page.getByLabel('System').inputValue()).toBe('Finance share');
      expect(await page.getByLabel('Why you need it').inputValue()).toBe('Quarter close\nneeds read access');
      expect(await page.getByLabel('Your work email').inputValue()).toBe('ana@example.com');
      expect(await ticketsTitled('Finance share for the audit')).toEqual([]);
      await screenshot(page, 'form-with-errors.png');

      await page.getByLabel('Access level').selectOption('read');
      await page.getByRole('button', { name: 'Send request' }).click();
      await page.waitForURL(/\/t\/IT-\d+\?e=\d+&s=/);
      expect(await ticketsTitled('Finance share for the audit')).toHaveLength(1);
    });
  });

  it('a correct submission lands on the ticket page showing the key, and the ticket came in through the web', async () => {
    await service.withPage(async (page) => {
      await page.goto(service.at('/new/laptop'));
      await page.getByLabel('Summary').fill('Laptop for Marta, starts Monday');
      await page.getByLabel('Model').selectOption('15-inch');
      await page.getByLabel('Needed by').fill('2026-12-01');
      await page.getByLabel('This is for a new hire').check();
      await page.getByLabel('Details').fill('She needs the design tools too.');
      await page.getByLabel('Your work email').fill('Lead@Example.com');
      await page.getByLabel('Your name').fill('Lea Lead');
      await page.getByRole('button', { name: 'Send request' }).click();
      await page.waitForURL(/\/t\/IT-\d+\?/);
      const key = /\/t\/(IT-\d+)/.exec(page.url())![1]!;
      expect(await page.locator('h1').textContent()).toContain(key);
      expect(await page.locator('.timeline').textContent()).toContain('She needs the design tools too.');
      const { json } = await service.api('GET', `/tickets/${key}`);
      expect(json).toMatchObject({ origin: 'web', type: 'laptop', requester: { email: 'lead@example.com', name: 'Lea Lead' }, fields: { model: '15-inch', needed_by: '2026-12-01', for_new_hire: true } });
    });
  });

  it('submitting the same form twice (double click, back and resend) creates one ticket', async () => {
    await service.withPage(async (page, context) => {
      await page.goto(service.at('/new/password-reset'));
      await page.getByLabel('Summary').fill('Locked out of VPN after holidays');
      await page.getByLabel('Account').fill('VPN');
      await page.getByLabel('Your work email').fill('sam@example.com');
      // The very same rendered form posted twice at once (a double click), then once more (back and resend).
      const form = await page.locator('form.request').evaluate((el) => Object.fromEntries(new FormData(el as HTMLFormElement) as unknown as Iterable<[string, string]>));
      const send = async () => {
        const response = await context.request.post(service.at('/new/password-reset'), { form, headers: { origin: service.sb.url }, maxRedirects: 0 });
        expect(response.status()).toBe(303);
        return new URL(response.headers().location!, service.sb.url).pathname;
      };
      const landed = [...(await Promise.all([send(), send()])), await send()];
      expect(new Set(landed).size).toBe(1);
      expect(landed[0]).toMatch(/^\/t\/IT-\d+$/);
      expect(await ticketsTitled('Locked out of VPN after holidays')).toEqual([landed[0]!.slice(3)]);
    });
  });

  it('a <script> typed into a field is shown as text, never run', async () => {
    await service.withPage(async (page) => {
      const evil = '<script>window.__pwned = 1</script><b>bold</b>';
      await page.goto(service.at('/new/desk-move'));
      await page.getByLabel('Summary').fill(evil);
      await page.getByLabel('Desk or room').fill('"><img src=x onerror="window.__pwned=2">');
      await page.getByLabel('What is needed').fill(`${evil}\nsee javascript:alert(1) and https://wiki.example.com/desks?a=1&b=<2>`);
      await page.getByLabel('Your work email').fill('eve@example.com');
      await page.getByRole('button', { name: 'Send request' }).click();
      await page.waitForURL(/\/t\/FAC-\d+\?/);
      expect(await page.locator('h1').textContent()).toContain(evil);
      expect(await page.locator('h1 b, main script, main img').count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      const links = await page.locator('main .fields a, main .timeline a').evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.getAttribute('rel')]));
      expect(links).toEqual([['https://wiki.example.com/desks?a=1&b=', 'nofollow noopener noreferrer']]);
    });
  });

  it('works end to end with JavaScript disabled: browse, fill, submit, reply', async () => {
    await service.withPage(
      async (page) => {
        await page.goto(service.at('/'));
        await page.getByRole('link', { name: 'Payroll question' }).click();
        await page.getByLabel('Summary').fill('Overtime missing in October');
        await page.getByLabel('Payslip month').fill('October 2026');
        await page.getByLabel('Your question').fill('My 6 hours of overtime are not on the payslip.');
        await page.getByLabel('Your work email').fill('nojs@example.com');
        await page.getByRole('button', { name: 'Send request' }).click();
        await page.waitForURL(/\/t\/HR-\d+\?/);
        await page.getByLabel('Your reply').fill('Attaching the timesheet reference: TS-2210.');
        await page.getByRole('button', { name: 'Send reply' }).click();
        await page.waitForURL(/done=reply/);
        expect(await page.locator('.timeline').textContent()).toContain('TS-2210');
      },
      { javaScriptEnabled: false },
    );
  });

  it('a POST from another origin is refused, and so is one without the form token', async () => {
    const evil = http.createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<form method="post" action="${service.at('/new/password-reset')}"><input name="title" value="forged"><input name="field.account" value="VPN"><input name="requester_email" value="victim@example.com"><button>go</button></form>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    try {
      await service.withPage(async (page) => {
        await page.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
        const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'go' }).click()]);
        expect(response.status()).toBe(403);
        await page.waitForLoadState();
        expect(await page.locator('h1').textContent()).toBe('That was not sent');
      });
    } finally {
      evil.close();
    }
    // Same origin, but no cookie-bound token (e.g. a form replayed from somewhere else).
    const noToken = await fetch(service.at('/new/password-reset'), {
      method: 'POST',
      headers: { origin: service.sb.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ title: 'forged', 'field.account': 'VPN', requester_email: 'victim@example.com' }),
    });
    expect(noToken.status).toBe(403);
    expect(await ticketsTitled('forged')).toEqual([]);
  });

  it('a body over 1 MiB gets the 413 page, and an unknown type gets the 404 page', async () => {
    await service.withPage(async (page) => {
      await page.goto(service.at('/new/desk-move'));
      await page.getByLabel('What is needed').evaluate((el, size) => ((el as HTMLTextAreaElement).value = 'x'.repeat(size)), 1_200_000);
      const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Send request' }).click()]);
      expect(response.status()).toBe(413);
      await page.waitForLoadState();
      expect(await page.locator('h1').textContent()).toBe('That was too large');
      await screenshot(page, 'too-large.png');

      const missing = await page.goto(service.at('/new/unicorn'));
      expect(missing?.status()).toBe(404);
      expect(await page.locator('main').textContent()).toContain('There is no request type called “unicorn”');
    });
  });

  it('axe-core finds no serious or critical problems on the catalog and on a form with errors', async () => {
    await service.withPage(
      async (page) => {
        await page.goto(service.at('/'));
        expect(await seriousA11yViolations(page)).toEqual([]);
        await page.goto(service.at('/new/broken-badge'));
        await page.getByRole('button', { name: 'Send request' }).click();
        await page.waitForSelector('.error-summary');
        expect(await seriousA11yViolations(page)).toEqual([]);
      },
      { bypassCSP: true },
    );
  });
});
