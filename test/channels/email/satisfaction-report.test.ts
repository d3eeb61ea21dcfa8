import { describe, expect, it } from 'vitest';
import { buildMail, newMessageId } from '../../support/mail.ts';
import { emailDeskForSuite, haveDovecot, person } from './harness.ts';

// Issue 16: "a survey answered on email shows in the report". A request mailed to the IT
// mailbox (the sample catalog's IT queue surveys on resolve) is resolved; the survey mail's
// rating link is followed (the GET records nothing), the rating is sent, and
// GET /api/v1/reports/satisfaction counts it under the email channel.

describe.skipIf(!haveDovecot)('a survey answered on email', { timeout: 90_000 }, () => {
  const desk = emailDeskForSuite();

  /** The link as the service serves it: PUBLIC_URL's path on the port the test service listens on. */
  const local = (link: string) => {
    const { pathname, search } = new URL(link);
    return `${desk.service.url}${pathname}${search}`;
  };

  it('is counted in the satisfaction report, by channel and in total', async () => {
    const ann = person('ann');
    const messageId = newMessageId(ann);
    await desk.deliver(await buildMail({ from: `Ann Example <${ann}>`, to: 'it@example.com', subject: 'Docking station is dead', text: 'No power since Monday.', messageId }));
    await desk.processed(messageId);
    const [ticket] = await desk.ticketsOf(ann);
    const key = ticket!.key;
    await desk.api('POST', `/tickets/${key}/transition`, { status: 'resolved', actor: { email: 'marta.lopez@example.com' } });

    const survey = await desk.sink.waitFor((m) => m.envelope.rcptTo.includes(ann) && (m.parsed.subject ?? '').includes('How did we do?') && (m.parsed.subject ?? '').includes(key), 20_000);
    const link = /https?:\/\/\S+\/rate\/\S+\?r=4/.exec(survey.parsed.text ?? '')?.[0];
    expect(link).toBeDefined();

    // Following the link (a mail scanner would too) shows the form and decides nothing.
    const page = await fetch(local(link!));
    expect(page.status).toBe(200);
    expect((await desk.api<{ satisfaction: unknown }>('GET', `/tickets/${key}`)).satisfaction).toBeNull();
    const before = await desk.api<{ totals: Record<string, number> }>('GET', '/reports/satisfaction?queue=IT');
    expect(before.totals).toMatchObject({ asked: 1, answered: 0 });

    // Sending the form records it, as a browser would post it (the page's token and cookie, its origin).
    const html = await page.text();
    const token = /name="token" value="([^"]+)"/.exec(html)?.[1];
    expect(token).toBeDefined();
    const cookie = (page.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
    const sent = await fetch(local(link!), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: desk.service.url, cookie },
      body: new URLSearchParams({ token: token!, rating: '4', comment: 'Fixed the same day' }).toString(),
    });
    expect(sent.status).toBe(200);
    expect(await sent.text()).toContain('Your rating was recorded');
    expect((await desk.api<{ satisfaction: { rating: number; comment: string } }>('GET', `/tickets/${key}`)).satisfaction).toMatchObject({ rating: 4, comment: 'Fixed the same day' });

    const report = await desk.api<{ totals: Record<string, number>; byChannel: Array<Record<string, unknown>> }>('GET', '/reports/satisfaction?queue=IT');
    expect(report.totals).toEqual({ asked: 1, answered: 1, responseRate: 1, csat: 1, mean: 4 });
    expect(report.byChannel).toEqual([{ channel: 'email', asked: 1, answered: 1, responseRate: 1, csat: 1, mean: 4 }]);
  });
});
