import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.ts';

/** Switchboard with nothing optional configured: no SCIM_TOKEN, no OIDC, no Slack/Teams/email. */
describe('a service without SCIM, OIDC or any channel', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService();
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('has no SCIM endpoint (404), even with a token', async () => {
    const response = await fetch(`${service.url}/scim/v2/Users`, { headers: { authorization: 'Bearer scim-test-token-0123456789' } });
    expect(response.status).toBe(404);
  });

  it('says on the sign-in page when no channel can reach the person', async () => {
    const filed = await fetch(`${service.url}/api/v1/tickets`, { method: 'POST', headers: { authorization: 'Bearer test-token', 'content-type': 'application/json' }, body: JSON.stringify({ type: 'laptop', title: 'x', requester: { email: 'far.away@example.com' }, fields: { model: '13-inch' } }) });
    expect(filed.status).toBe(201);
    const response = await fetch(`${service.url}/login`, { method: 'POST', headers: { origin: service.url, 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=far.away%40example.com' });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('We cannot send you a link');
  });

  it('shows the one-time link form, and refuses a sign-in POST from another site', async () => {
    const page = await fetch(`${service.url}/login?next=//evil.example`);
    const html = await page.text();
    expect(html).toContain('Send me a sign-in link');
    expect(html).not.toContain('evil.example');
    const forged = await fetch(`${service.url}/login`, { method: 'POST', redirect: 'manual', headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=far.away%40example.com' });
    expect(forged.status).toBe(403);
  });
});
