import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/auth/tokens.ts';
import { getTimeline } from '../../src/core/tickets.ts';
import { deliveries, people, sessions, signInLinks } from '../../src/db/schema.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp.ts';
import { startTestService, type TestService } from '../support/service.ts';

const SCIM_TOKEN = 'scim-test-token-0123456789';
const SUBJECT = 'Your Switchboard sign-in link';

/** A browser's worth of HTTP: one cookie jar, same-origin form posts, redirects not followed. */
function client(base: string) {
  const jar = new Map<string, string>();
  const request = async (method: string, path: string, form?: Record<string, string>) => {
    const response = await fetch(new URL(path, base), {
      method,
      redirect: 'manual',
      headers: {
        accept: 'text/html',
        ...(jar.size ? { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded', origin: base } : {}),
      },
      body: form ? new URLSearchParams(form).toString() : null,
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, value] = pair!.split('=');
      if (value) jar.set(name!, value);
      else jar.delete(name!);
    }
    return { status: response.status, location: response.headers.get('location'), html: await response.text(), setCookie: response.headers.getSetCookie() };
  };
  return { jar, get: (path: string) => request('GET', path), post: (path: string, form: Record<string, string>) => request('POST', path, form) };
}

describe('one-time sign-in links, sent by email through the outbox', () => {
  let smtp: SmtpSink;
  let service: TestService;
  beforeAll(async () => {
    smtp = await startSmtpSink();
    service = await startTestService({ SMTP_URL: smtp.url, MAIL_FROM: 'desk@example.com', SCIM_TOKEN });
  });
  afterAll(async () => {
    await service?.stop();
    await smtp?.close();
  });

  const db = () => service.sb.database.db;
  async function fileTicket(email: string, title: string): Promise<string> {
    const response = await fetch(`${service.url}/api/v1/tickets`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-token', 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'laptop', title, requester: { email }, fields: { model: '13-inch' } }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { key: string }).key;
  }
  async function linkMailedTo(email: string): Promise<string> {
    const mail = await smtp.waitFor((m) => m.parsed.subject === SUBJECT && m.envelope.rcptTo.includes(email), 15_000);
    const url = /(http:\/\/\S+\/login\?t=[\w-]{43})/.exec(mail.parsed.text ?? '')?.[1];
    expect(url).toBeDefined();
    return url!;
  }
  const notices = async (email: string) => {
    const [person] = await db().select().from(people).where(eq(people.email, email));
    return person ? db().select().from(deliveries).where(and(eq(deliveries.personId, person.id), eq(deliveries.kind, 'notice'))) : [];
  };

  it('an employee asks for a link, gets it by email, signs in once with it, and lands on My requests', async () => {
    const email = 'ana.link@example.com';
    const key = await fileTicket(email, 'Printer jams');
    const browser = client(service.url);
    const asked = await browser.post('/login', { email: email.toUpperCase() });
    expect(asked.status).toBe(200);
    expect(asked.html).toContain('Check your messages');

    const link = await linkMailedTo(email);
    const token = new URL(link).searchParams.get('t')!;
    // Only the hash is stored.
    const [stored] = await db().select().from(signInLinks).where(eq(signInLinks.tokenHash, hashToken(token)));
    expect(stored).toBeDefined();
    expect(JSON.stringify(await db().select().from(signInLinks))).not.toContain(token);

    // Opening the link (as a mail scanner would) signs nobody in; the button does.
    const opened = await browser.get(new URL(link).pathname + new URL(link).search);
    expect(opened.status).toBe(200);
    expect(opened.setCookie.some((c) => c.startsWith('sb_session='))).toBe(false);
    const signedIn = await browser.post('/login', { t: token });
    expect(signedIn.status).toBe(303);
    expect(signedIn.location).toBe('/my');
    const cookie = signedIn.setCookie.find((c) => c.startsWith('sb_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i); // PUBLIC_URL is http here
    const [session] = await db().select().from(sessions).where(eq(sessions.tokenHash, hashToken(browser.jar.get('sb_session')!)));
    expect(session).toMatchObject({ method: 'link', endedAt: null });

    const mine = await browser.get('/my');
    expect(mine.status).toBe(200);
    expect(mine.html).toContain(key);

    const again = await client(service.url).post('/login', { t: token });
    expect(again.status).toBe(400);
    expect(again.html).toContain('This link does not work');
  });

  it('an expired link does not work; an agent asking from a triage link comes back to it', async () => {
    const key = await fileTicket('someone@example.com', 'VPN drops');
    const expiring = client(service.url);
    await expiring.post('/login', { email: 'dan.okafor@example.com' });
    const old = new URL(await linkMailedTo('dan.okafor@example.com')).searchParams.get('t')!;
    await db().update(signInLinks).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(signInLinks.tokenHash, hashToken(old)));
    expect((await expiring.post('/login', { t: old })).status).toBe(400);

    const agent = client(service.url);
    const bounced = await agent.get(`/desk/t/${key}`);
    expect(bounced.location).toBe(`/login?next=${encodeURIComponent(`/desk/t/${key}`)}`);
    await agent.post('/login', { email: 'bo.chen@example.com', next: `/desk/t/${key}` });
    const token = new URL(await linkMailedTo('bo.chen@example.com')).searchParams.get('t')!;
    const signedIn = await agent.post('/login', { t: token });
    expect(signedIn.location).toBe(`/desk/t/${key}`);
    const workspace = await agent.get(`/desk/t/${key}`);
    expect(workspace.status).toBe(200);
    expect(workspace.html).toContain('Send to requester');
    const home = await agent.get('/desk');
    expect(home.status).toBe(200);
    expect(home.html).toContain('IT Service Desk');
    expect(home.html).toContain(`href="/desk/t/${key}"`);
  });

  it('an unknown address gets the same page and nothing is sent; a person deactivated by SCIM cannot sign in and loses their session', async () => {
    const unknown = await client(service.url).post('/login', { email: 'nobody-here@example.com' });
    expect(unknown.html).toContain('Check your messages');
    expect(await notices('nobody-here@example.com')).toEqual([]);
    expect(await db().select().from(people).where(eq(people.email, 'nobody-here@example.com'))).toEqual([]);

    const email = 'leaver@example.com';
    await fileTicket(email, 'Badge broken');
    const browser = client(service.url);
    await browser.post('/login', { email });
    expect((await browser.post('/login', { t: new URL(await linkMailedTo(email)).searchParams.get('t')! })).location).toBe('/my');

    // The directory deactivates them (Okta's PATCH).
    const scim = (method: string, path: string, body?: unknown) =>
      fetch(`${service.url}/scim/v2${path}`, { method, headers: { authorization: `Bearer ${SCIM_TOKEN}`, 'content-type': 'application/scim+json' }, body: body ? JSON.stringify(body) : null }).then((r) => r.json() as Promise<{ id: string }>);
    const user = await scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: email, emails: [{ primary: true, value: email, type: 'work' }], active: true });
    await scim('PATCH', `/Users/${user.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', value: { active: false } }] });

    expect((await browser.get('/my')).location).toBe('/login?next=%2Fmy');
    const before = (await notices(email)).length;
    const asked = await client(service.url).post('/login', { email });
    expect(asked.html).toContain('Check your messages');
    expect((await notices(email)).length).toBe(before);
  });

  it('a requester link cannot act as the desk, and a signed-in requester is refused there', async () => {
    const email = 'req.only@example.com';
    const key = await fileTicket(email, 'Monitor arm');
    const signed = new URL(service.sb.links.url(key, email));
    const anonymous = client(service.url);
    expect((await anonymous.get(`/desk/t/${key}${signed.search}`)).location).toMatch(/^\/login\?next=/);
    const posted = await anonymous.post(`/desk/t/${key}/reply${signed.search}`, { body: 'Resolved by the desk', visibility: 'public' });
    expect(posted.status).toBe(303);
    expect(posted.location).toMatch(/^\/login\?next=/);
    for (const verb of ['status', 'assign']) {
      expect((await anonymous.post(`/desk/t/${key}/${verb}${signed.search}`, { status: 'resolved', assignee: 'bo.chen@example.com' })).location).toMatch(/^\/login/);
    }

    const requester = client(service.url);
    await requester.post('/login', { email });
    await requester.post('/login', { t: new URL(await linkMailedTo(email)).searchParams.get('t')! });
    expect((await requester.get(`/desk/t/${key}`)).status).toBe(403);
    expect((await requester.post(`/desk/t/${key}/reply`, { body: 'I am the desk now', visibility: 'public' })).status).toBe(403);
    expect((await requester.post(`/desk/t/${key}/assign`, { assignee: email })).status).toBe(403);

    const events = await getTimeline(service.sb.core, key, { includeInternal: true });
    expect(events.map((e) => e.type)).not.toContain('comment');
    expect(events.map((e) => e.type)).not.toContain('assigned');
    const [ticketRow] = (await service.sb.database.db.select().from(people).where(eq(people.email, email)));
    expect(await db().select().from(sessions).where(and(eq(sessions.personId, ticketRow!.id), isNull(sessions.endedAt)))).toHaveLength(1);
  });
});

